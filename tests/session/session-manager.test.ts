import assert from "node:assert/strict";
import { describe, it } from "node:test";
/**
 * The SessionManager loads a request's session before the handler and
 * commits it after: first on its own (a request is any object with the
 * fields it reads), then through an app and the TestClient.
 */
import { App, InMemorySessionBackend, InvalidOptionError, SessionBackend, TestClient, type SessionData } from "../../lib/index.js";
import { ERRORS } from "../../lib/protocol/errors.js";
import { DEFAULT_SESSION_TTL_SECONDS } from "../../lib/session/session-cookie.js";
import { resolveSessionSettings, SessionManager, type SessionRequest } from "../../lib/session/session-manager.js";
import { recordingLogger } from "../core/helpers.js";

/** A backend that records every call, to see what the core asks of it. */
class SpyBackend extends SessionBackend {
  readonly store = new Map<string, SessionData>();
  readonly loads: string[] = [];
  readonly saves: Array<{ id: string; data: SessionData; ttl: number }> = [];
  override async load(id: string) {
    this.loads.push(id);
    const data = this.store.get(id);
    return data === undefined ? undefined : structuredClone(data);
  }
  override async save(id: string, data: SessionData, ttl: number) {
    this.saves.push({ id, data: structuredClone(data), ttl });
    if (ttl === 0) this.store.delete(id);
    else this.store.set(id, structuredClone(data));
  }
}

class Sessions extends App {
  async visit() {
    const session = this.request.session;
    session.visits = ((session.visits as number | undefined) ?? 0) + 1;
    return `visit ${session.visits}`;
  }
  async peek() { return { ...this.request.session }; }
  async login(user: string) {
    this.request.session.user = user;
    this.request.regenerateSession();
    return "in";
  }
  async logout() {
    for (const key of Object.keys(this.request.session)) delete this.request.session[key];
    return "out";
  }
  async reset() {
    this.request.session = {};
    return "reset";
  }
}

const SESSION = /^session_id=([A-Za-z0-9_-]+);/;

function sessionIdOf(setCookies: string[]): string | undefined {
  for (const line of setCookies) {
    const match = SESSION.exec(line);
    if (match) return match[1];
  }
  return undefined;
}

function setup(options: { backend?: SessionBackend; ttl?: number } = {}) {
  const backend = options.backend ?? new SpyBackend();
  const app = new Sessions({ sessionBackend: backend, sessionTtl: options.ttl, logger: recordingLogger() });
  return { backend, client: new TestClient(app) };
}

/** The fields the manager reads of a request, as a plain object. */
function sessionRequest(sessionId?: string, session: SessionData = {}, used = false): SessionRequest & { hasSession: boolean; sessionRegenerated: boolean } {
  return {
    headers: sessionId === undefined ? {} : { cookie: `session_id=${sessionId}` },
    cookies: sessionId === undefined ? {} : { session_id: sessionId },
    session,
    hasSession: used,
    sessionRegenerated: false,
    sessionState: undefined,
    outgoingCookies: [],
  };
}

describe("resolveSessionSettings", () => {
  it("defaults to an in-memory backend and a cookie living DEFAULT_SESSION_TTL_SECONDS", () => {
    const settings = resolveSessionSettings({}, undefined);
    assert.ok(Object.isFrozen(settings));
    assert.ok(settings.backend instanceof InMemorySessionBackend);
    assert.match(settings.cookie.issue("abc"), new RegExp(`Max-Age=${DEFAULT_SESSION_TTL_SECONDS}`));
    assert.doesNotMatch(settings.cookie.issue("abc"), /Secure/);
    assert.match(resolveSessionSettings({ sessionTtl: 60, secureCookies: true }, undefined).cookie.issue("abc"), /Max-Age=60.*Secure|Secure.*Max-Age=60/);
  });

  it("refuses a backend without load and save, and a ttl that is not a positive whole number of seconds", () => {
    const invalid = (error: unknown) => error instanceof InvalidOptionError && error.code === ERRORS.INVALID_OPTION.code;
    assert.throws(() => resolveSessionSettings({ sessionBackend: { load() {} } as never }, undefined), invalid);
    for (const sessionTtl of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "60"]) {
      assert.throws(() => resolveSessionSettings({ sessionTtl } as never, undefined), invalid, String(sessionTtl));
    }
  });
});

