import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BacklogFullError } from "../../lib/redis/backlog-full-error.js";
import { PublishBacklog } from "../../lib/redis/publish-backlog.js";

/** Whether `promise` has settled after the current microtasks and one macrotask. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(() => (done = true), () => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe("PublishBacklog", () => {
  it("holds messages in order, numbering them 1, 2, 3…, and counts payload bytes (UTF-8 for text)", () => {
    const backlog = new PublishBacklog(10, 1000);
    backlog.push("a", "é");
    backlog.push("b", new Uint8Array(5));
    backlog.push("a", "xyz");
    assert.equal(backlog.length, 3);
    assert.equal(backlog.bytes, 2 + 5 + 3);
    assert.deepEqual(backlog.peek(2).map(({ topic, sequence }) => [topic, sequence]), [["a", 1], ["b", 2]]);
    assert.equal(backlog.length, 3, "peek removes nothing");
    assert.deepEqual(backlog.peek(100).map((m) => m.sequence), [1, 2, 3]);
  });

  it("removes the oldest on acknowledge, giving their bytes back", () => {
    const backlog = new PublishBacklog(10, 1000);
    for (const payload of ["aa", "bbb", "c"]) backlog.push("t", payload);
    backlog.acknowledge(2);
    assert.equal(backlog.length, 1);
    assert.equal(backlog.bytes, 1);
    assert.deepEqual(backlog.peek(5).map((m) => [m.payload, m.sequence]), [["c", 3]]);
    backlog.push("t", "d");
    assert.deepEqual(backlog.peek(5).map((m) => m.sequence), [3, 4], "numbering goes on");
  });

  it("refuses past maxMessages with a BacklogFullError, dropping nothing it holds", () => {
    const backlog = new PublishBacklog(2, 1000);
    backlog.push("t", "1");
    backlog.push("t", "2");
    assert.throws(() => backlog.push("t", "3"), (error: unknown) =>
      error instanceof BacklogFullError && error.code === "UPIE_ERR_BROKER_BACKLOG_FULL" && /2 messages \(2 bytes\)/.test(error.message));
    assert.deepEqual(backlog.peek(5).map((m) => m.payload), ["1", "2"]);
    backlog.acknowledge(1);
    backlog.push("t", "3");
    assert.deepEqual(backlog.peek(5).map((m) => [m.payload, m.sequence]), [["2", 2], ["3", 3]], "a refused push takes no number");
  });

  it("refuses past maxBytes, but lets one message bigger than the bound through an empty backlog", () => {
    const backlog = new PublishBacklog(100, 10);
    backlog.push("t", "x".repeat(6));
    backlog.push("t", "x".repeat(4));
    assert.throws(() => backlog.push("t", "x"), BacklogFullError, "11 bytes would pass 10");
    backlog.acknowledge(2);
    backlog.push("t", new Uint8Array(50));
    assert.equal(backlog.bytes, 50);
    assert.throws(() => backlog.push("t", new Uint8Array(0)), BacklogFullError, "nothing more while over the bound");
  });

  it("resolves drained() at once when empty, else once everything held at the call is acknowledged", async () => {
    const backlog = new PublishBacklog(10, 1000);
    assert.equal(await settled(backlog.drained()), true);
    backlog.push("t", "1");
    backlog.push("t", "2");
    const drained = backlog.drained();
    backlog.push("t", "3"); // pushed later: not waited for
    backlog.acknowledge(1);
    assert.equal(await settled(drained), false);
    backlog.acknowledge(1);
    assert.equal(await settled(drained), true);
    assert.equal(backlog.length, 1);
  });

  it("rejects every drained() waiter on abandon, and none after", async () => {
    const backlog = new PublishBacklog(10, 1000);
    backlog.push("t", "1");
    const first = backlog.drained();
    const second = backlog.drained();
    backlog.abandon(new Error("closed without Redis"));
    await assert.rejects(first, /closed without Redis/);
    await assert.rejects(second, /closed without Redis/);
    backlog.abandon(new Error("again"));
    const later = backlog.drained();
    backlog.acknowledge(1);
    await later;
  });

  it("keeps order and bytes exact across its internal compaction", () => {
    const backlog = new PublishBacklog(10_000, 10_000_000);
    for (let i = 0; i < 3000; i++) backlog.push("t", String(i));
    let expectedBytes = backlog.bytes;
    for (let acked = 0; acked < 2500; acked += 500) {
      for (const m of backlog.peek(500)) expectedBytes -= String(m.payload).length;
      backlog.acknowledge(500);
      assert.equal(backlog.bytes, expectedBytes);
      assert.equal(backlog.peek(1)[0]!.sequence, acked + 501);
    }
    assert.equal(backlog.length, 500);
    assert.deepEqual(backlog.peek(3).map((m) => m.payload), ["2500", "2501", "2502"]);
    backlog.push("t", "new");
    assert.equal(backlog.peek(1000).at(-1)!.sequence, 3001);
  });
});
