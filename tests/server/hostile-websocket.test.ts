/**
 * What hostile or unusual WebSocket clients get over a real socket, on
 * whichever uWS build serves. Where the build decides (frame parsing is
 * native), the test pins what docs/websockets.md says a client sees.
 */
import assert from "node:assert/strict";
import net from "node:net";
import { after, afterEach, before, describe, it } from "node:test";
import WsSocket from "ws";
import { App, ConnectionClosed, type Server, type WebSocket } from "../../lib/index.js";
import { connect, refusedStatus, until } from "./ws-client.js";

const KEY = "dGhlIHNhbXBsZSBub25jZQ==";

class Live extends App {
  closes: Array<{ code: number; reason: string }> = [];
  /** Handlers still running: each test waits for its own to finish. */
  live = 0;

  async ws_echo(ws: WebSocket) {
    await ws.accept();
    this.live++;
    try {
      for (;;) {
        const message = await ws.receive();
        await (typeof message === "string" ? ws.sendText(message) : ws.sendBytes(message));
      }
    } catch (error) {
      if (!(error instanceof ConnectionClosed)) throw error;
      this.closes.push({ code: error.code, reason: error.reason });
    } finally {
      this.live--;
    }
  }

  async ws_text(ws: WebSocket) {
    await ws.accept();
    await ws.sendText(await ws.receiveText());
  }
}

/** A handshake written by hand, so each header can be wrong on purpose. */
function handshake(headers: Record<string, string | undefined>): string {
  const all: Record<string, string | undefined> = {
    Host: "x", Upgrade: "websocket", Connection: "Upgrade", "Sec-WebSocket-Key": KEY, "Sec-WebSocket-Version": "13", ...headers,
  };
  let text = "GET /echo HTTP/1.1\r\n";
  for (const [name, value] of Object.entries(all)) if (value !== undefined) text += `${name}: ${value}\r\n`;
  return `${text}\r\n`;
}

/** Writes `request` and returns the head of the answer. */
function answer(port: number, request: string): Promise<{ status: number; head: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let data = "";
    const timer = setTimeout(() => done(new Error(`no answer: ${JSON.stringify(data)}`)), 5000);
    function done(error?: Error) {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve({ status: Number(data.split(" ")[1]), head: data.slice(0, data.indexOf("\r\n\r\n")) });
    }
    socket.on("data", (chunk) => {
      data += chunk.toString("latin1");
      if (data.includes("\r\n\r\n")) done();
    });
    socket.on("error", () => {});
    socket.write(request);
  });
}

/** A masked ping frame (mask key 0, so the payload goes as it is). */
function pingFrame(size = 125): Buffer {
  return Buffer.concat([Buffer.from([0x89, 0x80 | size, 0, 0, 0, 0]), Buffer.alloc(size, 0x61)]);
}

async function closedWith(url: string, send: (ws: WsSocket) => void): Promise<{ code: number; reason: string }> {
  const ws = new WsSocket(url);
  ws.on("error", () => {});
  await new Promise((resolve) => ws.once("open", resolve));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })));
  send(ws);
  return closed;
}

