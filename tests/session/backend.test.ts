import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { SessionBackend, isSessionBackend, type SessionData } from "../../lib/session/backend.js";

class MapBackend extends SessionBackend {
  readonly map = new Map<string, string>();
  override async load(id: string) {
    const text = this.map.get(id);
    return text === undefined ? undefined : (JSON.parse(text) as SessionData);
  }
  override async save(id: string, data: SessionData, ttlSeconds: number) {
    if (ttlSeconds === 0) this.map.delete(id);
    else this.map.set(id, JSON.stringify(data));
  }
}

// Type-level check: a class may implement SessionBackend without extending it.
class StructuralBackend implements SessionBackend {
  async load(): Promise<SessionData | undefined> {
    return undefined;
  }
  async save(): Promise<void> {}
}

describe("SessionBackend", () => {
  it("can be extended", async () => {
    const backend = new MapBackend();
    await backend.save("id", { a: 1 }, 60);
    assert.ok(backend instanceof SessionBackend);
    assert.deepEqual(await backend.load("id"), { a: 1 });
  });
});

describe("isSessionBackend", () => {
  it("accepts subclasses and structural implementations", () => {
    assert.equal(isSessionBackend(new MapBackend()), true);
    assert.equal(isSessionBackend(new StructuralBackend()), true);
    assert.equal(isSessionBackend({ load: async () => undefined, save: async () => {} }), true);
  });

  it("rejects anything without load and save methods", () => {
    for (const value of [undefined, null, {}, { load() {} }, { load: 1, save: 2 }, "backend", () => {}]) {
      assert.equal(isSessionBackend(value), false);
    }
  });
});
