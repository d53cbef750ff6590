import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { App, type Server, type UploadedFile } from "../../lib/index.js";
import { closedBy, connect, eventually, privateTempDir, rawRequest, readResponse, recordingLogger } from "./helpers.js";

const tempFiles = privateTempDir();

class Limited extends App {
  handled = 0;
  async echo() {
    this.handled++;
    return { size: JSON.stringify(this.request.json() ?? null).length };
  }
  async upload(file: UploadedFile) {
    this.handled++;
    return file.size;
  }
  async ping() { return "pong"; }
}

describe("request limits over a real socket", () => {
  const logger = recordingLogger();
  const app = new Limited({ logger, limits: { bodySize: 1024, fileSize: 100 * 1024, headerCount: 20 } });
  let server: Server;
  let base: string;

  before(async () => {
    server = await app.listen({ port: 0, host: "127.0.0.1" });
    base = `http://127.0.0.1:${server.port}`;
  });
  after(() => server.close());

  it("answers 413 to a 50 MB Content-Length before any of the body is sent, then closes", async () => {
    const socket = await connect(server.port);
    const response = readResponse(socket);
    socket.write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 52428800\r\n\r\n");
    const res = await response;
    assert.equal(res.status, 413);
    await closedBy(socket);
    assert.equal(app.handled, 0);
  });

  it("stops reading a chunked body past the limit: 413, and the connection closes", async () => {
    const socket = await connect(server.port);
    socket.on("error", () => {});
    const response = readResponse(socket);
    socket.write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
    const chunk = "x".repeat(4096);
    let sent = 0;
    let stop = false;
    const closed = closedBy(socket);
    void closed.then(() => (stop = true), () => {});
    // Keep sending until the server hangs up: it must not read (or buffer) the rest.
    (async () => {
      while (!stop && sent < 64 * 1024 * 1024) {
        const ok = socket.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
        sent += chunk.length;
        if (!ok) await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })().catch(() => {});
    const res = await response;
    assert.equal(res.status, 413);
    await closed;
    assert.ok(sent < 64 * 1024 * 1024, "the server kept reading");
    assert.equal(app.handled, 0);
  });

  it("survives a large body sent to an unknown route", async () => {
    const socket = await connect(server.port);
    socket.on("error", () => {});
    const response = readResponse(socket);
    const size = 4 * 1024 * 1024;
    socket.write(`POST /nowhere HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\nContent-Length: ${size}\r\n\r\n`);
    socket.write(Buffer.alloc(size, "z"));
    const res = await response;
    assert.equal(res.status, 404);
    await closedBy(socket).catch(() => socket.destroy());
    await sleep(50);
    assert.equal(await (await fetch(`${base}/ping`)).text(), "pong");
  });

  it("answers 413 to a file over fileSize and removes its temp file", async () => {
    const boundary = "lim1t";
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n\r\n`),
      Buffer.alloc(300 * 1024, "f"),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const res = await fetch(`${base}/upload`, {
      method: "POST",
      headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
      body,
    }).catch((error: unknown) => error);
    // The server may close before the client finished sending; either way, nothing is left behind.
    if (res instanceof Response) assert.equal(res.status, 413);
    assert.ok(await eventually(() => tempFiles().length === 0), `temp files left behind: ${tempFiles()}`);
    assert.equal(app.handled, 0);
  });

  it("answers 400 to multipart without a boundary", async () => {
    const res = await rawRequest(
      server.port,
      "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data\r\nContent-Length: 4\r\nConnection: close\r\n\r\n--x\n",
    );
    assert.equal(res.status, 400);
  });

  it("answers 431 to too many headers", async () => {
    const headers = Array.from({ length: 30 }, (_, i) => `X-H${i}: ${i}\r\n`).join("");
    const res = await rawRequest(server.port, `GET /ping HTTP/1.1\r\nHost: x\r\n${headers}Connection: close\r\n\r\n`);
    assert.equal(res.status, 431);
  });

  it("answers 400 to malformed JSON and JSON nested too deeply", async () => {
    const malformed = await fetch(`${base}/echo`, { method: "POST", headers: { "content-type": "application/json" }, body: "{nope" });
    assert.equal(malformed.status, 400);
    const deep = await fetch(`${base}/echo`, { method: "POST", headers: { "content-type": "application/json" }, body: "[".repeat(200) + "]".repeat(200) });
    assert.equal(deep.status, 400);
    await Promise.all([malformed.arrayBuffer(), deep.arrayBuffer()]);
  });

  it("logs nothing for bad input", () => {
    assert.deepEqual(logger.errors, []);
  });
});