describe("hostile WebSocket clients", () => {
  let app: Live;
  let server: Server;
  let url: (path: string) => string;
  before(async () => {
    app = new Live({ websocket: { maxPayloadLength: 1024, maxBackpressure: 16 * 1024 } });
    server = await app.listen({ port: 0, host: "127.0.0.1" });
    url = (path) => `ws://127.0.0.1:${server.port}${path}`;
  });
  after(() => server.close());
  afterEach(async () => {
    await until(() => app.live === 0, 10_000);
    app.closes.length = 0;
  });

  describe("byte-exact text", () => {
    it("keeps a leading U+FEFF in text messages, both ways", async () => {
      const client = await connect(url("/echo"));
      client.socket.send("\uFEFFhi");
      assert.equal(await client.next(), "\uFEFFhi");
      client.socket.close();
    });

    it("keeps a leading U+FEFF when a binary message is read as text", async () => {
      const client = await connect(url("/text"));
      client.socket.send(Buffer.from("\uFEFFbom"), { binary: true });
      assert.equal(await client.next(), "\uFEFFbom");
    });

    it("keeps a leading U+FEFF in the close reason the handler sees", async () => {
      app.closes.length = 0;
      const client = await connect(url("/echo"));
      client.socket.close(4001, "\uFEFFbye");
      await until(() => app.closes.length === 1);
      assert.deepEqual(app.closes[0], { code: 4001, reason: "\uFEFFbye" });
    });
  });

  describe("the opening handshake (RFC 6455 §4.2.1)", () => {
    it("upgrades a well-formed handshake", async () => {
      assert.equal((await answer(server.port, handshake({}))).status, 101);
    });

    it("answers a version other than 13 with 426 and Sec-WebSocket-Version: 13", async () => {
      for (const version of ["8", "12", undefined]) {
        const { status, head } = await answer(server.port, handshake({ "Sec-WebSocket-Version": version }));
        assert.equal(status, 426, `version ${version}`);
        assert.match(head, /sec-websocket-version: 13/i);
      }
    });

    it("answers a missing Upgrade or Connection header, or a key that is not 16 bytes of base64, with 400", async () => {
      for (const wrong of [{ Upgrade: undefined }, { Upgrade: "h2c" }, { Connection: "keep-alive" }, { "Sec-WebSocket-Key": "!GhlIHNhbXBsZSBub25jZQ==" }]) {
        assert.equal((await answer(server.port, handshake(wrong))).status, 400, JSON.stringify(wrong));
      }
    });

    it("never upgrades a key of another length: uWS serves it as plain HTTP (no such HTTP route here: 404)", async () => {
      for (const key of ["short", "dGhlIHNhbXBsZSBub25jZQ", "dGhlIHNhbXBsZSBub25jZQ==x"]) assert.equal((await answer(server.port, handshake({ "Sec-WebSocket-Key": key }))).status, 404, key);
    });

    it("still refuses unknown routes with 404 after the checks", async () => {
      assert.equal((await refusedStatus(url("/nowhere"))).status, 404);
    });
  });

  describe("ping flood", () => {
    it("cuts off a client that pings and never reads (1008), and memory stays bounded", async () => {
      app.closes.length = 0;
      const socket = net.connect(server.port, "127.0.0.1");
      socket.on("error", () => {});
      await new Promise((resolve) => socket.once("connect", resolve));
      const upgraded = new Promise((resolve) => socket.once("data", resolve));
      socket.write(handshake({}));
      await upgraded;
      socket.pause(); // never reads again: every pong piles up on the server
      const rssBefore = process.memoryUsage().rss;
      const batch = Buffer.concat(Array.from({ length: 2000 }, () => pingFrame()));
      const deadline = Date.now() + 20_000;
      let sent = 0;
      while (app.closes.length === 0 && !socket.destroyed && Date.now() < deadline && sent < 2_000_000) {
        if (!socket.write(batch)) await new Promise((resolve) => setTimeout(resolve, 5));
        sent += 2000;
        await new Promise((resolve) => setImmediate(resolve));
      }
      await until(() => app.closes.length === 1, 10_000);
      socket.destroy();
      assert.deepEqual(app.closes[0], { code: 1008, reason: "Too many pings while not reading" });
      const grown = process.memoryUsage().rss - rssBefore;
      assert.ok(grown < 96 * 1024 * 1024, `RSS grew by ${(grown / 1048576).toFixed(1)} MiB after ${sent} pings`);
    });

    it("still answers the pings of a client that reads", async () => {
      const client = await connect(url("/echo"));
      for (let i = 0; i < 3000; i++) client.socket.ping("p");
      let pongs = 0;
      client.socket.on("pong", () => pongs++);
      await until(() => pongs === 3000, 10_000);
      client.socket.send("still here");
      assert.equal(await client.next(), "still here");
      client.socket.close();
    });
  });

  describe("what the build decides (docs/websockets.md: on the wire)", () => {
    it("closes a client's frame over maxPayloadLength without a close frame: the client sees 1006, the handler 1009", async () => {
      app.closes.length = 0;
      assert.deepEqual(await closedWith(url("/echo"), (ws) => ws.send("x".repeat(5000))), { code: 1006, reason: "" });
      await until(() => app.closes.length === 1);
      assert.equal(app.closes[0]!.code, 1009);
    });

    it("closes invalid UTF-8 in a text frame without a close frame: the client sees 1006, the handler 1007", async () => {
      app.closes.length = 0;
      assert.deepEqual(await closedWith(url("/echo"), (ws) => ws.send(Buffer.from([0xff, 0xfe]), { binary: false })), { code: 1006, reason: "" });
      await until(() => app.closes.length === 1);
      assert.equal(app.closes[0]!.code, 1007);
    });

    it("answers a client's 1012–1014 and 3000–3999 with an empty close frame (1005); the handler sees 1006", async () => {
      for (const code of [1012, 1013, 1014, 3000, 3999]) {
        app.closes.length = 0;
        assert.deepEqual(await closedWith(url("/echo"), (ws) => ws.close(code, "bye")), { code: 1005, reason: "" }, `code ${code}`);
        await until(() => app.closes.length === 1);
        assert.equal(app.closes[0]!.code, 1006, `code ${code}`);
      }
    });

    it("passes a client's 1000–1003, 1007–1011 and 4000–4999 through, both ways", async () => {
      for (const code of [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 4000, 4999]) {
        app.closes.length = 0;
        assert.deepEqual(await closedWith(url("/echo"), (ws) => ws.close(code, "bye")), { code, reason: "bye" });
        await until(() => app.closes.length === 1);
        assert.deepEqual(app.closes[0], { code, reason: "bye" });
      }
    });

    it("never hands an unmasked client frame to the handler", async () => {
      app.closes.length = 0;
      const socket = net.connect(server.port, "127.0.0.1");
      socket.on("error", () => {});
      let data = Buffer.alloc(0);
      socket.on("data", (chunk: Buffer) => (data = Buffer.concat([data, chunk])));
      socket.write(handshake({}));
      await until(() => data.includes("\r\n\r\n"));
      data = Buffer.alloc(0);
      socket.write(Buffer.from([0x81, 0x02, 0x68, 0x69])); // "hi", unmasked
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(data.toString("latin1").includes("hi"), false);
      socket.destroy();
    });
  });
});
