import assert from "node:assert/strict";
import http from "node:http";
import { ReadableStream } from "node:stream/web";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { App, type Server } from "../../../lib/index.js";
import { eventually, recordingLogger } from "../helpers.js";

const CHUNK = 64 * 1024;
const CHUNKS = 512; // 32 MiB: more than loopback socket buffers can hold

class Streams extends App {
  produced = 0;
  finallyRuns = 0;
  cancels = 0;

  async *big() {
    for (let i = 0; i < CHUNKS; i++) {
      this.produced++;
      yield Buffer.alloc(CHUNK, i % 256);
    }
  }

  async bigSized() {
    return [200, this.big(), { "content-length": String(CHUNK * CHUNKS) }];
  }

  async *forever() {
    try {
      for (;;) {
        yield "tick ".repeat(100);
        await sleep(2);
      }
    } finally {
      this.finallyRuns++;
    }
  }

  async *flood() {
    try {
      for (;;) yield Buffer.alloc(CHUNK);
    } finally {
      this.finallyRuns++;
    }
  }

  async web() {
    const app = this;
    let n = 0;
    return new ReadableStream<string>({
      async pull(controller) {
        await sleep(2);
        controller.enqueue(`chunk ${n++}\n`);
      },
      cancel() {
        app.cancels++;
      },
    });
  }

  async *failsAtOnce() {
    throw new Error("failed before the first chunk");
  }

  async *failsLater() {
    yield "partial ";
    await sleep(10);
    throw new Error("failed mid-stream");
  }

  async sized() {
    async function* parts() {
      for (let i = 0; i < 64; i++) yield Buffer.alloc(CHUNK, i);
      yield ""; // an empty chunk after the last byte is harmless
    }
    return [200, parts(), { "content-type": "application/octet-stream", "content-length": String(64 * CHUNK) }];
  }

  async shortSized() {
    async function* parts() {
      yield "only this";
    }
    return [200, parts(), { "content-length": "100" }];
  }

  async emptySized() {
    async function* parts() {}
    return [200, parts(), { "content-length": "3" }];
  }

  async sizedThenThrows() {
    async function* parts() {
      yield "exactly";
      throw new Error("failed after the last byte");
    }
    return [200, parts(), { "content-length": "7" }];
  }

  async small() { return "still alive"; }
}

/** GETs `path` and hands the response to `onResponse` (which owns it from then on). */
function get(port: number, path: string, onResponse: (res: http.IncomingMessage, req: http.ClientRequest) => void): http.ClientRequest {
  const req = http.get({ host: "127.0.0.1", port, path, agent: false }, (res) => onResponse(res, req));
  req.on("error", () => {});
  return req;
}