describe("SessionManager", () => {
  it("loads nothing, and returns no promise, for a request without a session cookie", () => {
    const backend = new SpyBackend();
    const manager = new SessionManager(resolveSessionSettings({ sessionBackend: backend }, undefined));
    assert.equal(manager.load(sessionRequest()), undefined);
    const otherCookie = { ...sessionRequest(), headers: { cookie: "theme=dark" }, cookies: { theme: "dark" } };
    assert.equal(manager.load(otherCookie), undefined);
    assert.deepEqual(backend.loads, []);
  });

  it("commits nothing, and returns no promise, for a session never used or left empty", () => {
    const backend = new SpyBackend();
    const manager = new SessionManager(resolveSessionSettings({ sessionBackend: backend }, undefined));
    assert.equal(manager.commit(sessionRequest(undefined, { user: "al" }, false)), undefined, "not read nor assigned");
    assert.equal(manager.commit(sessionRequest(undefined, {}, true)), undefined, "read, but nothing stored");
    assert.deepEqual(backend.saves, []);
  });

  it("saves a new session, queues its cookie, and loads it back from that cookie", async () => {
    const backend = new SpyBackend();
    const manager = new SessionManager(resolveSessionSettings({ sessionBackend: backend, sessionTtl: 60 }, undefined));
    const first = sessionRequest(undefined, { user: "al" }, true);
    await manager.commit(first);
    assert.equal(first.outgoingCookies.length, 1);
    const id = sessionIdOf(first.outgoingCookies)!;
    assert.deepEqual(backend.saves, [{ id, data: { user: "al" }, ttl: 60 }]);
    const second = sessionRequest(id);
    await manager.load(second);
    assert.deepEqual(second.session, { user: "al" });
    assert.ok(second.sessionState !== undefined);
  });

  it("moves a regenerated session to a new id and deletes the old one", async () => {
    const backend = new SpyBackend();
    const manager = new SessionManager(resolveSessionSettings({ sessionBackend: backend }, undefined));
    const first = sessionRequest(undefined, { user: "al" }, true);
    await manager.commit(first);
    const oldId = sessionIdOf(first.outgoingCookies)!;
    const again = sessionRequest(oldId);
    await manager.load(again);
    again.hasSession = true;
    again.sessionRegenerated = true;
    await manager.commit(again);
    const newId = sessionIdOf(again.outgoingCookies)!;
    assert.notEqual(newId, oldId);
    assert.equal(backend.store.has(oldId), false);
    assert.deepEqual(backend.store.get(newId), { user: "al" });
  });
});

