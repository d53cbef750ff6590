import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConnectionClosed } from "../../lib/protocol/errors.js";
import type { ReceiveEvent, SendEvent, WebSocketChannel, WebSocketEndpoint } from "../../lib/protocol/protocol.js";
import { READ_MESSAGE } from "../../lib/websocket/read-mode.js";
import { resolveWebSocketOptions, type WebSocketOptions } from "../../lib/websocket-policy/websocket-options.js";
import { WebSocketEngine } from "../../lib/websocket/websocket-engine.js";

/**
 * A pushing channel (the uWS adapter's shape) that records every event it is
 * handed, in order; messages are logged as `text:…` / `bytes:<hex>`.
 */
class RecordingChannel implements WebSocketChannel {
  readonly log: Array<string | SendEvent> = [];
  endpoint: WebSocketEndpoint | undefined;
  bufferedAmount = 0;
  /** Bytes each message adds to bufferedAmount (a peer that does not read). */
  growth = 0;

  attach(endpoint: WebSocketEndpoint): void {
    this.endpoint = endpoint;
  }

  done(): void {}

  send(event: SendEvent): void {
    if (event.type !== "websocket.send") {
      this.log.push(event);
      return;
    }
    this.log.push(event.text !== undefined ? `text:${event.text}` : `bytes:${Buffer.from(event.bytes!).toString("hex")}`);
    this.bufferedAmount += this.growth;
  }
}

/** What an adapter delivers for one received message. */
function message(data: string | Uint8Array): ReceiveEvent {
  return typeof data === "string"
    ? { type: "websocket.receive", text: data, size: Buffer.byteLength(data) }
    : { type: "websocket.receive", bytes: data, size: data.byteLength };
}

async function openEngine(options?: WebSocketOptions): Promise<{ engine: WebSocketEngine; channel: RecordingChannel }> {
  const channel = new RecordingChannel();
  const engine = new WebSocketEngine(channel, resolveWebSocketOptions(options));
  engine.beginAccept();
  await engine.accept(undefined, undefined);
  assert.equal(engine.open, true);
  return { engine, channel };
}

