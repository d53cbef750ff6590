import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { App, InMemorySessionBackend, SessionBackend, TestClient, type SessionData } from "../../lib/index.js";
import { recordingLogger } from "./helpers.js";

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
