import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConnectionClosed } from "../../lib/protocol/errors.js";
import { MessageQueue } from "../../lib/websocket/message-queue.js";
import { READ_BYTES, READ_ITERATION, READ_MESSAGE, READ_TEXT } from "../../lib/websocket/read-mode.js";

const roomy = { maxQueuedMessages: 1_000_000, maxQueuedBytes: 1 << 30 };

describe("MessageQueue", () => {
  it("hands queued messages out in order", async () => {
    const queue = new MessageQueue(roomy);
    for (let i = 0; i < 5; i++) assert.equal(queue.push(`m${i}`, 2), true);
    assert.equal(queue.size, 5);
    assert.equal(queue.bytes, 10);
    for (let i = 0; i < 5; i++) assert.equal(await queue.read(READ_TEXT), `m${i}`);
    assert.equal(queue.size, 0);
    assert.equal(queue.bytes, 0);
  });

  it("resolves a parked read directly from push, without queueing", async () => {
    const queue = new MessageQueue({ maxQueuedMessages: 1, maxQueuedBytes: 1 });
    const read = queue.read(READ_MESSAGE);
    assert.equal(queue.push("a long message", 14), true);
    assert.equal(await read, "a long message");
    assert.equal(queue.size, 0);
  });

  it("keeps several concurrent readers in the order they asked", async () => {
    const queue = new MessageQueue(roomy);
    const reads = [queue.read(READ_TEXT), queue.read(READ_BYTES), queue.read(READ_MESSAGE)];
    queue.push("one", 3);
    queue.push("two", 3);
    queue.push(new Uint8Array([3]), 1);
    const [one, two, three] = await Promise.all(reads);
    assert.equal(one, "one");
    assert.deepEqual(two, new TextEncoder().encode("two"));
    assert.deepEqual(three, new Uint8Array([3]));
  });

  it("converts between text and bytes per read mode", async () => {
    const queue = new MessageQueue(roomy);
    queue.push(new TextEncoder().encode("héllo"), 6);
    queue.push("wörld", 6);
    queue.push(new Uint8Array([0xff, 0x41]), 2);
    assert.equal(await queue.read(READ_TEXT), "héllo");
    assert.deepEqual(await queue.read(READ_BYTES), new TextEncoder().encode("wörld"));
    assert.equal(await queue.read(READ_TEXT), "\ufffdA");
  });

  it("refuses a push past the message count bound", () => {
    const queue = new MessageQueue({ maxQueuedMessages: 2, maxQueuedBytes: 1000 });
    assert.equal(queue.push("a", 1), true);
    assert.equal(queue.push("b", 1), true);
    assert.equal(queue.push("c", 1), false);
    assert.equal(queue.size, 2);
  });

  it("refuses a push past the byte bound", () => {
    const queue = new MessageQueue({ maxQueuedMessages: 100, maxQueuedBytes: 10 });
    assert.equal(queue.push("12345678", 8), true);
    assert.equal(queue.push("123", 3), false);
    assert.equal(queue.push("12", 2), true);
    assert.equal(queue.bytes, 10);
  });

  it("delivers what is queued after the peer closed, then rejects with ConnectionClosed", async () => {
    const queue = new MessageQueue(roomy);
    queue.push("last words", 10);
    queue.end(1001, "going away", false);
    assert.equal(await queue.read(READ_TEXT), "last words");
    await assert.rejects(queue.read(READ_TEXT), (error: unknown) => {
      assert.ok(error instanceof ConnectionClosed);
      assert.equal(error.code, 1001);
      assert.equal(error.reason, "going away");
      return true;
    });
    await assert.rejects(queue.read(READ_BYTES), ConnectionClosed);
  });

  it("drops queued messages when ended with discard", async () => {
    const queue = new MessageQueue(roomy);
    queue.push("unread", 6);
    queue.end(1008, "overflow", true);
    assert.equal(queue.size, 0);
    await assert.rejects(queue.read(READ_TEXT), { name: "ConnectionClosed", code: 1008 });
  });

  it("rejects a pending read when the queue ends, and ends iteration quietly", async () => {
    const queue = new MessageQueue(roomy);
    const pending = queue.read(READ_TEXT);
    const iteration = queue.read(READ_ITERATION);
    queue.end(1006, "", false);
    await assert.rejects(pending, { name: "ConnectionClosed", code: 1006 });
    assert.deepEqual(await iteration, { value: undefined, done: true });
    assert.deepEqual(await queue.read(READ_ITERATION), { value: undefined, done: true });
  });

  it("ignores pushes and second ends after it ended", async () => {
    const queue = new MessageQueue(roomy);
    queue.end(1000, "first", false);
    assert.equal(queue.push("late", 4), true);
    queue.end(4000, "second", false);
    assert.equal(queue.size, 0);
    assert.equal(queue.closeCode, 1000);
    assert.equal(queue.closeReason, "first");
  });

  it("yields iteration results with text values", async () => {
    const queue = new MessageQueue(roomy);
    queue.push(new TextEncoder().encode("bin"), 3);
    assert.deepEqual(await queue.read(READ_ITERATION), { value: "bin", done: false });
  });

  it("stays in order across compaction of a long backlog", async () => {
    const queue = new MessageQueue(roomy);
    const total = 10_000;
    for (let i = 0; i < total; i++) queue.push(String(i), 1);
    for (let i = 0; i < total / 2; i++) assert.equal(await queue.read(READ_TEXT), String(i));
    for (let i = total; i < total + 100; i++) queue.push(String(i), 1);
    for (let i = total / 2; i < total + 100; i++) assert.equal(await queue.read(READ_TEXT), String(i));
    assert.equal(queue.size, 0);
    assert.equal(queue.bytes, 0);
  });

  it("never reports an unhandled rejection for reads nobody awaits", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const queue = new MessageQueue(roomy);
      void queue.read(READ_TEXT);
      queue.end(1006, "", false);
      void queue.read(READ_BYTES);
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
    assert.deepEqual(unhandled, []);
  });
});

