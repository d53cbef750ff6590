/**
 * Publishing on uWS: native topics under the shared fan-out, over real
 * sockets. uWS's own limit would skip a slow subscriber silently; upie's check
 * closes it with 1013 instead, and the broker hears about first and last
 * subscribers.
 */
import assert from "node:assert/strict";
import type net from "node:net";
import { after, before, describe, it } from "node:test";
import { setImmediate as tick } from "node:timers/promises";
import { App, LocalBroker, type Server, type WebSocket } from "../../../lib/index.js";
import { recordingLogger } from "../../core/helpers.js";
import { connect, until } from "../ws-client.js";

class Topics extends App {
  finished = 0;

  async ws_sub(ws: WebSocket, topic: string) {
    await ws.accept();
    await ws.subscribe(topic);
    await ws.sendText("ready");
    try {
      for await (const message of ws) {
        if (message === "leave") {
          await ws.unsubscribe(topic);
          await ws.sendText("left");
        }
      }
    } finally {
      this.finished++;
    }
  }
}

/** The app's own in-process broker, recording the hooks the fan-out calls. */
class HookedBroker extends LocalBroker {
  readonly hooks: string[] = [];
  topicAdded(topic: string): void {
    this.hooks.push(`+${topic}`);
  }
  topicRemoved(topic: string): void {
    this.hooks.push(`-${topic}`);
  }
}

describe("uWS topics", () => {
  const broker = new HookedBroker();
  let app: Topics;
  let server: Server;
  let url: (path: string) => string;
  before(async () => {
    app = new Topics({ logger: recordingLogger(), websocket: { broker, maxSubscriberBackpressure: 256 * 1024 } });
    server = await app.listen({ port: 0, host: "127.0.0.1" });
    url = (path) => `ws://127.0.0.1:${server.port}${path}`;
  });
  after(() => server.close());

  it("fans a publish out to every subscriber of the topic only", async () => {
    const [a, b, c] = await Promise.all([connect(url("/sub/news")), connect(url("/sub/news")), connect(url("/sub/other"))]);
    for (const client of [a!, b!, c!]) assert.equal(await client.nextText(), "ready");
    await app.publish("news", "headline");
    await app.publish("news", new Uint8Array([7]));
    assert.equal(await a!.nextText(), "headline");
    assert.equal(await b!.nextText(), "headline");
    assert.deepEqual([...(await a!.next() as Buffer)], [7]);
    await app.publish("other", "elsewhere");
    assert.equal(await c!.nextText(), "elsewhere");
    assert.equal(c!.messages.length, 2);
    for (const client of [a!, b!, c!]) client.close();
  });

  it("keeps text as text and bytes as bytes on the wire", async () => {
    const client = await connect(url("/sub/kinds"));
    assert.equal(await client.nextText(), "ready");
    await app.publish("kinds", "é");
    await app.publish("kinds", new Uint8Array([0xc3, 0xa9]));
    const [text, bytes] = [await client.next(), await client.next()];
    assert.equal(text, "é");
    assert.ok(Buffer.isBuffer(bytes), "a binary frame");
    assert.deepEqual([...(bytes as Buffer)], [0xc3, 0xa9]);
    client.close();
  });

  it("stops delivering to a socket that unsubscribed, and tells the broker when the last one leaves", async () => {
    const first = await connect(url("/sub/room"));
    const second = await connect(url("/sub/room"));
    for (const client of [first, second]) assert.equal(await client.nextText(), "ready");
    assert.equal(broker.hooks.filter((hook) => hook === "+room").length, 1, "one topicAdded for two subscribers");
    first.send("leave");
    assert.equal(await first.nextText(), "left");
    await app.publish("room", "only the second");
    assert.equal(await second.nextText(), "only the second");
    assert.ok(!broker.hooks.includes("-room"), "a subscriber is left");
    const finished = app.finished;
    second.close();
    await until(() => app.finished === finished + 1);
    await until(() => broker.hooks.includes("-room"));
    await app.publish("room", "nobody");
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(first.messages.length, 2, `the unsubscribed socket got ${JSON.stringify(first.messages)}`);
    first.close();
  });

  it("closes a subscriber too slow for publish with 1013 after a gap-free prefix, while others get everything", async () => {
    const fast = await connect(url("/sub/firehose"));
    const slow = await connect(url("/sub/firehose"));
    assert.equal(await fast.nextText(), "ready");
    assert.equal(await slow.nextText(), "ready");
    const finishedBefore = app.finished;
    const socket = (slow.socket as unknown as { _socket: net.Socket })._socket;
    socket.pause();
    const total = 1000;
    const padding = "y".repeat(16 * 1024);
    for (let i = 0; i < total; i++) {
      await app.publish("firehose", `${String(i).padStart(6, "0")}:${padding}`);
      if (i % 20 === 19) await tick();
    }
    await until(() => app.finished === finishedBefore + 1, 10_000);
    socket.resume();
    const closed = await slow.closed;
    assert.equal(closed.code, 1013);
    assert.match(closed.reason, /too slow/i);
    const got = slow.messages.slice(1) as string[];
    assert.ok(got.length < total, `the slow subscriber got all ${got.length}`);
    got.forEach((message, i) => assert.equal(message.slice(0, 6), String(i).padStart(6, "0")));
    await until(() => fast.messages.length === total + 1, 20_000);
    (fast.messages.slice(1) as string[]).forEach((message, i) => assert.equal(message.slice(0, 6), String(i).padStart(6, "0")));
    fast.close();
  });
});
