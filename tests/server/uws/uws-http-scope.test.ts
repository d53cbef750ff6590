/**
 * UwsHttpScope: the request as uWS hands it to the core. Its client address
 * is read from the live response only when asked, and is "" once uWS has
 * released the response.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { App, type Server } from "../../../lib/index.js";
import { recordingLogger, type RecordingLogger } from "../../core/helpers.js";
import { eventually, exchange } from "../helpers.js";

class Scope extends App {
  late: string[] = [];
  async show(...rest: string[]) {
    return { method: this.request.method, path: this.request.path, query: { ...this.request.queryParams }, rest, client: this.request.remoteAddress };
  }
  async anyMethod() { return this.request.method; }
  /** A stream with a Content-Length: uWS releases the response once the last byte is out. */
  async sizedThenAsks() {
    const request = this.request;
    const late = this.late;
    async function* parts() {
      yield "abc";
      // Past the last byte: the response is gone, the address must not be read from it.
      late.push(`after: ${JSON.stringify(request.remoteAddress)}`);
    }
    return [200, parts(), { "content-length": "3" }];
  }
  async endedThenAsks() {
    const request = this.request;
    setTimeout(() => this.late.push(`ended: ${JSON.stringify(request.remoteAddress)}`), 20);
    return "done";
  }
}

describe("the scope of a request on uWS", () => {
  let app: Scope;
  let logger: RecordingLogger;
  let server: Server;
  before(async () => {
    logger = recordingLogger();
    app = new Scope({ logger });
    server = await app.listen({ port: 0, host: "127.0.0.1" });
  });
  after(() => server.close());

  it("carries the method, path, raw query and client address uWS saw", async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/show/a%20b/c?x=1&y=%C3%A9&x=2`);
    assert.deepEqual(await res.json(), { method: "GET", path: "/show/a%20b/c", query: { x: ["1", "2"], y: ["é"] }, rest: ["a b", "c"], client: "127.0.0.1" });
  });

  it("keeps the method's case as sent", async () => {
    const reply = await exchange(server.port, "PATCH /anyMethod HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    assert.match(reply, /\r\n\r\nPATCH$/);
  });

  it("reads the address as \"\" once uWS has released the response, never from freed memory", async () => {
    app.late.length = 0;
    assert.equal(await (await fetch(`http://127.0.0.1:${server.port}/sizedThenAsks`)).text(), "abc");
    assert.equal(await (await fetch(`http://127.0.0.1:${server.port}/endedThenAsks`)).text(), "done");
    assert.ok(await eventually(() => app.late.length === 2), JSON.stringify(app.late));
    assert.deepEqual(app.late.sort(), ["after: \"\"", "ended: \"\""]);
    assert.deepEqual(logger.errors, []);
  });
});
