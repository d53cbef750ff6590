import assert from "node:assert/strict";
import http from "node:http";
import { after, before, describe, it } from "node:test";
import { createHash } from "node:crypto";
import { App, HttpError, redirect, route, type Server, type UploadedFile } from "../../lib/index.js";
import { closedBy, connect, parseHead, rawRequest, recordingLogger } from "./helpers.js";

class Site extends App {
  async index() { return "Welcome"; }
  async greet(name = "Guest") { return `Hello, ${name}!`; }
  async files(...parts: string[]) { return parts; }
  async info() { return { ok: true }; }
  async make() { return [201, "made", { "X-Id": "7" }]; }
  async moved() { return redirect("/greet/Moved"); }
  async bytes() { return new Uint8Array([0, 1, 2, 255]); }
  async echo() { return { json: this.request.json() ?? null, form: { ...this.request.bodyParams } }; }
  async cookies() {
    this.request.setCookie("a", "1");
    this.request.setCookie("b", "2");
    return { ...this.request.cookies };
  }
  async teapot() { throw new HttpError(418, "I'm a teapot"); }
  async oops() { throw new Error("internal detail"); }
  async remote() { return this.request.remoteAddress; }
  async slowHead() { return [200, "x".repeat(12345), { "content-type": "text/plain" }]; }
  async *ticks() {
    yield "1\n";
    yield "2\n";
    yield this.request.path;
  }
  async upload(file: UploadedFile, note = "") {
    const hash = createHash("sha256");
    for await (const chunk of file) hash.update(chunk);
    return { filename: file.filename, contentType: file.contentType, size: file.size, sha256: hash.digest("hex"), note };
  }
  async visit() {
    const session = this.request.session;
    session.visits = ((session.visits as number | undefined) ?? 0) + 1;
    return String(session.visits);
  }
  @route("/only-post", { methods: ["POST"] })
  async onlyPost() { return "posted"; }
  async framing() { return [200, "hello world", { "Content-Length": "5", "Transfer-Encoding": "chunked" }]; }
  async inject(value: string) { return [200, "body", { "x-injected": value }]; }
  _private() { return "private"; }
}

