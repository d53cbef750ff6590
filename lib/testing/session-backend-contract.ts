/**
 * The session-backend contract suite: what every {@link SessionBackend} must
 * do, run by upie against the in-memory and Redis backends, and by yours
 * (Postgres, DynamoDB…): `runSessionBackendContract("redis", () => ({ backend, advanceTime }))`.
 * The fixture may be built asynchronously (a backend that has to connect first).
 *
 * @module
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { SessionBackend } from "../session/backend.js";
import { newSessionId } from "../session/session-id.js";

/** A fresh backend plus a way to move its clock forward. */
export interface SessionBackendFixture {
  backend: SessionBackend;
  /** Makes `seconds` pass for the backend (a fake clock, or a real wait for an external store). */
  advanceTime(seconds: number): Promise<void> | void;
}

/**
 * Registers the contract suite for one implementation.
 *
 * @param name - shown in the suite title.
 * @param makeFixture - called once per test, so tests never share state.
 */
export function runSessionBackendContract(name: string, makeFixture: () => SessionBackendFixture | Promise<SessionBackendFixture>): void {
  describe(`SessionBackend contract: ${name}`, { timeout: 120_000 }, () => {
    it("loads undefined for an unknown id", async () => {
      const { backend } = await makeFixture();
      assert.equal(await backend.load(newSessionId()), undefined);
    });

    it("round-trips JSON-shaped data", async () => {
      const { backend } = await makeFixture();
      const id = newSessionId();
      const data = { user: "ada", n: 3, ok: true, none: null, tags: ["a", "b"], nested: { deep: { x: 1.5 } } };
      await backend.save(id, data, 60);
      assert.deepEqual(await backend.load(id), data);
    });

    it("replaces the data on a second save", async () => {
      const { backend } = await makeFixture();
      const id = newSessionId();
      await backend.save(id, { a: 1, b: 2 }, 60);
      await backend.save(id, { c: 3 }, 60);
      assert.deepEqual(await backend.load(id), { c: 3 });
    });

    it("keeps sessions apart", async () => {
      const { backend } = await makeFixture();
      const [first, second] = [newSessionId(), newSessionId()];
      await backend.save(first, { who: "first" }, 60);
      await backend.save(second, { who: "second" }, 60);
      assert.deepEqual(await backend.load(first), { who: "first" });
      assert.deepEqual(await backend.load(second), { who: "second" });
    });

    it("stores a copy: mutating the saved object afterwards changes nothing", async () => {
      const { backend } = await makeFixture();
      const id = newSessionId();
      const data: Record<string, unknown> = { cart: ["apple"], user: { name: "ada" } };
      await backend.save(id, data, 60);
      (data.cart as string[]).push("pear");
      (data.user as { name: string }).name = "eve";
      data.extra = true;
      assert.deepEqual(await backend.load(id), { cart: ["apple"], user: { name: "ada" } });
    });

    it("returns a copy: mutating a loaded object changes nothing", async () => {
      const { backend } = await makeFixture();
      const id = newSessionId();
      await backend.save(id, { cart: ["apple"] }, 60);
      const loaded = (await backend.load(id))!;
      (loaded.cart as string[]).push("pear");
      loaded.extra = true;
      assert.deepEqual(await backend.load(id), { cart: ["apple"] });
    });

    it("deletes a session saved with ttl 0", async () => {
      const { backend } = await makeFixture();
      const id = newSessionId();
      await backend.save(id, { a: 1 }, 60);
      await backend.save(id, {}, 0);
      assert.equal(await backend.load(id), undefined);
    });

    it("accepts ttl 0 for an id it never held", async () => {
      const { backend } = await makeFixture();
      const id = newSessionId();
      await backend.save(id, {}, 0);
      assert.equal(await backend.load(id), undefined);
    });

    it("honours the ttl", async () => {
      const { backend, advanceTime } = await makeFixture();
      const id = newSessionId();
      await backend.save(id, { a: 1 }, 10);
      await advanceTime(9);
      assert.deepEqual(await backend.load(id), { a: 1 });
      await advanceTime(2);
      assert.equal(await backend.load(id), undefined);
    });

    it("never adopts an id it was not given: loading an unknown id creates nothing", async () => {
      const { backend } = await makeFixture();
      const forged = newSessionId();
      assert.equal(await backend.load(forged), undefined);
      assert.equal(await backend.load(forged), undefined);
      const real = newSessionId();
      await backend.save(real, { user: "ada" }, 60);
      assert.equal(await backend.load(forged), undefined);
    });

    it("leaves one whole session after concurrent saves of one id", async () => {
      const { backend } = await makeFixture();
      const id = newSessionId();
      const versions = Array.from({ length: 20 }, (_, i) => ({ version: i, [`key${i}`]: i, list: [i, i] }));
      await Promise.all(versions.map((data) => backend.save(id, data, 60)));
      const loaded = await backend.load(id);
      assert.ok(versions.some((data) => JSON.stringify(data) === JSON.stringify(loaded)), `a mix of saves: ${JSON.stringify(loaded)}`);
    });

    it("keeps concurrent saves of different ids apart", async () => {
      const { backend } = await makeFixture();
      const ids = Array.from({ length: 20 }, () => newSessionId());
      await Promise.all(ids.map((id, i) => backend.save(id, { i }, 60)));
      assert.deepEqual(await Promise.all(ids.map((id) => backend.load(id))), ids.map((_, i) => ({ i })));
    });

    it("restarts the ttl on every save", async () => {
      const { backend, advanceTime } = await makeFixture();
      const id = newSessionId();
      await backend.save(id, { a: 1 }, 10);
      await advanceTime(8);
      await backend.save(id, { a: 2 }, 10);
      await advanceTime(8);
      assert.deepEqual(await backend.load(id), { a: 2 });
    });
  });
}
