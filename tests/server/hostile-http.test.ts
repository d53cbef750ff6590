/**
 * What a hostile or broken HTTP client gets, on whichever uWS build serves
 * (20.30 on Node 20 / glibc < 2.38, 20.57 elsewhere). Where a build decides
 * before upie sees the request, the test pins what docs/runtimes.md says it does.
 */
import assert from "node:assert/strict";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import { App, type Server } from "../../lib/index.js";
import { loadUws } from "../../lib/server/uws/uws-loader.js";
import { closedBy, connect, rawRequest, readResponse } from "./helpers.js";

const NEW_BUILD = loadUws().version === "20.57.0";
const BIG = 64 * 1024;

class Site extends App {
  bodies: string[] = [];
  async index() { return "up"; }
  async big() { return "x".repeat(BIG); }
  async echo() {
    const body = this.request.body;
    this.bodies.push(body === undefined ? "" : Buffer.from(body).toString());
    return "ok";
  }
}

/** Sends `request` and collects everything the server sends until it closes or `ms` pass. */
function exchange(port: number, request: string, ms = 1500): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    let data = "";
    const timer = setTimeout(() => finish(), ms);
    function finish() {
      clearTimeout(timer);
      socket.destroy();
      resolve(data);
    }
    socket.on("data", (chunk) => (data += chunk.toString("latin1")));
    socket.on("error", () => {});
    socket.on("close", finish);
    socket.write(request);
  });
}

function statuses(response: string): number[] {
  return [...response.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((match) => Number(match[1]));
}

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

  it("answers two Content-Length headers with 400 and closes: one request, never two", async () => {
    const reply = await exchange(server.port, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 5\r\n\r\nhello");
    assert.deepEqual(statuses(reply), [400]);
    assert.match(reply, /Conflicting Content-Length/);
    assert.deepEqual(app.bodies, []);
  });

  it(`leaves Content-Length with Transfer-Encoding, a malformed length and codings other than chunked to the build (${NEW_BUILD ? "20.57: 400" : "20.30: closes"}); none reaches the app`, async () => {
    for (const request of [
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nhello",
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\nhello",
    ]) {
      assert.deepEqual(statuses(await exchange(server.port, request)), NEW_BUILD ? [400] : [], request);
    }
    assert.deepEqual(app.bodies, []);
  });

  it("still serves pipelined requests to a client that reads", async () => {
    const reply = await exchange(server.port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n".repeat(20) + "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert.deepEqual(statuses(reply), Array(21).fill(200));
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