describe("WebSocketEngine: order, backpressure and bounds per message", () => {
  it("hands sends to the channel in call order, text and binary, with the close frame after them", async () => {
    const { engine, channel } = await openEngine();
    channel.log.length = 0;
    const sends = [engine.send("a", false), engine.send(new Uint8Array([1, 2]), true), engine.send("b", false)];
    await Promise.all(sends);
    await engine.close(1000, "bye");
    assert.deepEqual(channel.log, ["text:a", "bytes:0102", "text:b", { type: "websocket.close", code: 1000, reason: "bye" }]);
  });

  it("resolves a send at once under maxBackpressure and only after drain above it", async () => {
    const { engine, channel } = await openEngine({ maxBackpressure: 1024 });
    channel.growth = 600;
    await engine.send("first", false); // 600 buffered: under the limit, resolved at once
    let second = false;
    const waiting = engine.send("second", false).then(() => (second = true)); // 1200 buffered: waits
    let third = false;
    const alsoWaiting = engine.send("third", false).then(() => (third = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(second, false);
    assert.equal(third, false);
    assert.deepEqual(channel.log.slice(-3), ["text:first", "text:second", "text:third"]); // handed over, never dropped
    channel.bufferedAmount = 1500;
    channel.endpoint!.deliver({ type: "websocket.drain" }); // still above: keeps waiting
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(second, false);
    channel.bufferedAmount = 0;
    channel.endpoint!.deliver({ type: "websocket.drain" });
    await Promise.all([waiting, alsoWaiting]);
    assert.equal(second && third, true);
  });

  it("returns the one shared resolved promise for a send that did not wait", async () => {
    const { engine } = await openEngine();
    assert.equal(engine.send("a", false), engine.send("b", false));
  });

  it("bounds sends nobody waits for: past maxSubscriberBackpressure it closes with 1013, and they reject quietly", async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => void unhandled.push(reason);
    process.on("unhandledRejection", record);
    try {
      const { engine, channel } = await openEngine({ maxBackpressure: 1024, maxSubscriberBackpressure: 4096 });
      channel.log.length = 0;
      channel.growth = 1000;
      const sends: Array<Promise<void>> = [];
      for (let i = 0; i < 10; i++) sends.push(engine.send(`m${i}`, false)); // never awaited in the loop
      assert.equal(engine.closed, true);
      const close = channel.log.find((entry) => typeof entry !== "string");
      assert.deepEqual(close, { type: "websocket.close", code: 1013, reason: "Peer too slow: unawaited sends piled up" });
      assert.deepEqual(channel.log.filter((entry) => typeof entry === "string"), ["text:m0", "text:m1", "text:m2", "text:m3", "text:m4"], "written in order up to the bound, nothing after");
      await new Promise((resolve) => setTimeout(resolve, 10));
      assert.deepEqual(unhandled, []);
      await assert.rejects(sends[9]!, (error: unknown) => error instanceof ConnectionClosed && error.code === 1013);
    } finally {
      process.off("unhandledRejection", record);
    }
  });

  it("closes with 1008 past websocket.messageRate; what came within it is read in order", async () => {
    const { engine, channel } = await openEngine({ messageRate: { perSecond: 0.001, burst: 2 } });
    channel.endpoint!.deliver(message("one"));
    channel.endpoint!.deliver(message("two"));
    assert.equal(engine.open, true);
    channel.endpoint!.deliver(message("three"));
    assert.equal(engine.closed, true);
    assert.deepEqual(channel.log.at(-1), { type: "websocket.close", code: 1008, reason: "Message rate exceeded" });
  });

  it("rejects a send waiting for drain when the peer goes away", async () => {
    const { engine, channel } = await openEngine({ maxBackpressure: 1024 });
    channel.growth = 2000;
    const waiting = engine.send("x", false);
    channel.endpoint!.deliver({ type: "websocket.disconnect", code: 1001, reason: "gone" });
    await assert.rejects(waiting, (error: unknown) => error instanceof ConnectionClosed && error.code === 1001);
  });

  it("hands received messages to readers in arrival order, parked or queued", async () => {
    const { engine, channel } = await openEngine();
    const endpoint = channel.endpoint!;
    const parked = engine.read(READ_MESSAGE); // waits on an empty queue
    endpoint.deliver(message("one"));
    endpoint.deliver(message("two"));
    endpoint.deliver(message(new Uint8Array([3])));
    endpoint.deliver(message("four"));
    assert.equal(await parked, "one");
    assert.equal(engine.queued, 3);
    assert.equal(await engine.read(READ_MESSAGE), "two");
    assert.deepEqual(await engine.read(READ_MESSAGE), new Uint8Array([3]));
    assert.equal(await engine.read(READ_MESSAGE), "four");
    assert.equal(engine.queued, 0);
  });

  it("ends a for-await loop after the last queued message when the peer closes", async () => {
    const { engine, channel } = await openEngine();
    const endpoint = channel.endpoint!;
    const seen: string[] = [];
    const loop = (async () => {
      const iterator = engine.iterator();
      for (;;) {
        const result = await iterator.next();
        if (result.done === true) return;
        seen.push(result.value);
      }
    })();
    for (let i = 0; i < 100; i++) endpoint.deliver(message(`m${i}`));
    endpoint.deliver({ type: "websocket.disconnect", code: 1000, reason: "" });
    await loop;
    assert.deepEqual(seen, Array.from({ length: 100 }, (_, i) => `m${i}`));
  });

  it("closes with 1008 when received messages overflow the queue, and ignores messages after that", async () => {
    const { engine, channel } = await openEngine({ maxQueuedMessages: 2 });
    const endpoint = channel.endpoint!;
    endpoint.deliver(message("a"));
    endpoint.deliver(message("b"));
    assert.equal(engine.closed, false);
    endpoint.deliver(message("c"));
    assert.equal(engine.closed, true);
    const close = channel.log.at(-1) as SendEvent;
    assert.equal(close.type, "websocket.close");
    assert.equal((close as { code: number }).code, 1008);
    endpoint.deliver(message("d"));
    await assert.rejects(engine.read(READ_MESSAGE), (error: unknown) => error instanceof ConnectionClosed && error.code === 1008);
  });

  it("rejects a send after close without handing it to the channel", async () => {
    const { engine, channel } = await openEngine();
    await engine.close(1000, "");
    const before = channel.log.length;
    await assert.rejects(engine.send("late", false), ConnectionClosed);
    assert.equal(channel.log.length, before);
  });
});
