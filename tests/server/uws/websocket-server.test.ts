import assert from "node:assert/strict";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import { App, ConnectionClosed, WebSocketMiddleware, type Server, type WebSocket } from "../../../lib/index.js";
import { newSessionId } from "../../../lib/session/session-id.js";
import { recordingLogger, type RecordingLogger } from "../../core/helpers.js";
import { connect, refusedStatus, until, WsClient } from "../ws-client.js";

const MAX_PAYLOAD = 1024;
const SLOW_COUNT = 400;
const SLOW_SIZE = 64 * 1024;

class Live extends App {
  errors: unknown[] = [];
  entered = 0;
  sent = 0;
  gate: Promise<void> = Promise.resolve();

  async ws_echo(ws: WebSocket) {
    await ws.accept();
    for await (const message of ws) await ws.sendText(message);
  }

  async ws_bytes(ws: WebSocket) {
    await ws.accept();
    const bytes = await ws.receiveBytes();
    await ws.sendBytes(bytes.map((b) => b + 1));
  }

  async ws_hello(ws: WebSocket, name: string, greeting = "hello") {
    this.request.session.visits = 1;
    await ws.accept(ws.subprotocols[0], newSessionId());
    await ws.sendJson({ text: `${greeting} ${name}`, cookie: this.request.cookies.flavour ?? null, protocol: ws.subprotocol ?? null });
  }

  async ws_never(_ws: WebSocket) {}

  async ws_throws(_ws: WebSocket) {
    throw new Error("before accept");
  }

  async ws_crash(ws: WebSocket) {
    await ws.accept();
    await ws.receiveText();
    throw new Error("after accept");
  }

  async ws_record(ws: WebSocket) {
    await ws.accept();
    await ws.sendText("ready");
    try {
      await ws.receiveText();
    } catch (error) {
      this.errors.push(error);
    }
  }

  async ws_late(ws: WebSocket) {
    await ws.accept();
    await ws.close(4005, "done");
    try {
      await ws.sendText("after close");
    } catch (error) {
      this.errors.push(error);
    }
  }

  async ws_lazy(ws: WebSocket) {
    await ws.accept();
    await ws.sendText("ready");
    await new Promise((resolve) => setTimeout(resolve, 150));
    try {
      await ws.receiveText();
    } catch (error) {
      this.errors.push(error);
    }
  }

  async ws_gate(ws: WebSocket) {
    this.entered++;
    await this.gate;
    try {
      await ws.accept();
    } catch (error) {
      this.errors.push(error);
    }
  }

  async ws_flood(ws: WebSocket) {
    await ws.accept();
    const padding = "x".repeat(SLOW_SIZE - 8);
    for (let i = 0; i < SLOW_COUNT; i++) {
      await ws.sendText(`${String(i).padStart(6, "0")}:${padding}`);
      this.sent = i + 1;
    }
  }

}

class Counter extends WebSocketMiddleware {
  after = 0;
  override afterWebSocket() {
    this.after++;
  }
}

interface Running {
  app: Live;
  server: Server;
  logger: RecordingLogger;
  url: (path: string) => string;
}

async function start(options: ConstructorParameters<typeof App>[0] = {}): Promise<Running> {
  const logger = recordingLogger();
  const app = new Live({
    logger,
    ...options,
    websocket: { maxPayloadLength: MAX_PAYLOAD, maxQueuedMessages: 8, maxBackpressure: 16 * 1024, maxSubscriberBackpressure: 256 * 1024, ...options.websocket },
  });
  const server = await app.listen({ port: 0, host: "127.0.0.1" });
  return { app, server, logger, url: (path) => `ws://127.0.0.1:${server.port}${path}` };
}

