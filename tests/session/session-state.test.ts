import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { parseSetCookie } from "cookie";

import { InvalidOptionError } from "../../lib/protocol/errors.js";
import { sign, signCookie } from "../../lib/cookies/signing.js";
import { SessionBackend, type SessionData } from "../../lib/session/backend.js";
import { InMemorySessionBackend } from "../../lib/session/memory.js";
import { newSessionId } from "../../lib/session/session-id.js";
import { DEFAULT_SESSION_TTL_SECONDS, SessionCookie } from "../../lib/session/session-cookie.js";
import { SessionState } from "../../lib/session/session-state.js";

type Call = ["load", string] | ["save", string, SessionData, number];

/** An in-memory backend that records every call made to it. */
class RecordingBackend extends SessionBackend {
  readonly calls: Call[] = [];
  readonly store = new InMemorySessionBackend();
  override async load(id: string) {
    this.calls.push(["load", id]);
    return this.store.load(id);
  }
  override async save(id: string, data: SessionData, ttlSeconds: number) {
    this.calls.push(["save", id, structuredClone(data), ttlSeconds]);
    return this.store.save(id, data, ttlSeconds);
  }
  saves(): Call[] {
    return this.calls.filter((call) => call[0] === "save");
  }
}

/** A backend holding one session, and the id of that session. */
async function withSession(data: SessionData): Promise<{ backend: RecordingBackend; id: string }> {
  const backend = new RecordingBackend();
  const id = newSessionId();
  await backend.store.save(id, data, 60);
  return { backend, id };
}

function cookieOf(header: string | undefined) {
  assert.ok(header !== undefined, "expected a Set-Cookie header");
  return parseSetCookie(header);
}

const SECRET = "s3cret";

describe("SessionState.load", () => {
  it("starts empty without asking the backend when there is no cookie", async () => {
    const backend = new RecordingBackend();
    for (const cookie of [undefined, ""]) {
      const state = await SessionState.load(backend, cookie);
      assert.equal(state.id, undefined);
      assert.deepEqual(state.data, {});
    }
    assert.deepEqual(backend.calls, []);
  });

  it("rejects an id no cookie could carry before it reaches the backend", async () => {
    const backend = new RecordingBackend();
    for (const cookie of ["a b", "a;b", 'a"b', "a\\b", "a,b", "\u00e9t\u00e9", "a".repeat(257), "a".repeat(10_000)]) {
      const state = await SessionState.load(backend, cookie);
      assert.equal(state.id, undefined);
    }
    assert.deepEqual(backend.calls, []);
  });

  it("never adopts an unknown id, even once something is stored", async () => {
    const backend = new RecordingBackend();
    const planted = newSessionId();
    const state = await SessionState.load(backend, planted);
    assert.equal(state.id, undefined);
    assert.deepEqual(state.data, {});
    state.data.user = "ada";
    const header = await state.commit(state.data);
    assert.notEqual(cookieOf(header).value, planted);
    assert.equal(await backend.store.load(planted), undefined);
  });

  it("never adopts an expired id", async () => {
    let now = 0;
    const store = new InMemorySessionBackend({ now: () => now });
    const id = newSessionId();
    await store.save(id, { user: "ada" }, 10);
    now = 11_000;
    const state = await SessionState.load(store, id);
    assert.equal(state.id, undefined);
    assert.deepEqual(state.data, {});
  });

  it("loads a known session", async () => {
    const { backend, id } = await withSession({ user: "ada" });
    const state = await SessionState.load(backend, id);
    assert.equal(state.id, id);
    assert.deepEqual(state.data, { user: "ada" });
  });

  it("ignores stored data that is not an object", async () => {
    for (const stored of [null, "text", 42, ["a"]]) {
      const backend = { load: async () => stored, save: async () => {} } as unknown as SessionBackend;
      const state = await SessionState.load(backend, newSessionId());
      assert.equal(state.id, undefined);
      assert.deepEqual(state.data, {});
    }
  });

});

