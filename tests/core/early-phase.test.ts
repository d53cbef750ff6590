import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { App, Csrf, HttpMiddleware, RateLimit, TestClient, csrfToken, type Request, type Server, type UploadedFile } from "../../lib/index.js";
import { appCore } from "../../lib/core/app.js";
import { connect, readResponse } from "../server/helpers.js";
import { eventually, privateTempDir, recordingLogger } from "./helpers.js";

const spooled = privateTempDir();
const BOUNDARY = "early-phase";
const KiB = 1024;

class Uploads extends App {
  handled = 0;
  async upload(file: UploadedFile) {
    this.handled++;
    return String(file.size);
  }
  async token() { return csrfToken(this.request); }
}

/** The head of a multipart upload of one file of `size` bytes, and its body in two halves. */
function upload(size: number, headers = ""): { head: string; first: Buffer; rest: Buffer } {
  const body = Buffer.concat([
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n\r\n`),
    Buffer.alloc(size, 97),
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);
  const head = `POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: ${body.length}\r\n${headers}\r\n`;
  const half = Math.floor(body.length / 2);
  return { head, first: body.subarray(0, half), rest: body.subarray(half) };
}

function oneFile(size: number) {
  return { files: { file: { filename: "a.bin", content: Buffer.alloc(size, 97) } } };
}

describe("the early phase (beforeBody)", () => {
  it("runs before the body is read and the session is loaded, and can answer right away", async () => {
    const seen: unknown[] = [];
    class Gate extends HttpMiddleware {
      override beforeBody(request: Request) {
        seen.push({ form: { ...request.bodyParams }, files: Object.keys(request.files).length, session: { ...request.session } });
        if (request.headers["x-block"] === "1") return [403, "blocked early"];
        return undefined;
      }
      override beforeRequest(request: Request) {
        seen.push({ user: request.session.user ?? null, files: Object.keys(request.files).length });
      }
    }
    const app = new Uploads({ logger: recordingLogger() });
    app.middlewares.push(new Gate());
    const client = new TestClient(app);
    const res = await client.post("/upload", { ...oneFile(100 * KiB), headers: { "x-block": "1" } });
    assert.equal(res.status, 403);
    assert.equal(res.text, "blocked early");
    assert.equal(app.handled, 0);
    assert.deepEqual(spooled(), []);
    assert.equal((await client.post("/upload", oneFile(10))).text, "10");
    assert.deepEqual(seen, [
      { form: {}, files: 0, session: {} },
      { form: {}, files: 0, session: {} },
      { user: null, files: 1 },
    ]);
  });

  it("RateLimit refuses with 429 before a byte of the upload is spooled", async () => {
    const app = new Uploads({ logger: recordingLogger() });
    app.middlewares.push(new RateLimit({ capacity: 1, refillPerSecond: 0.001 }));
    const client = new TestClient(app);
    assert.equal((await client.post("/upload", oneFile(10))).status, 200);
    const res = await client.post("/upload", oneFile(200 * KiB));
    assert.equal(res.status, 429);
    assert.equal(app.handled, 1);
    assert.deepEqual(spooled(), []);
  });

  it("Csrf refuses a forged upload carrying no secret before reading it, and still takes a token from a form field", async () => {
    const app = new Uploads({ logger: recordingLogger() });
    app.middlewares.push(new Csrf());
    const stranger = new TestClient(app);
    assert.equal((await stranger.post("/upload", oneFile(200 * KiB))).status, 403);
    assert.equal(app.handled, 0);
    const visitor = new TestClient(app);
    const token = (await visitor.get("/token")).text;
    const res = await visitor.post("/upload", { ...oneFile(10), form: { csrf_token: token } });
    assert.equal(res.status, 200);
    assert.equal((await visitor.post("/upload", { ...oneFile(10), form: { csrf_token: "x".repeat(86) } })).status, 403);
    assert.equal((await visitor.post("/upload", { ...oneFile(10), headers: { "x-csrf-token": token } })).status, 200);
    assert.equal(app.handled, 2);
  });

  describe("over a real socket", () => {
    let server: Server;
    let app: Uploads;
    before(async () => {
      app = new Uploads({ logger: recordingLogger() });
      app.middlewares.push(new Csrf(), new RateLimit({ capacity: 1, refillPerSecond: 0.001, key: (r) => r.headers["x-client"] }));
      server = await app.listen({ port: 0, host: "127.0.0.1" });
    });
    after(() => server.close());

    it("answers a limited or forged upload as soon as its head arrives, without waiting for the body", async () => {
      // No body is ever sent: an answer proves nothing waited for it.
      const forged = upload(1024 * KiB, "X-Client: a\r\n");
      let socket = await connect(server.port);
      socket.write(forged.head);
      assert.equal((await readResponse(socket)).status, 403);
      socket.destroy();

      const res = await fetch(`http://127.0.0.1:${server.port}/token`, { headers: { "x-client": "b" } });
      const token = await res.text();
      const cookie = res.headers.get("set-cookie")!.split(";")[0]!;
      const limited = upload(1024 * KiB, `X-Client: b\r\nCookie: ${cookie}\r\nX-CSRF-Token: ${token}\r\n`);
      socket = await connect(server.port);
      socket.write(limited.head);
      assert.equal((await readResponse(socket)).status, 429);
      socket.destroy();
      assert.equal(app.handled, 0);
    });
  });
});

describe("limits.uploads and limits.spoolBytes", () => {
  it("refuses an upload past spoolBytes with 503 and gives every byte back when requests end", async () => {
    const app = new Uploads({ logger: recordingLogger(), limits: { spoolBytes: 150 * KiB } });
    const client = new TestClient(app);
    assert.equal((await client.post("/upload", oneFile(100 * KiB))).text, String(100 * KiB));
    const res = await client.post("/upload", oneFile(200 * KiB));
    assert.equal(res.status, 503);
    assert.equal(res.text, "Upload storage is full, try again later");
    assert.equal(res.headers["retry-after"], "5");
    assert.equal(appCore(app).uploads.bytes, 0);
    assert.equal(appCore(app).uploads.uploads, 0);
    assert.deepEqual(spooled(), []);
    assert.equal((await client.post("/upload", oneFile(100 * KiB))).status, 200);
  });

  describe("over a real socket", () => {
    let server: Server;
    let app: Uploads;
    before(async () => {
      app = new Uploads({ logger: recordingLogger(), limits: { uploads: 1, spoolBytes: 300 * KiB } });
      server = await app.listen({ port: 0, host: "127.0.0.1" });
    });
    after(() => server.close());

    it("refuses a second upload in flight with 503 while a slow one holds the only slot", async () => {
      const slow = upload(200 * KiB);
      const first = await connect(server.port);
      first.write(slow.head);
      first.write(slow.first);
      assert.ok(await eventually(() => appCore(app).uploads.uploads === 1, 5000), "the slow upload holds the slot");

      const second = upload(10);
      const other = await connect(server.port);
      other.write(second.head);
      other.write(Buffer.concat([second.first, second.rest]));
      const busy = await readResponse(other);
      assert.equal(busy.status, 503);
      assert.equal(busy.body.toString(), "Too many uploads in progress, try again later");
      other.destroy();

      const done = readResponse(first);
      first.write(slow.rest);
      assert.equal((await done).status, 200);
      first.destroy();
      assert.ok(await eventually(() => appCore(app).uploads.uploads === 0 && appCore(app).uploads.bytes === 0, 5000));
      assert.deepEqual(spooled(), []);
    });
  });
});