describe("streamed responses over a real socket", () => {
  const logger = recordingLogger();
  const app = new Streams({ logger });
  let server: Server;

  before(async () => {
    server = await app.listen({ port: 0, host: "127.0.0.1" });
  });
  after(async () => {
    const started = Date.now();
    await server.close();
    // Every response above, cut or whole, must have been counted as done.
    assert.ok(Date.now() - started < 2000, `close() took ${Date.now() - started} ms`);
  });

  for (const [path, framing] of [["/big", "chunked"], ["/bigSized", "with a Content-Length"]] as const) {
    it(`pauses the generator while a slow client reads, and delivers every byte (${framing})`, async () => {
      app.produced = 0;
      const result = await new Promise<{ length: string | undefined; producedWhilePaused: number; bytes: number; misplaced: number }>((resolve, reject) => {
        get(server.port, path, (res) => {
          res.pause();
          const length = res.headers["content-length"];
          let bytes = 0;
          let misplaced = 0;
          setTimeout(() => {
            const producedWhilePaused = app.produced;
            res.on("data", (chunk: Buffer) => {
              // Each chunk of the generator is filled with its index: sample one byte per 4 KiB, by stream offset.
              for (let at = Math.ceil(bytes / 4096) * 4096; at < bytes + chunk.length; at += 4096) {
                if (chunk[at - bytes] !== Math.floor(at / CHUNK) % 256) misplaced++;
              }
              bytes += chunk.length;
            });
            res.on("end", () => resolve({ length, producedWhilePaused, bytes, misplaced }));
            res.on("error", reject);
            res.resume();
          }, 300);
        });
      });
      assert.ok(result.producedWhilePaused < CHUNKS, `the generator ran ahead of the client (${result.producedWhilePaused} chunks)`);
      assert.equal(result.length, path === "/big" ? undefined : String(CHUNK * CHUNKS));
      assert.equal(result.bytes, CHUNK * CHUNKS);
      assert.equal(result.misplaced, 0, "bytes arrived out of order");
    });
  }

  it("runs the generator's finally when the client goes away mid-stream", async () => {
    const before = app.finallyRuns;
    await new Promise<void>((resolve) => {
      get(server.port, "/forever", (res, req) => {
        res.once("data", () => {
          req.destroy();
          resolve();
        });
      });
    });
    assert.ok(await eventually(() => app.finallyRuns === before + 1), "finally did not run");
  });

  it("runs the generator's finally when a client blocked on backpressure goes away", async () => {
    const before = app.finallyRuns;
    await new Promise<void>((resolve) => {
      get(server.port, "/flood", (res, req) => {
        res.pause();
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 200);
      });
    });
    assert.ok(await eventually(() => app.finallyRuns === before + 1), "finally did not run");
  });

  it("cancels a ReadableStream when the client goes away", async () => {
    const before = app.cancels;
    await new Promise<void>((resolve) => {
      get(server.port, "/web", (res, req) => {
        res.once("data", () => {
          req.destroy();
          resolve();
        });
      });
    });
    assert.ok(await eventually(() => app.cancels === before + 1), "cancel was not called");
  });

  it("keeps serving afterwards, with nothing logged", async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/small`);
    assert.equal(await res.text(), "still alive");
    assert.deepEqual(logger.errors, []);
  });

  it("sends a stream with the app's Content-Length instead of chunked, whole", async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/sized`);
    assert.equal(res.headers.get("content-length"), String(64 * CHUNK));
    assert.equal(res.headers.get("transfer-encoding"), null);
    const body = new Uint8Array(await res.arrayBuffer());
    assert.equal(body.byteLength, 64 * CHUNK);
    assert.equal(body[63 * CHUNK], 63);
    assert.deepEqual(logger.errors, []);
    assert.equal(await (await fetch(`http://127.0.0.1:${server.port}/small`)).text(), "still alive");
  });

  it("cuts the connection when a stream delivers less than its Content-Length", async () => {
    const outcome = await fetch(`http://127.0.0.1:${server.port}/shortSized`).then((res) => res.text()).then(
      (text) => `complete: ${text}`,
      () => "cut",
    );
    assert.equal(outcome, "cut");
    assert.equal(await (await fetch(`http://127.0.0.1:${server.port}/small`)).text(), "still alive");
  });

  it("cuts the connection when a stream with a Content-Length ends before its first byte", async () => {
    const outcome = await fetch(`http://127.0.0.1:${server.port}/emptySized`).then((res) => res.text()).then(
      (text) => `complete: ${JSON.stringify(text)}`,
      () => "cut",
    );
    assert.equal(outcome, "cut");
    assert.equal(await (await fetch(`http://127.0.0.1:${server.port}/small`)).text(), "still alive");
  });

  it("survives a sized stream that throws after its last byte", async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/sizedThenThrows`);
    assert.equal(await res.text(), "exactly");
    assert.ok(await eventually(() => logger.errors.length === 1));
    assert.match(String(logger.errors[0]!.error), /after the last byte/);
    logger.errors.length = 0;
    assert.equal(await (await fetch(`http://127.0.0.1:${server.port}/small`)).text(), "still alive");
  });

  it("answers a generator that fails before its first chunk with a generic 500", async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/failsAtOnce`);
    assert.equal(res.status, 500);
    assert.equal(await res.text(), "Internal Server Error");
    assert.equal(logger.errors.length, 1);
    logger.errors.length = 0;
  });

  it("cuts the connection when a generator fails mid-stream, and logs it once", async () => {
    const outcome = await new Promise<string>((resolve) => {
      get(server.port, "/failsLater", (res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => (text += chunk));
        res.on("end", () => resolve(`complete: ${text}`));
        res.on("error", () => resolve(`cut after: ${text}`));
        res.on("aborted", () => resolve(`cut after: ${text}`));
      }).on("error", () => resolve("cut"));
    });
    assert.match(outcome, /^cut/, "a failed stream must not look complete");
    assert.ok(await eventually(() => logger.errors.length === 1));
    await sleep(20);
    assert.equal(logger.errors.length, 1);
    assert.match(String(logger.errors[0]!.error), /failed mid-stream/);
    assert.equal(await (await fetch(`http://127.0.0.1:${server.port}/small`)).text(), "still alive");
  });
});
