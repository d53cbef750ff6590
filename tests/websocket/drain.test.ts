import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Drain } from "../../lib/websocket/drain.js";

describe("Drain", () => {
  it("resolves every waiting send at once", async () => {
    const drain = new Drain();
    let settled = 0;
    const waits = [drain.promise.then(() => settled++), drain.promise.then(() => settled++)];
    drain.resolve();
    await Promise.all(waits);
    assert.equal(settled, 2);
  });

  it("rejects without an unhandled rejection when nobody waits", async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => void unhandled.push(reason);
    process.on("unhandledRejection", record);
    try {
      new Drain().reject(new Error("gone"));
      await new Promise((resolve) => setTimeout(resolve, 10));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off("unhandledRejection", record);
    }
  });
});
