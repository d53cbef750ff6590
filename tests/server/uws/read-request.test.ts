/**
 * readHeaders() and readRemoteAddress(): what upie copies out of uWS's
 * stack-allocated request, seen by an app over a real socket.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { App, type Server } from "../../../lib/index.js";
import { recordingLogger } from "../../core/helpers.js";
import { rawRequest } from "../helpers.js";

class Mirror extends App {
  async headers() {
    const headers = this.request.headers;
    return {
      own: Object.keys(headers).sort(),
      values: { ...headers },
      // No Object.prototype behind the bag: these read what the client sent, or nothing.
      inherited: { constructor: typeof headers.constructor, toString: typeof headers.toString, hasOwnProperty: typeof headers.hasOwnProperty },
      proto: Object.getPrototypeOf(Object.getPrototypeOf(headers)),
    };
  }
  async cookies() { return this.request.cookies; }
  async remote() { return this.request.remoteAddress; }
}

describe("reading a uWS request", () => {
  let server: Server;
  before(async () => {
    server = await new Mirror({ logger: recordingLogger() }).listen({ port: 0, host: "127.0.0.1" });
  });
  after(() => server.close());

  async function get(path: string, headers: string): Promise<unknown> {
    const res = await rawRequest(server.port, `GET ${path} HTTP/1.1\r\nHost: x\r\n${headers}Connection: close\r\n\r\n`);
    assert.equal(res.status, 200, res.body.toString());
    return JSON.parse(res.body.toString());
  }

  it("lower-cases every header name", async () => {
    const seen = await get("/headers", "X-Mixed-Case: A\r\nACCEPT: text/plain\r\n") as { values: Record<string, string> };
    assert.equal(seen.values["x-mixed-case"], "A");
    assert.equal(seen.values.accept, "text/plain");
    assert.ok(!("X-Mixed-Case" in seen.values));
  });

  it("joins a repeated header with \", \" in arrival order (RFC 9110 §5.3)", async () => {
    const seen = await get("/headers", "X-Tag: one\r\nX-Tag: two\r\nx-tag: three\r\n") as { values: Record<string, string> };
    assert.equal(seen.values["x-tag"], "one, two, three");
  });

  it("joins repeated Cookie headers with \"; \" so every cookie reads (RFC 6265 §5.4)", async () => {
    assert.deepEqual(await get("/cookies", "Cookie: a=1\r\nCookie: b=2; c=3\r\n"), { a: "1", b: "2", c: "3" });
  });

  it("keeps headers named like Object.prototype's members as plain values", async () => {
    // (A header named __proto__ may never reach upie: uWS 20.30 does not answer a name with "_" in it.)
    const seen = await get("/headers", "Constructor: yes\r\nToString: also\r\n") as { own: string[]; values: Record<string, string>; inherited: Record<string, string>; proto: unknown };
    assert.ok(seen.own.includes("constructor") && seen.own.includes("tostring"), JSON.stringify(seen.own));
    assert.equal(seen.values.constructor, "yes");
    assert.deepEqual(seen.inherited, { constructor: "string", toString: "undefined", hasOwnProperty: "undefined" });
    assert.equal(seen.proto, null);
  });

  it("inherits nothing from Object.prototype when no such header was sent", async () => {
    const seen = await get("/headers", "") as { inherited: Record<string, string> };
    assert.deepEqual(seen.inherited, { constructor: "undefined", toString: "undefined", hasOwnProperty: "undefined" });
  });

  it("reads the peer's address as text", async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/remote`);
    assert.equal(await res.text(), "127.0.0.1");
  });
});
