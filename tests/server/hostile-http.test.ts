/**
 * What a hostile or broken HTTP client gets, on whichever uWS build serves
 * (20.30 on Node 20 / glibc < 2.38, 20.57 elsewhere). Where a build decides
 * before upie sees the request, the test pins what docs/runtimes.md says it does.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { App, type Server } from "../../lib/index.js";
import { loadUws } from "../../lib/server/uws/uws-loader.js";
import { closedBy, connect, exchange, rawRequest, readResponse, statuses, talk } from "./helpers.js";

const NEW_BUILD = loadUws().version === "20.57.0";
const BIG = 64 * 1024;

class Site extends App {
  bodies: string[] = [];
  smuggled = 0;
  async index() { return "up"; }
  async smuggle() { this.smuggled++; return "smuggled"; }
  async n(i: string) { return `n${i}`; }
  async big() { return "x".repeat(BIG); }
  async echo() {
    const body = this.request.body;
    this.bodies.push(body === undefined ? "" : Buffer.from(body).toString());
    return "ok";
  }
}

/** Bad framing the build refuses itself, before or right after upie sees the head. */
const REFUSED_BY_UWS: Record<string, string> = {
  "Content-Length with Transfer-Encoding": "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
  "Content-Length: +5": "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nhello",
  "Content-Length: 0x5": "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 0x5\r\n\r\nhello",
  "Transfer-Encoding: gzip": "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nhello",
};
const SMUGGLED = "GET /smuggle HTTP/1.1\r\nHost: x\r\n\r\n";


function headersNamed(count: number): string {
  let headers = "";
  for (let i = 0; i < count - 1; i++) headers += `X-H${i}: v\r\n`;
  return `GET / HTTP/1.1\r\nHost: x\r\n${headers}\r\n`;
}