describe("sessions", () => {
  it("counts visits across requests with the session cookie", async () => {
    const { client } = setup();
    assert.equal((await client.get("/visit")).text, "visit 1");
    assert.equal((await client.get("/visit")).text, "visit 2");
    assert.equal((await client.get("/visit")).text, "visit 3");
  });

  it("sets the cookie HttpOnly, SameSite=Lax, Path=/ with a 256-bit id", async () => {
    const { client } = setup();
    const res = await client.get("/visit");
    const line = res.setCookies.find((c) => c.startsWith("session_id="))!;
    assert.match(line, /; HttpOnly/);
    assert.match(line, /; SameSite=Lax/);
    assert.match(line, /; Path=\//);
    assert.equal(sessionIdOf(res.setCookies)!.length, 43);
  });

  it("creates no session and no cookie when nothing is stored", async () => {
    const { client, backend } = setup();
    const res = await client.get("/peek");
    assert.deepEqual(res.json(), {});
    assert.deepEqual(res.setCookies, []);
    assert.equal((backend as SpyBackend).saves.length, 0);
  });

  it("never adopts an unknown, well-formed id", async () => {
    const { client, backend } = setup();
    const planted = "A".repeat(43);
    const res = await client.get("/visit", { headers: { cookie: `session_id=${planted}` } });
    assert.equal(res.text, "visit 1");
    const issued = sessionIdOf(res.setCookies);
    assert.ok(issued !== undefined);
    assert.notEqual(issued, planted);
    assert.ok(!(backend as SpyBackend).store.has(planted));
    assert.ok((backend as SpyBackend).saves.every((s) => s.id !== planted));
  });

  it("never asks the backend about an id no cookie could carry", async () => {
    const { client, backend } = setup();
    for (const forged of ["A".repeat(257), "%00%0d%0a", "a%20b", "%22quoted%22"]) {
      const res = await client.get("/visit", { headers: { cookie: `session_id=${forged}` } });
      assert.equal(res.text, "visit 1");
      assert.notEqual(sessionIdOf(res.setCookies), forged);
    }
    assert.deepEqual((backend as SpyBackend).loads, []);
  });

  it("signs the session cookie with the app's secret and refuses a tampered one", async () => {
    const backend = new SpyBackend();
    const client = new TestClient(new Sessions({ sessionBackend: backend, secret: "s3cret-s3cret-s3cret-s3cret-s3cret", logger: recordingLogger() }));
    await client.get("/visit");
    const signed = client.cookies.get("session_id")!;
    const [id] = [...backend.store.keys()];
    assert.ok(signed.startsWith(`${id}.`), "the cookie carries the id and its signature");
    assert.equal((await client.get("/visit")).text, "visit 2");
    const tampered = `${signed.slice(0, -2)}${signed.endsWith("AA") ? "BB" : "AA"}`;
    const forged = await client.get("/visit", { headers: { cookie: `session_id=${tampered}` } });
    assert.equal(forged.text, "visit 1");
    const bare = await client.get("/visit", { headers: { cookie: `session_id=${id}` } });
    assert.equal(bare.text, "visit 1", "an unsigned id is not adopted when cookies are signed");
  });

  it("logs out when the session is emptied", async () => {
    const { client, backend } = setup();
    await client.get("/visit");
    const id = client.cookies.get("session_id")!;
    assert.ok((backend as SpyBackend).store.has(id));
    const res = await client.get("/logout");
    assert.ok(res.setCookies.some((c) => c.startsWith("session_id=;") && /Max-Age=0/.test(c)));
    assert.ok(!(backend as SpyBackend).store.has(id));
    assert.equal(client.cookies.has("session_id"), false);
    // The old id, replayed, is not a session any more.
    const replay = await client.get("/peek", { headers: { cookie: `session_id=${id}` } });
    assert.deepEqual(replay.json(), {});
  });

  it("logs out when the session is replaced by an empty object", async () => {
    const { client, backend } = setup();
    await client.get("/visit");
    const id = client.cookies.get("session_id")!;
    await client.get("/reset");
    assert.ok(!(backend as SpyBackend).store.has(id));
  });

  it("moves the data to a new id on regenerateSession() and deletes the old one", async () => {
    const { client, backend } = setup();
    await client.get("/visit");
    const before = client.cookies.get("session_id")!;
    const res = await client.get("/login/ada");
    const after = sessionIdOf(res.setCookies);
    assert.ok(after !== undefined && after !== before);
    assert.ok(!(backend as SpyBackend).store.has(before));
    assert.deepEqual((backend as SpyBackend).store.get(after), { visits: 1, user: "ada" });
    const stale = await client.get("/peek", { headers: { cookie: `session_id=${before}` } });
    assert.deepEqual(stale.json(), {});
    assert.deepEqual((await client.get("/peek")).json(), { visits: 1, user: "ada" });
  });

  it("saves with the configured ttl", async () => {
    const { client, backend } = setup({ ttl: 60 });
    const res = await client.get("/visit");
    assert.equal((backend as SpyBackend).saves[0]!.ttl, 60);
    assert.match(res.setCookies[0]!, /Max-Age=60/);
  });

  it("forgets an expired session in the in-memory backend", async () => {
    let now = 1_000_000;
    const backend = new InMemorySessionBackend({ now: () => now });
    const { client } = setup({ backend, ttl: 10 });
    await client.get("/visit");
    assert.equal((await client.get("/visit")).text, "visit 2");
    now += 11_000;
    assert.equal((await client.get("/visit")).text, "visit 1");
  });

  it("keeps the in-memory backend bounded", async () => {
    const backend = new InMemorySessionBackend({ maxSessions: 3 });
    for (let i = 0; i < 10; i++) {
      const { client } = setup({ backend });
      await client.get("/visit");
    }
    assert.equal(backend.size, 3);
  });
});
