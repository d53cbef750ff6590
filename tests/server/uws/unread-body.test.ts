/**
 * A request body the app has not started to read (a `beforeBody` middleware is
 * still deciding) waits in the kernel, not in upie: the server holds at most a
 * small window of unread bytes per request, then pauses the socket. Counted as
 * the array buffers alive in this process (the server runs here), after a GC.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { App, type Server, type UploadedFile } from "../../../lib/index.js";
import { connect, eventually, readResponse } from "../helpers.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const UPLOADS = 8;
const FILE_BYTES = 8 * 1024 * 1024;
/** One socket read in uWS (its receive buffer, 512 KiB) above upie's window, per request, with room to spare. */
const HELD_PER_UPLOAD = 768 * 1024;
const BOUNDARY = "unreadbodyboundary";

class Uploads extends App {
  async upload(file: UploadedFile) {
    return String(file.size);
  }
}

/** Holds every request before its body is read until `open()`. */
class Gate {
  #open!: () => void;
  readonly opened = new Promise<void>((resolve) => (this.#open = resolve));
  waiting = 0;
  async beforeBody(): Promise<undefined> {
    this.waiting++;
    await this.opened;
    return undefined;
  }
  open(): void {
    this.#open();
  }
}

/** A whole multipart request with one file of `FILE_BYTES`, made before anything is measured. */
function uploadRequest(): Buffer {
  const preamble = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  const body = Buffer.concat([Buffer.from(preamble), Buffer.alloc(FILE_BYTES, 0x61), Buffer.from(`\r\n--${BOUNDARY}--\r\n`)]);
  const head = `POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: ${body.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head), body]);
}

/** Array buffers alive once the server stopped taking bytes: sampled until two readings 300 ms apart agree (at most 10 s). */
async function settledArrayBuffers(): Promise<number> {
  let last = -1;
  for (let reading = 0; reading < 33; reading++) {
    await sleep(300);
    gc();
    const now = process.memoryUsage().arrayBuffers;
    if (Math.abs(now - last) < 64 * 1024) return now;
    last = now;
  }
  return last; // still moving after 10 s: the assertion judges the latest reading
}

describe("a request body nobody reads yet", () => {
  let server: Server;
  const gate = new Gate();

  before(async () => {
    const app = new Uploads();
    app.middlewares.push(gate);
    server = await app.listen({ port: 0, host: "127.0.0.1" });
  });

  after(async () => {
    gate.open();
    await server.close();
  });

  it(`waits in the kernel: ${UPLOADS} uploads of ${FILE_BYTES / 1048576} MiB held back hold under ${HELD_PER_UPLOAD / 1024} KiB each in the server, then arrive whole`, { timeout: 60_000 }, async () => {
    const requests = Array.from({ length: UPLOADS }, uploadRequest);
    gc();
    const baseline = process.memoryUsage().arrayBuffers;
    const sockets = await Promise.all(requests.map(() => connect(server.port)));
    sockets.forEach((socket, i) => socket.write(requests[i]!));
    assert.ok(await eventually(() => gate.waiting === UPLOADS, 10_000), `${gate.waiting} of ${UPLOADS} requests reached beforeBody`);
    const held = (await settledArrayBuffers()) - baseline;
    assert.ok(held < UPLOADS * HELD_PER_UPLOAD, `the server holds ${(held / 1048576).toFixed(1)} MiB of unread bodies`);

    gate.open();
    const answers = await Promise.all(sockets.map((socket) => readResponse(socket, { timeoutMs: 30_000 })));
    for (const socket of sockets) socket.destroy();
    assert.deepEqual(answers.map((answer) => [answer.status, answer.body.toString()]), requests.map(() => [200, String(FILE_BYTES)]));
  });
});