describe("SessionState#commit", () => {
  it("stores nothing and sets no cookie when the session stays empty", async () => {
    const backend = new RecordingBackend();
    const state = await SessionState.load(backend, undefined);
    assert.equal(await state.commit(state.data), undefined);
    assert.equal(await state.commit({ gone: undefined }), undefined);
    assert.deepEqual(backend.calls, []);
  });

  it("creates a session with a fresh id and a hardened cookie once something is stored", async () => {
    const backend = new RecordingBackend();
    const state = await SessionState.load(backend, undefined);
    state.data.user = "ada";
    const cookie = cookieOf(await state.commit(state.data));
    assert.equal(cookie.name, "session_id");
    assert.match(cookie.value!, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(state.id, cookie.value);
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, "lax");
    assert.equal(cookie.path, "/");
    assert.equal(cookie.secure, undefined);
    assert.equal(cookie.maxAge, DEFAULT_SESSION_TTL_SECONDS);
    assert.deepEqual(backend.saves(), [["save", cookie.value, { user: "ada" }, DEFAULT_SESSION_TTL_SECONDS]]);
  });

  it("uses a 14-day default ttl and honours a custom one", async () => {
    assert.equal(DEFAULT_SESSION_TTL_SECONDS, 14 * 24 * 60 * 60);
    const backend = new RecordingBackend();
    const state = await SessionState.load(backend, undefined, new SessionCookie(3600));
    const cookie = cookieOf(await state.commit({ a: 1 }));
    assert.equal(cookie.maxAge, 3600);
    assert.equal(backend.saves()[0]?.[3], 3600);
  });

  it("adds Secure when asked", async () => {
    const state = await SessionState.load(new RecordingBackend(), undefined, new SessionCookie(60, { secure: true }));
    const header = await state.commit({ a: 1 });
    assert.equal(cookieOf(header).secure, true);
    assert.equal(header, `session_id=${state.id}; Max-Age=60; Path=/; HttpOnly; Secure; SameSite=Lax`);
  });

  it("saves nothing when the data is unchanged", async () => {
    const { backend, id } = await withSession({ user: "ada", cart: ["apple"] });
    const state = await SessionState.load(backend, id);
    const header = await state.commit({ user: "ada", cart: ["apple"] });
    assert.equal(header, undefined);
    assert.deepEqual(backend.saves(), []);
    assert.equal(backend.calls.length, 1);
  });

  it("saves changes under the same id and refreshes the ttl and cookie", async () => {
    const { backend, id } = await withSession({ cart: ["apple"] });
    const state = await SessionState.load(backend, id, new SessionCookie(120));
    (state.data.cart as string[]).push("pear");
    const cookie = cookieOf(await state.commit(state.data));
    assert.equal(cookie.value, id);
    assert.equal(cookie.maxAge, 120);
    assert.deepEqual(backend.saves(), [["save", id, { cart: ["apple", "pear"] }, 120]]);
  });

  it("saves the object the user put in place of the loaded one", async () => {
    const { backend, id } = await withSession({ user: "ada" });
    const state = await SessionState.load(backend, id);
    await state.commit({ user: "eve" });
    assert.deepEqual(await backend.store.load(id), { user: "eve" });
    assert.deepEqual(state.data, { user: "eve" });
  });

  it("does nothing on a second commit of the same data", async () => {
    const backend = new RecordingBackend();
    const state = await SessionState.load(backend, undefined);
    await state.commit({ a: 1 });
    assert.equal(await state.commit({ a: 1 }), undefined);
    assert.equal(backend.saves().length, 1);
  });

  it("logs out when the data is emptied: deletes the session and expires the cookie", async () => {
    for (const emptied of [{}, null, undefined]) {
      const { backend, id } = await withSession({ user: "ada" });
      const state = await SessionState.load(backend, id);
      const cookie = cookieOf(await state.commit(emptied as unknown as SessionData));
      assert.equal(cookie.name, "session_id");
      assert.equal(cookie.value, "");
      assert.equal(cookie.maxAge, 0);
      assert.equal(cookie.path, "/");
      assert.deepEqual(backend.saves(), [["save", id, {}, 0]]);
      assert.equal(await backend.store.load(id), undefined);
      assert.equal(state.id, undefined);
    }
  });
});