describe("MessageQueue#consume (messages as calls)", () => {
  it("hands queued messages first, then each new one at once, in order", async () => {
    const queue = new MessageQueue(roomy);
    queue.push("a", 1);
    queue.push("b", 1);
    const seen: unknown[] = [];
    const done = queue.consume((message) => void seen.push(message));
    assert.deepEqual(seen, ["a", "b"]);
    queue.push("c", 1);
    assert.deepEqual(seen, ["a", "b", "c"], "delivered synchronously, no microtask");
    assert.equal(queue.size, 0);
    queue.end(1000, "", false);
    await done;
  });

  it("holds the next message back while a call's promise is pending, within the queue's bounds", async () => {
    const queue = new MessageQueue({ maxQueuedMessages: 2, maxQueuedBytes: 1024 });
    const seen: string[] = [];
    let release!: () => void;
    void queue.consume((message) => {
      seen.push(message as string);
      if (message === "1") return new Promise<void>((resolve) => (release = resolve));
      return undefined;
    });
    queue.push("1", 1);
    assert.equal(queue.push("2", 1), true);
    assert.equal(queue.push("3", 1), true);
    assert.equal(queue.push("4", 1), false, "full: the engine closes with 1008");
    assert.deepEqual(seen, ["1"]);
    release();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(seen, ["1", "2", "3"]);
  });

  it("resolves once ended, after what was queued before the peer left", async () => {
    const queue = new MessageQueue(roomy);
    const seen: unknown[] = [];
    let release!: () => void;
    const done = queue.consume((message) => {
      seen.push(message);
      return seen.length === 1 ? new Promise<void>((resolve) => (release = resolve)) : undefined;
    });
    queue.push("x", 1);
    queue.push("y", 1);
    queue.end(1000, "bye", false);
    let settled = false;
    void done.then(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(settled, false, "waits for the pending call");
    release();
    await done;
    assert.deepEqual(seen, ["x", "y"]);
  });

  it("rejects with what a call threw, and refuses reads while consuming", async () => {
    const queue = new MessageQueue(roomy);
    const done = queue.consume(() => {
      throw new Error("boom");
    });
    await assert.rejects(queue.read(READ_TEXT), /onMessage/);
    assert.throws(() => queue.consume(() => undefined), /already/);
    queue.push("x", 1);
    await assert.rejects(done, /boom/);
  });
});
