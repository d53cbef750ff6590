/**
 * WSClient against a real upie server (uWS on 127.0.0.1, port 0) and `ws`
 * servers: encoding, order, onConnect, handle, limits, close.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import WsWebSocket from "ws";

import { ClientTimeoutError, ConnectionClosed, QueueFullError, WSClient } from "../../lib/ws-client/index.js";
import { EchoApp, KillableServer, freePort, listen, quietLogger, sleep, StandardWebSocket, until } from "./helpers.js";

describe("WSClient", { timeout: 60_000 }, () => {
  it("sends objects as JSON text, strings as text and bytes as binary, and hands echoes to handle in order", async () => {
    const app = new EchoApp();
    const server = await listen(app);
    const got: Array<string | Uint8Array> = [];
    const client = new WSClient(`ws://127.0.0.1:${server.port}/echo`, { handle: (m) => void got.push(m), logger: quietLogger() });
    try {
      await client.connect();
      assert.equal(client.connected, true);
      await client.send({ type: "hi", n: 1 });
      await client.send("plain");
      await client.send(new Uint8Array([1, 2, 3]));
      await client.send(new Uint8Array([4, 5]).buffer);
      await until("four echoes", () => got.length === 4);
      assert.deepEqual(got.slice(0, 2), ['{"type":"hi","n":1}', "plain"]);
      assert.ok(got[2] instanceof Uint8Array && got[3] instanceof Uint8Array);
      assert.deepEqual([...(got[2] as Uint8Array)], [1, 2, 3]);
      assert.deepEqual([...(got[3] as Uint8Array)], [4, 5]);
    } finally {
      await client.close();
      await server.close();
    }
    assert.equal(client.connected, false);
  });

  it("rejects values that are not JSON and bad options up front", async () => {
    assert.throws(() => new WSClient("http://x"), TypeError);
    assert.throws(() => new WSClient("ws://x", { timeoutMs: -1 }), /timeoutMs/);
    assert.throws(() => new WSClient("ws://x", { maxQueue: Number.NaN }), /maxQueue/);
    const client = new WSClient("ws://127.0.0.1:1/", { logger: quietLogger() });
    await assert.rejects(client.send(undefined as never), TypeError);
    await client.close();
  });

  it("waits in the queue while the server is absent at start, then delivers in order once it is up", async () => {
    const port = await freePort();
    const app = new EchoApp();
    const logger = quietLogger();
    const client = new WSClient(`ws://127.0.0.1:${port}/collect`, { reconnect: { initialDelayMs: 20, maxDelayMs: 200 }, logger });
    const connected = client.connect();
    const sends = Array.from({ length: 20 }, (_, i) => client.send(`m${i}`));
    await sleep(300);
    assert.equal(client.connected, false);
    const server = await listen(app, port);
    try {
      await connected;
      await Promise.all(sends);
      await until("20 messages", () => app.received.length === 20);
      assert.deepEqual(app.received, Array.from({ length: 20 }, (_, i) => `m${i}`));
      assert.equal(logger.warnings.length, 1, "one warning per outage, not one per attempt");
    } finally {
      await client.close();
      await server.close();
    }
  });

  it("sends what onConnect sends before the queue, after every connect", async () => {
    const port = await freePort();
    const server = new KillableServer(port);
    const client = new WSClient(`ws://127.0.0.1:${port}/`, {
      onConnect: async (c) => {
        await c.send({ type: "login" });
      },
      reconnect: { initialDelayMs: 20, maxDelayMs: 100 },
      logger: quietLogger(),
    });
    void client.connect();
    const queued = [client.send("a"), client.send("b")];
    await server.start();
    try {
      await Promise.all(queued);
      await until("login then a, b", () => server.received.length === 3);
      assert.deepEqual(server.received, ['{"type":"login"}', "a", "b"]);
      const dropped = new Promise((resolve) => client.on("disconnect", resolve));
      await server.kill();
      // Sent once the client knows the socket is gone (a frame written into a dead
      // socket's kernel buffer is lost without acks: see the acks test).
      await dropped;
      const later = client.send("c");
      await server.start();
      await later;
      await until("login again, then c", () => server.received.length === 5);
      assert.deepEqual(server.received.slice(3), ['{"type":"login"}', "c"]);
    } finally {
      await client.close();
      await server.kill();
    }
  });

  it("hands messages to handle one at a time, in arrival order, and goes on after a throw", async () => {
    const app = new EchoApp();
    const server = await listen(app);
    const logger = quietLogger();
    const handled: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const client = new WSClient(`ws://127.0.0.1:${server.port}/echo`, {
      logger,
      handle: async (message) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await sleep(Number(String(message).slice(1)) % 3 === 0 ? 15 : 1);
        running--;
        handled.push(String(message));
        if (message === "m4") throw new Error("handler bug");
      },
    });
    try {
      await client.connect();
      for (let i = 0; i < 10; i++) void client.send(`m${i}`);
      await until("ten handled", () => handled.length === 10);
      assert.deepEqual(handled, Array.from({ length: 10 }, (_, i) => `m${i}`));
      assert.equal(maxRunning, 1);
      assert.equal(logger.errors.length, 1);
      assert.match(logger.errors[0]!, /handle threw/);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it("rejects a send beyond maxQueue with QueueFullError and keeps the others", async () => {
    const port = await freePort();
    const client = new WSClient(`ws://127.0.0.1:${port}/`, { maxQueue: 3, logger: quietLogger() });
    const kept = [client.send("a"), client.send("b"), client.send("c")];
    const outcomes = kept.map((p) => p.then(() => "sent", (error: Error) => error.name));
    await assert.rejects(client.send("d"), (error: unknown) => {
      assert.ok(error instanceof QueueFullError);
      assert.equal(error.code, "UPIE_ERR_WS_CLIENT_QUEUE_FULL");
      return true;
    });
    assert.equal(client.queued, 3);
    const server = new KillableServer(port);
    await server.start();
    try {
      void client.connect();
      assert.deepEqual(await Promise.all(outcomes), ["sent", "sent", "sent"]);
      await until("a, b, c", () => server.received.length === 3);
      assert.deepEqual(server.received, ["a", "b", "c"]);
    } finally {
      await client.close();
      await server.kill();
    }
  });

  it("rejects a send that waited timeoutMs with ClientTimeoutError", async () => {
    const port = await freePort();
    const client = new WSClient(`ws://127.0.0.1:${port}/`, { timeoutMs: 200, logger: quietLogger() });
    void client.connect().catch(() => {});
    const started = Date.now();
    await assert.rejects(client.send("late"), (error: unknown) => error instanceof ClientTimeoutError && error.code === "UPIE_ERR_WS_CLIENT_TIMEOUT");
    assert.ok(Date.now() - started >= 190);
    assert.equal(client.queued, 0);
    await client.close();
  });

  it("close() rejects queued sends and a pending connect() with ConnectionClosed, and later calls too", async () => {
    const port = await freePort();
    const client = new WSClient(`ws://127.0.0.1:${port}/`, { logger: quietLogger() });
    const connecting = client.connect();
    const queued = client.send("never");
    await client.close();
    await assert.rejects(connecting, ConnectionClosed);
    await assert.rejects(queued, ConnectionClosed);
    await assert.rejects(client.send("after"), ConnectionClosed);
    await assert.rejects(client.connect(), ConnectionClosed);
    await client.close(); // idempotent
  });

  it("sends handshake headers (Node) and subprotocols", async () => {
    const port = await freePort();
    const server = new KillableServer(port);
    await server.start();
    const client = new WSClient(`ws://127.0.0.1:${port}/`, { headers: { cookie: "session_id=abc" }, protocols: ["v1"], logger: quietLogger() });
    try {
      await client.connect();
      assert.equal(server.headers[0]!.cookie, "session_id=abc");
      assert.equal(server.headers[0]!["sec-websocket-protocol"], "v1");
    } finally {
      await client.close();
      await server.kill();
    }
  });

  it("uses an injected WebSocket constructor and emits connect, disconnect and close", async () => {
    const app = new EchoApp();
    const server = await listen(app);
    const events: string[] = [];
    let constructed = 0;
    class Counting extends WsWebSocket {
      constructor(...args: ConstructorParameters<typeof WsWebSocket>) {
        super(...args);
        constructed++;
      }
    }
    const client = new WSClient(`ws://127.0.0.1:${server.port}/echo`, { WebSocket: Counting as never, logger: quietLogger() });
    client.on("connect", (e) => void events.push(`connect ${e.connection}`));
    client.on("disconnect", (e) => void events.push(`disconnect ${e.code}`));
    client.on("close", () => void events.push("close"));
    await client.connect();
    await client.close();
    await server.close();
    assert.equal(constructed, 1);
    assert.deepEqual(events, ["connect 1", "disconnect 1000", "close"]);
  });

});

describe("WSClient on a standard WebSocket (the browser path)", { timeout: 60_000 }, () => {
  it("sends, receives text and binary, and keeps order across a restart", async () => {
    const port = await freePort();
    const server = new KillableServer(port, (socket, text) => socket.send(text === "bin" ? new Uint8Array([7, 8]) : `echo ${text}`));
    await server.start();
    const got: Array<string | Uint8Array> = [];
    const client = new WSClient(`ws://127.0.0.1:${port}/`, {
      WebSocket: StandardWebSocket as never,
      handle: (m) => void got.push(m),
      reconnect: { initialDelayMs: 20, maxDelayMs: 100 },
      logger: quietLogger(),
    });
    try {
      await client.connect();
      await client.send("a");
      await client.send("bin");
      await until("two answers", () => got.length === 2);
      assert.equal(got[0], "echo a");
      assert.deepEqual([...(got[1] as Uint8Array)], [7, 8]);
      const dropped = new Promise((resolve) => client.on("disconnect", resolve));
      await server.kill();
      await dropped;
      const later = [client.send("b"), client.send("c")];
      await server.start();
      await Promise.all(later);
      await until("b and c", () => server.received.length === 4);
      assert.deepEqual(server.received, ["a", "bin", "b", "c"]);
    } finally {
      await client.close();
      await server.kill();
    }
  });
});

describe("WSClient limits and failures", { timeout: 60_000 }, () => {
  it("stops reading while handle is behind, then handles everything in order (Node)", async () => {
    const port = await freePort();
    const total = 20_000;
    const payload = "x".repeat(1000);
    let serverSocket: WsWebSocket | undefined;
    const server = new KillableServer(port, (socket) => {
      serverSocket = socket;
      for (let i = 0; i < total; i++) socket.send(`${i} ${payload}`);
    });
    await server.start();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const handled: number[] = [];
    const client = new WSClient(`ws://127.0.0.1:${port}/`, {
      handle: async (m) => {
        await gate;
        handled.push(Number.parseInt(String(m), 10));
      },
      receiveTimeoutMs: 200, // shorter than the pause: a silence the client chose is not a dead server
      logger: quietLogger(),
    });
    let disconnects = 0;
    client.on("disconnect", () => void disconnects++);
    try {
      await client.connect();
      await client.send("go");
      await until("the server's burst", () => serverSocket !== undefined);
      await sleep(500);
      // 20 MB sent; a client that kept reading would have emptied the server's buffer.
      assert.ok(serverSocket!.bufferedAmount > 5_000_000, `server still holds ${serverSocket!.bufferedAmount} bytes: the client stopped reading`);
      release();
      await until("everything handled", () => handled.length === total, 30_000);
      assert.ok(handled.every((n, i) => n === i));
      assert.equal(disconnects, 0);
    } finally {
      await client.close();
      await server.kill();
    }
  });

  it("drops the connection and retries when onConnect throws", async () => {
    const port = await freePort();
    const server = new KillableServer(port);
    await server.start();
    const logger = quietLogger();
    let calls = 0;
    const client = new WSClient(`ws://127.0.0.1:${port}/`, {
      onConnect: async (c) => {
        calls++;
        await c.send(`login ${calls}`);
        if (calls === 1) throw new Error("login refused");
      },
      reconnect: { initialDelayMs: 20, maxDelayMs: 50 },
      logger,
    });
    try {
      await client.connect();
      await client.send("after");
      assert.equal(calls, 2);
      assert.equal(server.connections, 2);
      await until("three messages", () => server.received.length === 3);
      assert.deepEqual(server.received, ["login 1", "login 2", "after"]);
      assert.ok(logger.errors.some((e) => /onConnect threw/.test(e)));
    } finally {
      await client.close();
      await server.kill();
    }
  });
});