describe("WebSockets on uWS", () => {
  let live: Running;
  before(async () => {
    live = await start();
  });
  after(() => live.server.close());

  it("echoes through the for-await loop, text and binary", async () => {
    const client = await connect(live.url("/echo"));
    client.send("hi");
    client.send(new TextEncoder().encode("bin"));
    assert.equal(await client.nextText(), "hi");
    assert.equal(await client.nextText(), "bin");
    client.close();
    assert.equal((await client.closed).code, 1005);
  });

  it("copies binary messages out of uWS's buffer", async () => {
    const client = await connect(live.url("/bytes"));
    client.send(new Uint8Array([1, 2, 3]));
    assert.deepEqual([...(await client.next() as Buffer)], [2, 3, 4]);
  });

  it("binds path and query, reads cookies, sets the session cookie and the subprotocol on the 101", async () => {
    const client = new WsClient(live.url("/hello/al?greeting=hey"), { headers: { cookie: "flavour=mint" }, protocols: ["chat.v1"] });
    const upgrade = new Promise<Record<string, unknown>>((resolve) => client.socket.once("upgrade", (response) => resolve(response.headers)));
    await client.opened;
    const headers = await upgrade;
    assert.deepEqual(JSON.parse(await client.nextText()), { text: "hey al", cookie: "mint", protocol: "chat.v1" });
    const cookies = headers["set-cookie"] as string[];
    assert.equal(cookies.length, 2);
    assert.ok(cookies.every((c) => /^session_id=[\w-]+; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax$/.test(c)));
    assert.equal(headers["sec-websocket-protocol"], "chat.v1");
    client.close();
  });

  it("refuses a handler that never accepts with 403, a throw with 500, unknown and private routes with 404", async () => {
    assert.equal((await refusedStatus(live.url("/never"))).status, 403);
    const thrown = await refusedStatus(live.url("/throws"));
    assert.deepEqual(thrown, { status: 500, body: "Internal Server Error" });
    for (const path of ["/missing", "/_secret", "/constructor", "/ws_echo"]) assert.equal((await refusedStatus(live.url(path))).status, 404, path);
    await until(() => live.logger.errors.length === 1);
    assert.match(String(live.logger.errors[0]!.error), /before accept/);
    live.logger.errors.length = 0;
  });

  it("closes with 1011 and logs when the handler throws after accepting", async () => {
    const client = await connect(live.url("/crash"));
    client.send("go");
    assert.deepEqual(await client.closed, { code: 1011, reason: "Internal error" });
    await until(() => live.logger.errors.length === 1);
    assert.match(String(live.logger.errors[0]!.error), /after accept/);
    live.logger.errors.length = 0;
  });

  it("closes a client that sends more than maxPayloadLength; the handler sees 1009", async () => {
    live.app.errors = [];
    const client = await connect(live.url("/record"));
    assert.equal(await client.nextText(), "ready");
    client.send("x".repeat(MAX_PAYLOAD + 1));
    await client.closed;
    await until(() => live.app.errors.length === 1);
    const [error] = live.app.errors as ConnectionClosed[];
    assert.ok(error instanceof ConnectionClosed);
    assert.equal(error.code, 1009);
  });

  it("closes a client that sends invalid UTF-8 in a text frame; the handler sees 1007", async () => {
    live.app.errors = [];
    const client = await connect(live.url("/record"));
    assert.equal(await client.nextText(), "ready");
    client.socket.send(Buffer.from([0x61, 0xff, 0xfe]), { binary: false });
    await client.closed;
    await until(() => live.app.errors.length === 1);
    assert.equal((live.app.errors[0] as ConnectionClosed).code, 1007);
  });

  it("rejects a pending receive with the client's close code and reason", async () => {
    live.app.errors = [];
    const client = await connect(live.url("/record"));
    assert.equal(await client.nextText(), "ready");
    client.close(4000, "bye");
    await until(() => live.app.errors.length === 1);
    const [error] = live.app.errors as ConnectionClosed[];
    assert.ok(error instanceof ConnectionClosed);
    assert.equal(error.code, 4000);
    assert.equal(error.reason, "bye");
  });

  it("rejects a send after close with ConnectionClosed", async () => {
    live.app.errors = [];
    const client = await connect(live.url("/late"));
    assert.deepEqual(await client.closed, { code: 4005, reason: "done" });
    await until(() => live.app.errors.length === 1);
    assert.equal((live.app.errors[0] as ConnectionClosed).code, 4005);
  });

  it("closes with 1008 when unread messages overflow the queue", async () => {
    live.app.errors = [];
    const client = await connect(live.url("/lazy"));
    assert.equal(await client.nextText(), "ready");
    for (let i = 0; i < 20; i++) client.send(`m${i}`);
    assert.deepEqual(await client.closed, { code: 1008, reason: "Too many unread messages" });
    await until(() => live.app.errors.length === 1);
    assert.equal((live.app.errors[0] as ConnectionClosed).code, 1008);
  });

  it("never upgrades a client that left during an async upgrade, and keeps serving", async () => {
    live.app.errors = [];
    live.app.entered = 0;
    let open!: () => void;
    live.app.gate = new Promise((resolve) => (open = resolve));
    const port = live.server.port;
    const raw = net.connect(port, "127.0.0.1");
    await new Promise((resolve) => raw.once("connect", resolve));
    raw.write(`GET /gate HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    await until(() => live.app.entered === 1);
    raw.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    open();
    await until(() => live.app.errors.length === 1);
    const [error] = live.app.errors as ConnectionClosed[];
    assert.ok(error instanceof ConnectionClosed);
    assert.equal(error.code, 1006);
    const client = await connect(live.url("/echo"));
    client.send("still alive");
    assert.equal(await client.nextText(), "still alive");
    client.close();
    assert.deepEqual(live.logger.errors, []);
  });

  it("makes sends wait for drain under backpressure, and a paused reader still gets every message in order", async () => {
    live.app.sent = 0;
    const client = new WsClient(live.url("/flood"));
    await client.opened;
    const socket = (client.socket as unknown as { _socket: net.Socket })._socket;
    socket.pause();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const sentWhilePaused = live.app.sent;
    assert.ok(sentWhilePaused < SLOW_COUNT, `the handler should be waiting for drain, sent ${sentWhilePaused}`);
    socket.resume();
    await until(() => client.messages.length === SLOW_COUNT, 20_000);
    client.messages.forEach((message, i) => {
      assert.equal(typeof message, "string");
      assert.equal((message as string).slice(0, 6), String(i).padStart(6, "0"));
      assert.equal((message as string).length, SLOW_COUNT > 0 ? SLOW_SIZE - 1 : 0);
    });
    assert.equal(live.app.sent, SLOW_COUNT);
    client.close();
  });

  it("serves 1000 concurrent connections", async () => {
    const started = Date.now();
    const clients = Array.from({ length: 1000 }, () => new WsClient(live.url("/echo")));
    await Promise.all(clients.map((c) => c.opened));
    clients.forEach((c, i) => c.send(`n${i}`));
    const echoes = await Promise.all(clients.map((c) => c.nextText()));
    echoes.forEach((echo, i) => assert.equal(echo, `n${i}`));
    for (const c of clients) c.close();
    await Promise.all(clients.map((c) => c.closed));
    assert.ok(Date.now() - started < 20_000, `took ${Date.now() - started} ms`);
  });
});

describe("server.close() with WebSockets", () => {
  it("closes every open socket with 1001, refuses pending handshakes, and waits for handlers", async () => {
    const live = await start();
    const counter = new Counter();
    live.app.webSocketMiddlewares.push(counter);
    const clients = await Promise.all([1, 2, 3].map(() => connect(live.url("/echo"))));
    let open!: () => void;
    live.app.gate = new Promise((resolve) => (open = resolve));
    live.app.entered = 0;
    const pending = new WsClient(live.url("/gate"));
    await until(() => live.app.entered === 1);
    const closing = live.server.close();
    for (const client of clients) assert.deepEqual(await client.closed, { code: 1001, reason: "Server shutting down" });
    open();
    await assert.rejects(pending.opened, { status: 503 });
    await closing;
    assert.equal(counter.after, 4);
    const [error] = live.app.errors as ConnectionClosed[];
    assert.equal(error!.code, 1001);
  });
});

describe("uWS options at their limits", () => {
  it("starts and echoes with the widest and narrowest values uWS accepts", async () => {
    const settings = [
      { idleTimeout: 960, maxLifetime: 240, maxPayloadLength: 2 ** 31 - 1, maxBackpressure: 2 ** 31 - 1, maxSubscriberBackpressure: 2 ** 31 - 1, maxQueuedBytes: 2 ** 31 - 1, sendPingsAutomatically: false },
      { idleTimeout: 8, maxLifetime: 1, maxPayloadLength: 1, maxBackpressure: 1, maxSubscriberBackpressure: 1, maxQueuedBytes: 1, maxQueuedMessages: 1 },
      { idleTimeout: 0, maxLifetime: 0 },
    ];
    for (const websocket of settings) {
      const app = new Live({ logger: recordingLogger(), websocket });
      const server = await app.listen({ port: 0, host: "127.0.0.1" });
      try {
        const client = await connect(`ws://127.0.0.1:${server.port}/echo`);
        client.send("x");
        assert.equal(await client.nextText(), "x");
        client.close();
      } finally {
        await server.close();
      }
    }
  });
});
