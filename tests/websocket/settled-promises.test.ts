/**
 * The engine's two settled promises: the shared resolved one a send returns
 * when nothing had to wait, and a rejection that stays quiet when nobody
 * awaits it but still throws for whoever does.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConnectionClosed } from "../../lib/protocol/errors.js";
import { quietRejection, RESOLVED } from "../../lib/websocket/settled-promises.js";

describe("RESOLVED", () => {
  it("is one resolved promise, shared", async () => {
    assert.equal(await RESOLVED, undefined);
    const { RESOLVED: again } = await import("../../lib/websocket/settled-promises.js");
    assert.equal(again, RESOLVED);
  });
});

describe("quietRejection", () => {
  it("rejects for whoever awaits it", async () => {
    const closed = new ConnectionClosed(1006, "gone");
    await assert.rejects(quietRejection(closed), (error) => error === closed);
  });

  it("is no unhandled rejection when nobody awaits it", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      void quietRejection(new Error("ignored"));
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
    assert.deepEqual(unhandled, []);
  });
});
