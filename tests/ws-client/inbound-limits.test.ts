/**
 * What a client takes in is bounded (issue 22.6): a message over
 * `maxMessageBytes` closes with 1009 and the client reconnects; while
 * `handle` is behind, the client stops reading (TCP makes the server wait)
 * and what it holds stays near `maxUnhandledBytes`, whatever the server sends.
 * Real upie servers over real sockets.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";


import { App, ConnectionClosed, type WebSocket } from "../../lib/index.js";
import { WSClient } from "../../lib/ws-client/index.js";
import { listen, quietLogger, sleep, StandardWebSocket, until } from "./helpers.js";

const KiB = 1024;
const MiB = 1024 * KiB;

/** A server that pushes what it is told to every client that connects, counting what it got out. */
class PushApp extends App {
  sent = 0;
  connections = 0;
  readonly closeCodes: number[] = [];
  constructor(readonly messages: (connection: number) => Array<string | Uint8Array>) {
    // Above the largest message: an awaited send of a message bigger than maxBackpressure can stall on the server side (reported separately).
    super({ websocket: { maxBackpressure: 4 * MiB } });
  }

  async ws_push(ws: WebSocket) {
    await ws.accept();
    const connection = ++this.connections;
    try {
      for (const message of this.messages(connection)) {
        if (typeof message === "string") await ws.sendText(message);
        else await ws.sendBytes(message);
        this.sent++;
      }
      await ws.receive();
    } catch (error) {
      if (error instanceof ConnectionClosed) this.closeCodes.push(error.code);
    }
  }
}

/** A numbered binary message of `size` bytes: its first 4 bytes say which. */
function numbered(index: number, size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  new DataView(bytes.buffer).setUint32(0, index);
  bytes[size - 1] = 0xab;
  return bytes;
}

const indexOf = (message: string | Uint8Array) => new DataView((message as Uint8Array).buffer, (message as Uint8Array).byteOffset).getUint32(0);

