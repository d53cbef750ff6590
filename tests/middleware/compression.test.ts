import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { brotliDecompressSync, gunzipSync } from "node:zlib";

import { App, Compression, InvalidOptionError, StaticFiles, TestClient, sse, type CompressionOptions, type ResponseInit } from "../../lib/index.js";
import { Request } from "../../lib/core/request.js";
import { pickEncoding } from "../../lib/middleware/compression.js";

const PAGE = `<html>${"<p>upie compresses text</p>".repeat(200)}</html>`;
const dir = mkdtempSync(join(tmpdir(), "upie-compression-"));
const CSS = "body { color: red; }\n".repeat(500);
after(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, "site.css"), CSS);
writeFileSync(join(dir, "tiny.css"), "a{}");

class Site extends App {
  async page() { return PAGE; }
  async small() { return "short"; }
  async data() { return { items: Array.from({ length: 200 }, (_, i) => ({ id: i, name: `item ${i}` })) }; }
  async bytes() { return [200, new TextEncoder().encode(PAGE), { "content-type": "text/plain" }]; }
  async image() { return [200, new Uint8Array(5000), { "content-type": "image/png" }]; }
  async encoded() { return [200, PAGE, { "content-encoding": "identity-ish" }]; }
  async notransform() { return [200, PAGE, { "cache-control": "no-transform" }]; }
  async tagged() { return [200, PAGE, { etag: '"v1"' }]; }
  async created() { return [201, PAGE]; }
  async partial() { return [206, PAGE, { "content-range": `bytes 0-${PAGE.length - 1}/${PAGE.length * 2}` }]; }
  async *stream() { yield PAGE; yield PAGE; }
  async events() { return sse(async function* () { yield PAGE; }, { heartbeatMs: 0 }); }
}

function site(options?: CompressionOptions): TestClient {
  const app = new Site();
  app.middlewares.push(new StaticFiles({ root: dir }), new Compression(options));
  return new TestClient(app);
}

const gzip = { headers: { "accept-encoding": "gzip" } };
const brOrGzip = { headers: { "accept-encoding": "gzip, deflate, br" } };