describe("serving over a real socket", () => {
  const logger = recordingLogger();
  let server: Server;
  let base: string;

  before(async () => {
    server = await new Site({ logger }).listen({ port: 0, host: "127.0.0.1" });
    base = `http://127.0.0.1:${server.port}`;
  });
  after(() => server.close());

  it("reports the real port when asked for port 0", () => {
    assert.ok(Number.isInteger(server.port) && server.port > 0);
    assert.equal(server.host, "127.0.0.1");
  });

  it("serves index and binds a path segment", async () => {
    const index = await fetch(`${base}/`);
    assert.equal(index.status, 200);
    assert.equal(index.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(await index.text(), "Welcome");
    assert.equal(await (await fetch(`${base}/greet/Alice`)).text(), "Hello, Alice!");
    assert.equal(await (await fetch(`${base}/greet?name=Bob`)).text(), "Hello, Bob!");
    assert.equal(await (await fetch(`${base}/greet/%C3%89lodie`)).text(), "Hello, Élodie!");
  });

  it("binds a rest parameter", async () => {
    assert.deepEqual(await (await fetch(`${base}/files/a/b/c`)).json(), ["a", "b", "c"]);
  });

  it("sends JSON, bytes and tuples", async () => {
    const info = await fetch(`${base}/info`);
    assert.equal(info.headers.get("content-type"), "application/json; charset=utf-8");
    assert.deepEqual(await info.json(), { ok: true });
    const bytes = await fetch(`${base}/bytes`);
    assert.equal(bytes.headers.get("content-type"), "application/octet-stream");
    assert.deepEqual([...new Uint8Array(await bytes.arrayBuffer())], [0, 1, 2, 255]);
    const made = await fetch(`${base}/make`, { method: "POST" });
    assert.equal(made.status, 201);
    assert.equal(made.headers.get("x-id"), "7");
    assert.equal(await made.text(), "made");
  });

  it("redirects", async () => {
    const res = await fetch(`${base}/moved`, { redirect: "manual" });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get("location"), "/greet/Moved");
    await res.arrayBuffer();
  });

  it("reads JSON and form bodies", async () => {
    const json = await fetch(`${base}/echo`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ a: 1 }) });
    assert.deepEqual(await json.json(), { json: { a: 1 }, form: {} });
    const form = await fetch(`${base}/echo`, { method: "POST", body: new URLSearchParams({ a: "x y" }) });
    assert.deepEqual(await form.json(), { json: null, form: { a: ["x y"] } });
  });

  it("reads a chunked request body", async () => {
    const res = await rawRequest(
      server.port,
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
        "4\r\n{\"a\"\r\n3\r\n: 2\r\n1\r\n}\r\n0\r\n\r\n",
    );
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body.toString()), { json: { a: 2 }, form: {} });
  });

  it("writes each Set-Cookie on its own line and reads cookies", async () => {
    const res = await fetch(`${base}/cookies`, { headers: { cookie: "x=1; y=2" } });
    assert.deepEqual(await res.json(), { x: "1", y: "2" });
    const cookies = res.headers.getSetCookie();
    assert.equal(cookies.length, 2);
    assert.match(cookies[0]!, /^a=1; Path=\/; HttpOnly; SameSite=Lax$/);
  });

  /**
   * Sends HEAD `path` then GET /greet/Al on one connection and checks that the
   * GET's status line follows the HEAD's head directly (no body bytes, keep-alive
   * intact); returns the HEAD's parsed head.
   */
  async function headThenGet(path: string) {
    const socket = await connect(server.port);
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.write(`HEAD ${path} HTTP/1.1\r\nHost: x\r\n\r\nGET /greet/Al HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    await closedBy(socket);
    const all = Buffer.concat(chunks);
    const head = parseHead(all)!;
    assert.match(all.subarray(head.bodyStart).toString("latin1"), /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nHello, Al!$/);
    return head;
  }

  it("answers HEAD with the headers and Content-Length but no body", async () => {
    const head = await headThenGet("/slowHead");
    assert.equal(head.status, 200);
    assert.equal(head.headers["content-length"], "12345");
    assert.equal(head.headers["content-type"], "text/plain");
  });

  it("answers HEAD of a stream of unknown length as chunked, never with Content-Length: 0", async () => {
    const head = await headThenGet("/ticks");
    assert.equal(head.status, 200);
    assert.equal(head.headers["content-length"], undefined);
    assert.equal(head.headers["transfer-encoding"], "chunked");
  });

  it("answers HttpError with its status and a throw with a generic 500", async () => {
    const teapot = await fetch(`${base}/teapot`);
    assert.equal(teapot.status, 418);
    assert.equal(await teapot.text(), "I'm a teapot");
    const before = logger.errors.length;
    const oops = await fetch(`${base}/oops`);
    assert.equal(oops.status, 500);
    const body = await oops.text();
    assert.equal(body, "Internal Server Error");
    assert.doesNotMatch(body, /internal detail/);
    assert.equal(logger.errors.length, before + 1);
  });

  it("answers 404 for private, inherited and prototype names", async () => {
    for (const path of ["/_private", "/%5Fprivate", "/constructor", "/__proto__", "/toString", "/listen", "/hasOwnProperty", "/nope"]) {
      const res = await fetch(`${base}${path}`);
      assert.equal(res.status, 404, path);
      await res.arrayBuffer();
    }
  });

  it("answers 400 for bad percent-encoding", async () => {
    const res = await rawRequest(server.port, "GET /greet/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert.equal(res.status, 400);
    const lone = await rawRequest(server.port, "GET /greet/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert.equal(lone.status, 400);
  });

  it("answers 414 for an over-long path segment", async () => {
    // 2000 bytes: over the 1024-byte segment limit, under uWS 20.57's 4 KiB request-head buffer (431 beyond it).
    const res = await fetch(`${base}/greet/${"a".repeat(2000)}`);
    assert.equal(res.status, 414);
    await res.arrayBuffer();
  });

  it("reports the client's address", async () => {
    assert.equal(await (await fetch(`${base}/remote`)).text(), "127.0.0.1");
  });

  it("serves requests pipelined on one connection in order", async () => {
    const res = await new Promise<string>((resolve, reject) => {
      const request = http.request({ port: server.port, host: "127.0.0.1", path: "/greet/One", agent: new http.Agent({ keepAlive: true }) }, (r) => {
        let text = "";
        r.on("data", (d) => (text += d));
        r.on("end", () => resolve(text));
      });
      request.on("error", reject);
      request.end();
    });
    assert.equal(res, "Hello, One!");
    const socketText = await rawRequest(
      server.port,
      "GET /greet/A HTTP/1.1\r\nHost: x\r\n\r\nGET /greet/B HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert.equal(socketText.body.toString(), "Hello, A!");
  });

  it("decodes each path segment after splitting and decodes the query", async () => {
    assert.deepEqual(await (await fetch(`${base}/files/a%2Fb/c%20d`)).json(), ["a/b", "c d"]);
    assert.equal(await (await fetch(`${base}/greet?name=A+B%20C`)).text(), "Hello, A B C!");
  });

  it("streams an async generator with chunked encoding, this.request in reach", async () => {
    const res = await fetch(`${base}/ticks`);
    assert.equal(res.headers.get("transfer-encoding"), "chunked");
    assert.equal(await res.text(), "1\n2\n/ticks");
  });

  it("binds an uploaded file from a multipart body of several MB", async () => {
    const content = Buffer.alloc(5 * 1024 * 1024);
    for (let i = 0; i < content.length; i += 997) content[i] = i % 251;
    const form = new FormData();
    form.append("note", "hi");
    form.append("file", new Blob([content], { type: "image/png" }), "pic.png");
    const res = await fetch(`${base}/upload`, { method: "POST", body: form });
    assert.deepEqual(await res.json(), {
      filename: "pic.png",
      contentType: "image/png",
      size: content.length,
      sha256: createHash("sha256").update(content).digest("hex"),
      note: "hi",
    });
  });

  it("keeps a session through its cookie", async () => {
    const first = await fetch(`${base}/visit`);
    assert.equal(await first.text(), "1");
    const cookie = first.headers.getSetCookie()[0]!.split(";")[0]!;
    assert.match(cookie, /^session_id=[A-Za-z0-9_-]{43}$/);
    const second = await fetch(`${base}/visit`, { headers: { cookie } });
    assert.equal(await second.text(), "2");
    assert.deepEqual(second.headers.getSetCookie().length, 1);
  });

  it("answers 405 with Allow for a restricted method", async () => {
    const res = await fetch(`${base}/only-post`);
    assert.equal(res.status, 405);
    assert.equal(res.headers.get("allow"), "POST");
    await res.arrayBuffer();
    assert.equal(await (await fetch(`${base}/only-post`, { method: "POST" })).text(), "posted");
  });

  it("frames the body itself, ignoring an app's Content-Length and Transfer-Encoding", async () => {
    const res = await rawRequest(server.port, "GET /framing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert.equal(res.headers["content-length"], "11");
    assert.equal(res.headers["transfer-encoding"], undefined);
    assert.equal(res.body.toString(), "hello world");
  });

  it("puts nothing on the wire from a header value with CR/LF", async () => {
    const before = logger.errors.length;
    const value = encodeURIComponent("x\r\nSet-Cookie: evil=1\r\n\r\nHTTP/1.1 200 OK");
    const socket = await connect(server.port);
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.write(`GET /inject?value=${value} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    await closedBy(socket);
    const wire = Buffer.concat(chunks).toString("latin1");
    assert.match(wire, /^HTTP\/1\.1 500 Internal Server Error\r\n/);
    assert.doesNotMatch(wire, /evil|x-injected/i);
    assert.equal(wire.match(/HTTP\/1\.1/g)!.length, 1);
    assert.ok(wire.endsWith("\r\n\r\nInternal Server Error"));
    assert.equal(logger.errors.length, before + 1);
  });

  it("logs nothing but the handler and header errors", () => {
    assert.equal(logger.errors.length, 2);
  });
});
