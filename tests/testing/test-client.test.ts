/**
 * The TestClient: requests checked as the uWS adapter checks them, and a
 * close() that ends every socket as server.close() does. Its simulated
 * network is tested in test-http-exchange.test.ts (bodies, clients that
 * leave) and test-connection.test.ts (the send buffer, pings); the
 * scenarios both adapters share in adapter-contract.test.ts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { App, ConnectionClosed, ERRORS, InvalidOptionError, TestClient, type WebSocket } from "../../lib/index.js";

class Site extends App {
  events: string[] = [];
  async data() { return this.request.json(); }
  async seen() {
    return { query: { ...this.request.queryParams }, form: { ...this.request.bodyParams }, client: this.request.remoteAddress, cookies: { ...this.request.cookies } };
  }
  async set(name: string, value: string) {
    this.request.setCookie(name, value);
    return "set";
  }
  async forget(name: string) {
    this.request.setCookie(name, "", { maxAge: 0 });
    return "forgotten";
  }
  async ws_wait(ws: WebSocket) {
    await ws.accept();
    try {
      await ws.receiveText();
    } catch (error) {
      if (error instanceof ConnectionClosed) this.events.push(`handler saw ${error.code}`);
    }
  }
}

describe("TestClient", () => {
  it("refuses bad request framing with 400 before the app runs, as the uWS adapter does", async () => {
    const client = new TestClient(new Site());
    const bad: Array<Record<string, string>> = [{ "transfer-encoding": "gzip" }, { "content-length": "1, 5" }, { "content-length": "5", "transfer-encoding": "chunked" }];
    for (const headers of bad) {
      const res = await client.post("/data", { headers, body: "hello" });
      assert.equal(res.status, 400, JSON.stringify(headers));
      assert.equal(res.headers.connection, "close");
    }
    const conflicting = await client.post("/data", { headers: { "content-length": "3" }, body: "hello" });
    assert.equal(conflicting.status, 400);
    assert.equal(conflicting.text, "Conflicting Content-Length");
  });

  it("keeps cookies between requests like a browser, and forgets one set to expire", async () => {
    const client = new TestClient(new Site());
    await client.get("/set/flavour/oat");
    await client.get("/set/size/big");
    assert.deepEqual((await client.get("/seen")).json().cookies, { flavour: "oat", size: "big" });
    await client.get("/forget/flavour");
    assert.deepEqual((await client.get("/seen")).json().cookies, { size: "big" });
    assert.deepEqual([...client.cookies.keys()], ["size"]);
  });

  it("adds the query option to the target's own query, encodes a form, and reports the remoteAddress asked for", async () => {
    const client = new TestClient(new Site());
    const res = await client.post("/seen?a=1", { query: { a: "2", b: ["x y", "é"] }, form: { name: "Ada", tag: ["p", "q"] }, remoteAddress: "10.1.2.3" });
    assert.deepEqual(res.json(), { query: { a: ["1", "2"], b: ["x y", "é"] }, form: { name: ["Ada"], tag: ["p", "q"] }, client: "10.1.2.3", cookies: {} });
    assert.equal((await client.get("/seen")).json().client, "127.0.0.1");
  });

  it("refuses a socketBuffer that is not a non-negative integer with UPIE_ERR_INVALID_OPTION", () => {
    for (const socketBuffer of [-1, 1.5, Number.NaN]) {
      assert.throws(() => new TestClient(new Site(), { socketBuffer }), (error: unknown) => error instanceof InvalidOptionError && error.code === ERRORS.INVALID_OPTION.code);
    }
    assert.doesNotThrow(() => new TestClient(new Site(), { socketBuffer: 0 }));
  });

  it("close() closes every open socket with 1001 and waits for the handlers before the shutdown handlers", async () => {
    const app = new Site();
    app.shutdownHandlers.push(() => void app.events.push("shutdown"));
    const client = new TestClient(app);
    const sockets = await Promise.all([client.websocket("/wait"), client.websocket("/wait")]);
    await client.close();
    for (const ws of sockets) assert.equal((await ws.closed).code, 1001);
    assert.deepEqual(app.events, ["handler saw 1001", "handler saw 1001", "shutdown"]);
  });
});