describe("WSClient inbound limits", { timeout: 90_000 }, () => {
  it("holds about maxUnhandledBytes while a slow handle falls behind big messages, and loses none", async () => {
    const total = 48;
    const size = 1 * MiB;
    const app = new PushApp(() => Array.from({ length: total }, (_, i) => numbered(i, size)));
    const server = await listen(app);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const handled: number[] = [];
    let peak = 0;
    const client = new WSClient(`ws://127.0.0.1:${server.port}/push`, {
      maxUnhandledBytes: 2 * MiB,
      handle: async (message) => {
        peak = Math.max(peak, client.unhandled.bytes);
        await gate;
        assert.equal((message as Uint8Array)[size - 1], 0xab);
        handled.push(indexOf(message));
      },
      logger: quietLogger(),
    });
    let disconnects = 0;
    client.on("disconnect", () => void disconnects++);
    const sample = setInterval(() => (peak = Math.max(peak, client.unhandled.bytes)), 5);
    try {
      await client.connect();
      await until("the client to stop reading", () => client.unhandled.bytes > 2 * MiB);
      await sleep(400);
      const sentWhilePaused = app.sent;
      await sleep(300);
      assert.equal(app.sent, sentWhilePaused, "the server is held back while the client does not read");
      assert.ok(app.sent < total, `the server could only send ${app.sent} of ${total}: TCP pushed back`);
      // The bound, plus the message that crossed it and one the socket had read: never the 48 MiB sent.
      assert.ok(peak <= 2 * MiB + 2 * size, `peak unhandled ${peak} bytes`);
      release();
      await until("everything handled", () => handled.length === total, 60_000);
      assert.deepEqual(handled, Array.from({ length: total }, (_, i) => i));
      assert.equal(disconnects, 0);
      assert.ok(peak <= 2 * MiB + 2 * size, `peak unhandled ${peak} bytes`);
    } finally {
      clearInterval(sample);
      await client.close();
      await server.close();
    }
  });

  it("bounds unhandled messages by count too", async () => {
    const total = 3000;
    const app = new PushApp(() => Array.from({ length: total }, (_, i) => `${i}`));
    const server = await listen(app);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const handled: number[] = [];
    let peak = 0;
    const client = new WSClient(`ws://127.0.0.1:${server.port}/push`, {
      maxUnhandledMessages: 100,
      handle: async (message) => {
        peak = Math.max(peak, client.unhandled.messages);
        await gate;
        handled.push(Number(message));
      },
      logger: quietLogger(),
    });
    try {
      await client.connect();
      await until("the client to stop reading", () => client.unhandled.messages > 100);
      await sleep(200);
      peak = Math.max(peak, client.unhandled.messages);
      // What one read of the socket held (a 64 KiB chunk of 5-byte frames) may still arrive after the pause.
      assert.ok(peak < 100 + 64 * KiB / 5, `peak unhandled ${peak} messages`);
      release();
      await until("everything handled", () => handled.length === total, 30_000);
      assert.deepEqual(handled, Array.from({ length: total }, (_, i) => i));
    } finally {
      await client.close();
      await server.close();
    }
  });

  it("closes with 1009 on a message over maxMessageBytes, never hands it over, and reconnects", async () => {
    const app = new PushApp((connection) => (connection === 1 ? ["before", "y".repeat(64 * KiB + 1), "never"] : [`hello ${connection}`]));
    const server = await listen(app);
    const got: string[] = [];
    const disconnects: Array<{ code: number; reason: string }> = [];
    const client = new WSClient(`ws://127.0.0.1:${server.port}/push`, {
      maxMessageBytes: 64 * KiB,
      handle: (message) => void got.push(String(message)),
      reconnect: { initialDelayMs: 20, maxDelayMs: 50 },
      logger: quietLogger(),
    });
    client.on("disconnect", (event) => void disconnects.push({ code: event.code, reason: event.reason }));
    try {
      await client.connect();
      await until("the second connection's message", () => got.includes("hello 2"));
      assert.deepEqual(got, ["before", "hello 2"]);
      assert.deepEqual(disconnects[0], { code: 1009, reason: "message too big" });
      await until("the server to see the close", () => app.closeCodes.length > 0);
      assert.equal(app.closeCodes[0], 1009);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it("accepts a message of exactly maxMessageBytes", async () => {
    const app = new PushApp(() => [new Uint8Array(64 * KiB)]);
    const server = await listen(app);
    const got: number[] = [];
    const client = new WSClient(`ws://127.0.0.1:${server.port}/push`, {
      maxMessageBytes: 64 * KiB,
      handle: (message) => void got.push((message as Uint8Array).byteLength),
      logger: quietLogger(),
    });
    try {
      await client.connect();
      await until("the message", () => got.length === 1);
      assert.deepEqual(got, [64 * KiB]);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it("rejects limits that are not positive numbers", () => {
    assert.throws(() => new WSClient("ws://x", { maxMessageBytes: 0 }), /maxMessageBytes/);
    assert.throws(() => new WSClient("ws://x", { maxUnhandledBytes: -1 }), /maxUnhandledBytes/);
    assert.throws(() => new WSClient("ws://x", { maxUnhandledMessages: Number.NaN }), /maxUnhandledMessages/);
  });
});


/** The runtime's own standard WebSocket where it has one (Node ≥ 22: undici's), else the browser-shaped wrapper. */
const Standard = (globalThis as { WebSocket?: unknown }).WebSocket ?? StandardWebSocket;

describe("WSClient inbound limits on a standard WebSocket (the browser path)", { timeout: 60_000 }, () => {
  it("refuses a message over maxMessageBytes, reports 1009 and reconnects", async () => {
    const app = new PushApp((connection) => (connection === 1 ? ["z".repeat(8 * KiB + 1), "never"] : ["fine"]));
    const server = await listen(app);
    const got: string[] = [];
    const codes: number[] = [];
    const client = new WSClient(`ws://127.0.0.1:${server.port}/push`, {
      WebSocket: Standard as never,
      maxMessageBytes: 8 * KiB,
      handle: (message) => void got.push(String(message)),
      reconnect: { initialDelayMs: 20, maxDelayMs: 50 },
      logger: quietLogger(),
    });
    client.on("disconnect", (event) => void codes.push(event.code));
    try {
      await client.connect();
      await until("the second connection's message", () => got.length === 1);
      assert.deepEqual(got, ["fine"]);
      assert.equal(codes[0], 1009);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it("counts text in UTF-8 bytes, not characters", async () => {
    const app = new PushApp((connection) => (connection === 1 ? ["é".repeat(2000), "é".repeat(3000)] : ["second"]));
    const server = await listen(app);
    const got: number[] = [];
    const codes: number[] = [];
    const client = new WSClient(`ws://127.0.0.1:${server.port}/push`, {
      WebSocket: Standard as never,
      maxMessageBytes: 4096,
      handle: (message) => void got.push(String(message).length),
      reconnect: { initialDelayMs: 20, maxDelayMs: 50 },
      logger: quietLogger(),
    });
    client.on("disconnect", (event) => void codes.push(event.code));
    try {
      await client.connect();
      await until("the second connection's message", () => got.length === 2);
      assert.deepEqual(got, [2000, 6], "4000 bytes pass; 6000 bytes (3000 characters) close with 1009");
      assert.equal(codes[0], 1009);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it("drops the connection when handle falls behind, handles what it holds, and reconnects once caught up", async () => {
    const app = new PushApp((connection) => Array.from({ length: connection === 1 ? 50 : 1 }, (_, i) => `${connection}:${i}`));
    const server = await listen(app);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const handled: string[] = [];
    const codes: number[] = [];
    const client = new WSClient(`ws://127.0.0.1:${server.port}/push`, {
      WebSocket: Standard as never,
      maxUnhandledMessages: 10,
      handle: async (message) => {
        await gate;
        handled.push(String(message));
      },
      reconnect: { initialDelayMs: 20, maxDelayMs: 50 },
      logger: quietLogger(),
    });
    client.on("disconnect", (event) => void codes.push(event.code));
    try {
      await client.connect();
      await until("the drop", () => codes.length === 1);
      assert.equal(codes[0], 1008);
      await sleep(200);
      assert.equal(app.connections, 1, "no reconnect while handle is behind");
      const held = client.unhandled.messages;
      assert.ok(held > 10 && held < 50, `${held} held`);
      release();
      await until("the second connection's message", () => handled.includes("2:0"));
      // In order, with no duplicates; the tail the server sent after the drop never arrived.
      assert.deepEqual(handled.slice(0, -1), Array.from({ length: handled.length - 1 }, (_, i) => `1:${i}`));
    } finally {
      await client.close();
      await server.close();
    }
  });
});