describe("Compression", () => {
  it("gzips a large HTML body when the client accepts gzip", async () => {
    const res = await site().get("/page", gzip);
    assert.equal(res.headers["content-encoding"], "gzip");
    assert.equal(res.headers.vary, "Accept-Encoding");
    assert.equal(res.headers["content-type"], "text/html; charset=utf-8");
    assert.ok(res.body.byteLength < PAGE.length / 10);
    assert.equal(gunzipSync(res.body).toString(), PAGE);
  });

  it("prefers brotli when both are accepted", async () => {
    const res = await site().get("/page", brOrGzip);
    assert.equal(res.headers["content-encoding"], "br");
    assert.equal(brotliDecompressSync(res.body).toString(), PAGE);
  });

  it("follows q-values and the offered encodings", async () => {
    assert.equal((await site().get("/page", { headers: { "accept-encoding": "br;q=0.1, gzip;q=0.9" } })).headers["content-encoding"], "gzip");
    assert.equal((await site({ encodings: ["gzip"] }).get("/page", brOrGzip)).headers["content-encoding"], "gzip");
    assert.equal((await site().get("/page", { headers: { "accept-encoding": "*" } })).headers["content-encoding"], "br");
  });

  it("sends identity, with Vary, when nothing offered is acceptable", async () => {
    for (const acceptEncoding of [undefined, "", "deflate", "identity", "gzip;q=0, br;q=0", "*;q=0", "gzip;q=abc"]) {
      const res = await site().get("/page", acceptEncoding === undefined ? {} : { headers: { "accept-encoding": acceptEncoding } });
      assert.equal(res.headers["content-encoding"], undefined, String(acceptEncoding));
      assert.equal(res.headers.vary, "Accept-Encoding");
      assert.equal(res.text, PAGE);
    }
  });

  it("compresses JSON and byte bodies of text types", async () => {
    const json = await site().get("/data", gzip);
    assert.equal(json.headers["content-encoding"], "gzip");
    assert.equal(JSON.parse(gunzipSync(json.body).toString()).items.length, 200);
    const bytes = await site().get("/bytes", gzip);
    assert.equal(gunzipSync(bytes.body).toString(), PAGE);
    assert.equal((await site().get("/created", gzip)).headers["content-encoding"], "gzip");
  });

  it("leaves small bodies, other types, partial and already-encoded responses alone", async () => {
    const client = site();
    for (const path of ["/small", "/image", "/encoded", "/notransform", "/partial"]) {
      const res = await client.get(path, brOrGzip);
      assert.notEqual(res.headers["content-encoding"], "br", path);
      assert.notEqual(res.headers["content-encoding"], "gzip", path);
    }
    assert.equal((await site({ threshold: 5 }).get("/small", gzip)).headers["content-encoding"], "gzip");
  });

  it("never compresses event streams or streams of unknown length", async () => {
    const events = await site().get("/events", gzip);
    assert.equal(events.headers["content-encoding"], undefined);
    assert.match(events.text, /^:ok/);
    const stream = await site().get("/stream", gzip);
    assert.equal(stream.headers["content-encoding"], undefined);
    assert.equal(stream.text, PAGE + PAGE);
  });

  it("weakens a strong ETag on a compressed response", async () => {
    assert.equal((await site().get("/tagged", gzip)).headers.etag, 'W/"v1"');
    assert.equal((await site().get("/tagged")).headers.etag, '"v1"');
  });

  it("compresses a static file streamed from disk and drops its Content-Length", async () => {
    const res = await site().get("/static/site.css", gzip);
    assert.equal(res.status, 200);
    assert.equal(res.headers["content-encoding"], "gzip");
    assert.equal(res.headers["content-length"], undefined);
    assert.equal(gunzipSync(res.body).toString(), CSS);
    assert.equal((await site().get("/static/site.css", { headers: { "accept-encoding": "gzip", range: "bytes=0-9" } })).headers["content-encoding"], undefined);
    assert.equal((await site().get("/static/tiny.css", gzip)).headers["content-encoding"], undefined);
  });

  it("ends the source when the compressed stream is abandoned", async () => {
    let finished = false;
    async function* source() {
      try {
        for (;;) yield PAGE;
      } finally {
        finished = true;
      }
    }
    const response: ResponseInit = { status: 200, body: source(), headers: { "content-type": "text/plain", "content-length": "999999" } };
    const request = new Request({ type: "http", method: "GET", path: "/", rawQuery: "", headers: { "accept-encoding": "gzip" }, client: "" });
    await new Compression().afterRequest(request, response);
    const iterator = (response.body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    assert.equal((await iterator.next()).done, false);
    await iterator.return!();
    for (let i = 0; i < 50 && !finished; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(finished, true);
  });

  it("rejects bad options at construction", () => {
    assert.throws(() => new Compression({ threshold: -1 }), InvalidOptionError);
    assert.throws(() => new Compression({ encodings: [] }), InvalidOptionError);
    assert.throws(() => new Compression({ encodings: ["deflate" as "gzip"] }), InvalidOptionError);
  });
});

describe("pickEncoding", () => {
  it("ranks by q-value, then by the server's preference", () => {
    assert.equal(pickEncoding("gzip, br", ["br", "gzip"]), "br");
    assert.equal(pickEncoding("gzip, br", ["gzip", "br"]), "gzip");
    assert.equal(pickEncoding("GZIP;Q=0.5, br;q=0.4", ["br", "gzip"]), "gzip");
    assert.equal(pickEncoding("*;q=0.5, br;q=0", ["br", "gzip"]), "gzip");
    assert.equal(pickEncoding("br;q=2", ["br"]), null);
    assert.equal(pickEncoding(",;,=,", ["br", "gzip"]), null);
  });
});

describe("Compression over a socket", () => {
  let server: Awaited<ReturnType<App["listen"]>>;

  before(async () => {
    const app = new Site();
    app.middlewares.push(new StaticFiles({ root: dir }), new Compression());
    server = await app.listen({ port: 0, host: "127.0.0.1" });
  });

  after(() => server.close());

  it("sends gzip bytes on the wire that decode to the page", async () => {
    const { headers, body } = await rawGet(server.port, "/page", { "accept-encoding": "gzip" });
    assert.equal(headers["content-encoding"], "gzip");
    assert.equal(headers.vary, "Accept-Encoding");
    assert.equal(gunzipSync(body).toString(), PAGE);
  });

  it("streams a compressed static file", async () => {
    const { headers, body } = await rawGet(server.port, "/static/site.css", { "accept-encoding": "br" });
    assert.equal(headers["content-encoding"], "br");
    assert.equal(brotliDecompressSync(body).toString(), CSS);
  });

  it("lets fetch decode it transparently", async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/page`);
    assert.ok(["gzip", "br"].includes(res.headers.get("content-encoding") ?? ""));
    assert.equal(await res.text(), PAGE);
  });
});

/** A GET with node:http, which (unlike fetch) hands over the body undecoded. */
function rawGet(port: number, path: string, headers: Record<string, string>): Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http.get({ host: "127.0.0.1", port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    }).on("error", reject);
  });
}