describe("SessionState#regenerate", () => {
  it("moves the data to a new id and deletes the old one", async () => {
    const { backend, id } = await withSession({ cart: ["apple"] });
    const state = await SessionState.load(backend, id);
    state.data.user = "ada";
    state.regenerate();
    const cookie = cookieOf(await state.commit(state.data));
    assert.notEqual(cookie.value, id);
    assert.equal(state.id, cookie.value);
    assert.equal(await backend.store.load(id), undefined);
    assert.deepEqual(await backend.store.load(cookie.value!), { cart: ["apple"], user: "ada" });
    assert.deepEqual(backend.saves()[0], ["save", id, {}, 0]);
  });

  it("rotates the id even when the data is unchanged", async () => {
    const { backend, id } = await withSession({ user: "ada" });
    const state = await SessionState.load(backend, id);
    state.regenerate();
    const cookie = cookieOf(await state.commit(state.data));
    assert.notEqual(cookie.value, id);
    assert.equal(await backend.store.load(id), undefined);
  });

  it("logs out when the data is emptied too", async () => {
    const { backend, id } = await withSession({ user: "ada" });
    const state = await SessionState.load(backend, id);
    state.regenerate();
    const cookie = cookieOf(await state.commit({}));
    assert.equal(cookie.maxAge, 0);
    assert.deepEqual(backend.saves(), [["save", id, {}, 0]]);
  });

  it("does nothing without a session and without data", async () => {
    const backend = new RecordingBackend();
    const state = await SessionState.load(backend, undefined);
    state.regenerate();
    assert.equal(await state.commit({}), undefined);
    assert.deepEqual(backend.calls, []);
  });
});

describe("SessionState with a signing secret", () => {
  it("writes the signed id and reads it back", async () => {
    const backend = new RecordingBackend();
    const first = await SessionState.load(backend, undefined, new SessionCookie(60, { secret: SECRET }));
    const cookie = cookieOf(await first.commit({ user: "ada" }));
    assert.equal(cookie.value, signCookie("session_id", first.id!, SECRET));
    const second = await SessionState.load(backend, cookie.value, new SessionCookie(60, { secret: SECRET }));
    assert.equal(second.id, first.id);
    assert.deepEqual(second.data, { user: "ada" });
  });

  it("treats a tampered cookie as no cookie", async () => {
    const { backend, id } = await withSession({ user: "ada" });
    const signed = signCookie("session_id", id, SECRET);
    const other = newSessionId();
    const tampered = [
      `${signed.slice(0, -1)}${signed.endsWith("A") ? "B" : "A"}`,
      `${other}${signed.slice(id.length)}`,
      id,
      signCookie("session_id", id, "wrong secret"),
      sign(id, SECRET), // the old format, value only: never adopted
      signCookie("theme", id, SECRET), // signed for another cookie
    ];
    for (const cookie of tampered) {
      const state = await SessionState.load(backend, cookie, new SessionCookie(60, { secret: SECRET }));
      assert.equal(state.id, undefined, cookie);
      assert.deepEqual(state.data, {});
    }
    assert.deepEqual(backend.calls, []);
  });

  it("accepts a retired secret and signs new cookies with the current one", async () => {
    const { backend, id } = await withSession({ user: "ada" });
    const secrets = ["new secret", "old secret"];
    const state = await SessionState.load(backend, signCookie("session_id", id, "old secret"), new SessionCookie(60, { secret: secrets }));
    assert.equal(state.id, id);
    state.data.seen = true;
    assert.equal(cookieOf(await state.commit(state.data)).value, signCookie("session_id", id, "new secret"));
  });
});
