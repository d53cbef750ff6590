import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { App, type Server, type UploadedFile } from "../../lib/index.js";
import { connect, eventually, privateTempDir, recordingLogger } from "./helpers.js";

const tempFiles = privateTempDir();

class Uploads extends App {
  handled = 0;
  async echo() {
    this.handled++;
    return this.request.json() ?? null;
  }
  async upload(file: UploadedFile) {
    this.handled++;
    return file.size;
  }
  async slow() {
    await sleep(100);
    return "late";
  }
  async ping() { return "pong"; }
}

describe("clients that disconnect mid-request", () => {
  const logger = recordingLogger();
  const app = new Uploads({ logger });
  let server: Server;
  let base: string;

  before(async () => {
    server = await app.listen({ port: 0, host: "127.0.0.1" });
    base = `http://127.0.0.1:${server.port}`;
  });
  after(() => server.close());

  it("survives a client leaving after half a JSON body", async () => {
    const socket = await connect(server.port);
    socket.write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n");
    socket.write(`{"a": "${"x".repeat(400)}`);
    await sleep(50);
    socket.destroy();
    await sleep(50);
    assert.equal(await (await fetch(`${base}/ping`)).text(), "pong");
    assert.equal(app.handled, 0);
  });

  it("survives a client leaving mid-upload and removes the temp file", async () => {
    const boundary = "b0undary";
    const socket = await connect(server.port);
    socket.on("error", () => {});
    socket.write(
      `POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${2 * 1024 * 1024}\r\n\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    );
    socket.write(Buffer.alloc(512 * 1024, "u"));
    assert.ok(await eventually(() => tempFiles().length === 1), "the upload was not spooled to a temp file");
    socket.destroy();
    assert.ok(await eventually(() => tempFiles().length === 0), `temp files left behind: ${tempFiles()}`);
    assert.equal(await (await fetch(`${base}/ping`)).text(), "pong");
    assert.equal(app.handled, 0);
  });

  it("does not write after a client left during a slow handler", async () => {
    const socket = await connect(server.port);
    socket.write("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
    await sleep(20);
    socket.destroy();
    await sleep(150);
    assert.equal(await (await fetch(`${base}/ping`)).text(), "pong");
  });

  it("logs nothing for clients that left", () => {
    assert.deepEqual(logger.errors, []);
  });

  it("still closes promptly: no request is left counted as in flight", async () => {
    const started = Date.now();
    await server.close();
    assert.ok(Date.now() - started < 2000, `close() took ${Date.now() - started} ms`);
  });
});