describe("hostile HTTP clients", () => {
  let app: Site;
  let server: Server;
  before(async () => {
    app = new Site({ limits: { headerCount: 40 } });
    server = await app.listen({ port: 0, host: "127.0.0.1" });
  });
  after(() => server.close());

  for (const [name, request] of Object.entries(REFUSED_BY_UWS)) {
    it(`leaves ${name} to the build (${NEW_BUILD ? "20.57: 400" : "20.30: closes"}), and runs nothing behind it`, async () => {
      app.smuggled = 0;
      const alone = await talk(server.port, request);
      assert.deepEqual(statuses(alone.data), NEW_BUILD ? [400] : []);
      assert.ok(alone.closed, "the connection is closed");
      const pipelined = await talk(server.port, request + SMUGGLED);
      assert.equal(app.smuggled, 0);
      assert.deepEqual(statuses(pipelined.data).filter((status) => status !== 400), []);
      assert.ok(pipelined.closed, "the connection is closed");
      assert.deepEqual(app.bodies, []);
    });
  }

  it("still serves pipelined requests to a client that reads, in order", async () => {
    let pipeline = "";
    for (let i = 0; i < 20; i++) pipeline += `GET /n/${i} HTTP/1.1\r\nHost: x\r\n\r\n`;
    pipeline += "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello";
    pipeline += "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nworld\r\n0\r\n\r\n";
    const reply = await exchange(server.port, pipeline + "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert.deepEqual(statuses(reply), Array(23).fill(200));
    const bodies = [...reply.matchAll(/\r\n\r\n(n\d+|ok|up)/g)].map((match) => match[1]);
    assert.deepEqual(bodies, [...Array.from({ length: 20 }, (_, i) => `n${i}`), "ok", "ok", "up"]);
    assert.deepEqual(app.bodies.splice(0), ["hello", "world"]);
  });

  it("holds at most one response for a client that pipelines and never reads, then cuts it off", async () => {
    const socket = await connect(server.port);
    socket.pause();
    socket.on("error", () => {});
    const rssBefore = process.memoryUsage().rss;
    const request = "GET /big HTTP/1.1\r\nHost: x\r\n\r\n".repeat(100);
    // 5000 requests × 64 KiB would be 320 MiB of responses if each were buffered.
    for (let i = 0; i < 50 && !socket.destroyed; i++) {
      socket.write(request);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await closedBy(socket, 10_000);
    const grown = process.memoryUsage().rss - rssBefore;
    assert.ok(grown < 64 * 1024 * 1024, `RSS grew by ${(grown / 1048576).toFixed(1)} MiB`);
    assert.equal(await (await fetch(`http://127.0.0.1:${server.port}/`)).text(), "up");
  });

  it("answers more headers than limits.headerCount with 431 (below the build's own ceiling)", async () => {
    const reply = await rawRequest(server.port, headersNamed(45));
    assert.equal(reply.status, 431);
  });

  it(`meets the build's own header ceiling as docs/runtimes.md says (${NEW_BUILD ? "20.57: 431 from 99 headers" : "20.30: no answer past 48 headers"})`, async () => {
    if (NEW_BUILD) {
      assert.deepEqual(statuses(await exchange(server.port, headersNamed(99))), [431]);
    } else {
      assert.equal(await exchange(server.port, headersNamed(49), 1000), "");
    }
  });

  it(`answers HTTP/1.0 as docs/runtimes.md says (${NEW_BUILD ? "20.57: 505" : "20.30: no answer"})`, async () => {
    const reply = await exchange(server.port, "GET / HTTP/1.0\r\n\r\n", 1000);
    if (NEW_BUILD) assert.deepEqual(statuses(reply), [505]);
    else assert.equal(reply, "");
  });

  it("keeps serving everyone else meanwhile", async () => {
    const socket = await connect(server.port);
    try {
      const response = readResponse(socket);
      socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
      assert.equal((await response).body.toString(), "up");
    } finally {
      socket.destroy();
    }
  });
});

/**
 * Framing decided inside uWS, before upie sees the request (SECURITY.md,
 * "Framing inside uWS"). Where upie cannot see the primitive, the test pins
 * what the build does, so a build that changes it fails here; a front proxy
 * that rebuilds requests (nginx, HAProxy) is the mitigation.
 */
describe("framing primitives inside uWS", () => {
  let app: Site;
  let server: Server;
  before(async () => {
    app = new Site();
    server = await app.listen({ port: 0, host: "127.0.0.1" });
  });
  after(() => server.close());

  it("hides every header after one with an empty name (both builds): upie cannot see it, a proxy must refuse it", async () => {
    app.smuggled = 0;
    app.bodies.length = 0;
    // The Content-Length after ": x" never reaches upie: the POST is framed as body-less and its body runs as a request.
    const reply = await talk(server.port, `POST /echo HTTP/1.1\r\nHost: x\r\n: x\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`, 500);
    assert.deepEqual(statuses(reply.data), [200, 200]);
    assert.deepEqual(app.bodies.splice(0), [""]);
    assert.equal(app.smuggled, 1);
  });

  it("lets upie see both of two Content-Length headers (both builds frame by the first), so upie refuses them", async () => {
    app.smuggled = 0;
    const reply = await talk(server.port, `POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`);
    assert.deepEqual(statuses(reply.data), []);
    assert.ok(reply.closed);
    assert.equal(app.smuggled, 0);
  });

  it("reads a chunk size 'g' as 16 (both builds): upie cannot see it, a proxy must refuse it", async () => {
    app.bodies.length = 0;
    const reply = await talk(server.port, "POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\ng\r\n0123456789abcdef\r\n0\r\n\r\n");
    assert.deepEqual(statuses(reply.data), [200]);
    assert.deepEqual(app.bodies.splice(0), ["0123456789abcdef"]);
  });

  it("takes any two bytes after chunk data for its CRLF, and a bare LF for a CRLF (both builds)", async () => {
    app.bodies.length = 0;
    await talk(server.port, "POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n");
    await talk(server.port, "POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\n0\n\n");
    assert.deepEqual(app.bodies.splice(0), ["hello", "hello"]);
  });

  it("does not parse chunk extensions (both builds): the request never completes and is not answered", async () => {
    app.bodies.length = 0;
    const reply = await talk(server.port, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b\r\nhello\r\n0\r\n\r\n", 700);
    assert.deepEqual(statuses(reply.data), []);
    assert.deepEqual(app.bodies, []);
  });

  it(`${NEW_BUILD ? "reads a trailer field as the next request line (20.57: 505, closed)" : "skips trailer fields (20.30)"}`, async () => {
    app.bodies.length = 0;
    const reply = await talk(server.port, "POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n");
    assert.deepEqual(statuses(reply.data), NEW_BUILD ? [505] : [200]);
    assert.deepEqual(app.bodies.splice(0), ["hello"]);
  });
});

