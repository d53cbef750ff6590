/**
 * refuseFraming(): a request whose framing is bad gets a 400 naming why, and
 * the connection ends with it, even when a second request was smuggled into
 * the same packet (issue 22.1). Framing the build refuses itself is pinned in
 * tests/server/hostile-http.test.ts.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { App, type Server } from "../../../lib/index.js";
import { recordingLogger, type RecordingLogger } from "../../core/helpers.js";
import { connect, exchange, statuses, talk } from "../helpers.js";

class Site extends App {
  bodies: string[] = [];
  smuggled = 0;
  async index() { return "up"; }
  async smuggle() { this.smuggled++; return "smuggled"; }
  async echo() {
    const body = this.request.body;
    this.bodies.push(body === undefined ? "" : Buffer.from(body).toString());
    return "ok";
  }
}

/** Requests whose framing is bad, each with the body it announces. */
const BAD_FRAMING: Record<string, string> = {
  "two different Content-Length headers": "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 5\r\n\r\n",
  "two equal Content-Length headers": "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
  "Transfer-Encoding: gzip, chunked": "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
  "Transfer-Encoding: chunked twice": "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
  "Transfer-Encoding: chunkedx": "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunkedx\r\n\r\n0\r\n\r\n",
};
const SMUGGLED = "GET /smuggle HTTP/1.1\r\nHost: x\r\n\r\n";

describe("refusing bad framing on uWS", () => {
  let app: Site;
  let logger: RecordingLogger;
  let server: Server;
  before(async () => {
    logger = recordingLogger();
    app = new Site({ logger });
    server = await app.listen({ port: 0, host: "127.0.0.1" });
  });
  after(() => server.close());

  for (const [name, request] of Object.entries(BAD_FRAMING)) {
    it(`answers ${name} with 400 and closes the connection`, async () => {
      const reply = await talk(server.port, request);
      assert.deepEqual(statuses(reply.data), [400]);
      assert.match(reply.data, /\r\nconnection: close\r\n/i);
      assert.ok(reply.closed, "the connection is closed");
      assert.deepEqual(app.bodies, []);
    });

    it(`runs nothing pipelined behind ${name}: the connection closes first, unanswered`, async () => {
      app.smuggled = 0;
      // One write: the smuggled request sits in the same packet, where uWS would parse it next.
      // uWS closes the connection when it meets it (the 400 was still pending), so nothing is answered.
      const reply = await talk(server.port, request + SMUGGLED);
      assert.equal(app.smuggled, 0);
      assert.deepEqual(statuses(reply.data), []);
      assert.ok(reply.closed, "the connection is closed");
      assert.deepEqual(app.bodies, []);
    });
  }

  it("names the reason in the 400's body", async () => {
    const reply = await exchange(server.port, BAD_FRAMING["two different Content-Length headers"]!);
    assert.match(reply, /Conflicting Content-Length$/);
  });

  it("refuses only the bad request: one sent after it on a new connection is served", async () => {
    assert.deepEqual(statuses(await exchange(server.port, BAD_FRAMING["Transfer-Encoding: chunkedx"]!)), [400]);
    assert.match(await exchange(server.port, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"), /\r\n\r\nup$/);
  });

  it("leaves a client that went away before its 400 alone, logs nothing and keeps serving", async () => {
    for (let i = 0; i < 20; i++) {
      const socket = await connect(server.port);
      socket.on("error", () => {});
      // Gone before the next event-loop turn, where the 400 would be written.
      socket.end(BAD_FRAMING["two equal Content-Length headers"]!);
      socket.destroy();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.match(await exchange(server.port, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"), /\r\n\r\nup$/);
    assert.deepEqual(logger.errors, []);
    assert.equal(app.smuggled, 0);
  });
});
