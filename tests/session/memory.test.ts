import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { InvalidOptionError } from "../../lib/protocol/errors.js";
import { SessionBackend } from "../../lib/session/backend.js";
import { InMemorySessionBackend } from "../../lib/session/memory.js";
import { newSessionId } from "../../lib/session/session-id.js";
import { runSessionBackendContract } from "../../lib/testing/index.js";

/** A backend on a fake clock that tests move by hand. */
function fakeClockBackend(options: { maxSessions?: number } = {}) {
  let now = 1_000_000;
  const backend = new InMemorySessionBackend({ ...options, now: () => now });
  return { backend, advanceTime: (seconds: number) => void (now += seconds * 1000) };
}

runSessionBackendContract("InMemorySessionBackend", () => fakeClockBackend());

describe("InMemorySessionBackend", () => {
  it("is a SessionBackend", () => {
    assert.ok(new InMemorySessionBackend() instanceof SessionBackend);
  });

  it("evicts the least recently used session beyond maxSessions", async () => {
    const { backend } = fakeClockBackend({ maxSessions: 3 });
    const [a, b, c, d] = [newSessionId(), newSessionId(), newSessionId(), newSessionId()];
    await backend.save(a, { n: "a" }, 60);
    await backend.save(b, { n: "b" }, 60);
    await backend.save(c, { n: "c" }, 60);
    await backend.load(a); // a is now more recent than b
    await backend.save(d, { n: "d" }, 60);
    assert.equal(backend.size, 3);
    assert.equal(await backend.load(b), undefined);
    assert.deepEqual(await backend.load(a), { n: "a" });
    assert.deepEqual(await backend.load(c), { n: "c" });
    assert.deepEqual(await backend.load(d), { n: "d" });
  });

  it("does not evict when re-saving a session it holds at capacity", async () => {
    const { backend } = fakeClockBackend({ maxSessions: 2 });
    const [a, b] = [newSessionId(), newSessionId()];
    await backend.save(a, { n: 1 }, 60);
    await backend.save(b, { n: 1 }, 60);
    await backend.save(a, { n: 2 }, 60);
    assert.deepEqual(await backend.load(a), { n: 2 });
    assert.deepEqual(await backend.load(b), { n: 1 });
  });

  it("purges an expired session when it is read", async () => {
    const { backend, advanceTime } = fakeClockBackend();
    await backend.save(newSessionId(), { a: 1 }, 5);
    const id = newSessionId();
    await backend.save(id, { a: 1 }, 5);
    advanceTime(6);
    assert.equal(await backend.load(id), undefined);
    assert.equal(backend.size, 1);
  });

  it("sweeps expired sessions on a later save, without a timer", async () => {
    const { backend, advanceTime } = fakeClockBackend();
    for (let i = 0; i < 5; i++) await backend.save(newSessionId(), { i }, 10);
    const keep = newSessionId();
    await backend.save(keep, { keep: true }, 3600);
    advanceTime(120);
    await backend.save(newSessionId(), { fresh: true }, 10);
    assert.equal(backend.size, 2);
    assert.deepEqual(await backend.load(keep), { keep: true });
  });

  it("stores data as JSON, as a networked backend would", async () => {
    const { backend } = fakeClockBackend();
    const id = newSessionId();
    await backend.save(id, { at: new Date(0), gone: undefined }, 60);
    assert.deepEqual(await backend.load(id), { at: "1970-01-01T00:00:00.000Z" });
  });

  it("keeps the old data when new data cannot be serialised", async () => {
    const { backend } = fakeClockBackend();
    const id = newSessionId();
    await backend.save(id, { a: 1 }, 60);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await assert.rejects(backend.save(id, cyclic, 60), TypeError);
    assert.deepEqual(await backend.load(id), { a: 1 });
  });

  it("rejects a negative or non-finite ttl and non-object data", async () => {
    const { backend } = fakeClockBackend();
    const id = newSessionId();
    for (const ttl of [-1, Number.NaN, Number.POSITIVE_INFINITY, "60"]) {
      await assert.rejects(backend.save(id, {}, ttl as number), InvalidOptionError, String(ttl));
    }
    for (const data of [null, [], "x", 1]) {
      await assert.rejects(backend.save(id, data as unknown as Record<string, unknown>, 60), InvalidOptionError);
    }
    await assert.rejects(backend.save("", {}, 60), InvalidOptionError);
    assert.equal(backend.size, 0);
  });

  it("validates its options", () => {
    for (const maxSessions of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "10"]) {
      assert.throws(
        () => new InMemorySessionBackend({ maxSessions: maxSessions as number }),
        InvalidOptionError,
        String(maxSessions),
      );
    }
    assert.throws(() => new InMemorySessionBackend({ now: 5 as unknown as () => number }), InvalidOptionError);
    assert.throws(() => new InMemorySessionBackend(null as unknown as object), InvalidOptionError);
    assert.equal(new InMemorySessionBackend({ maxSessions: 1 }).size, 0);
  });
});
