/**
 * The TestClient as a second adapter: what it simulates of a network
 * (chunked bodies, clients that leave, a send buffer that fills, pings).
 * The scenarios both adapters share are in tests/testing/adapter-contract.test.ts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { App, ConnectionClosed, TestClient, type UploadedFile, type WebSocket } from "../../lib/index.js";

class Site extends App {
  events: string[] = [];
  async upload(file: UploadedFile, note: string) { return { note, text: await file.text() }; }
  async data() { return this.request.json(); }
  async slow() {
    await new Promise((resolve) => setTimeout(resolve, 300));
    return "late";
  }
  async ws_pour(ws: WebSocket) {
    await ws.accept();
    const chunk = "z".repeat(64 * 1024);
    try {
      for (let i = 0; i < 64; i++) await ws.sendText(chunk);
      await ws.receiveText();
    } catch (error) {
      if (!(error instanceof ConnectionClosed)) throw error;
      this.events.push(`closed ${error.code}`);
    }
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

describe("TestClient: the simulated network", () => {
  it("delivers a body in pieces of chunkSize bytes, and multipart and JSON parse as over a socket", async () => {
    const client = new TestClient(new Site());
    const upload = await client.post("/upload", { form: { note: "n" }, files: { file: { filename: "a.txt", content: "hello ".repeat(500) } }, chunkSize: 7 });
    assert.deepEqual(upload.json(), { note: "n", text: "hello ".repeat(500) });
    const json = await client.post("/data", { json: { deep: { list: [1, 2, 3] } }, chunkSize: 1 });
    assert.deepEqual(json.json(), { deep: { list: [1, 2, 3] } });
    await assert.rejects(client.post("/data", { json: {}, chunkSize: 0 }), TypeError);
  });

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

  it("rejects a request whose client left (signal), as fetch does, while the app carries on", async () => {
    const client = new TestClient(new Site());
    await assert.rejects(client.get("/slow", { signal: AbortSignal.timeout(30) }), { name: "TimeoutError" });
    await assert.rejects(client.get("/slow", { signal: AbortSignal.abort() }), { name: "AbortError" });
  });

  it("makes the app's sends wait while the test does not read (socketBuffer), then delivers everything", async () => {
    const client = new TestClient(new Site(), { socketBuffer: 64 * 1024 });
    const ws = await client.websocket("/pour");
    await new Promise((resolve) => setTimeout(resolve, 50));
    // 64 KiB of simulated kernel buffer, 64 KiB of maxBackpressure, then the app waits.
    assert.ok(ws.unreadBytes < 4 * 64 * 1024, `the app sent ${ws.unreadBytes} bytes unread`);
    for (let i = 0; i < 64; i++) assert.equal((await ws.receiveText()).length, 64 * 1024);
    await ws.close();
  });

  it("cuts off a client that pings while not reading: the handler sees 1008, the client a dropped connection (1006), as on uWS", async () => {
    const app = new Site();
    const client = new TestClient(app, { socketBuffer: 0 });
    const ws = await client.websocket("/pour");
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (let i = 0; i < 1100; i++) ws.ping();
    assert.equal((await ws.closed).code, 1006);
    await ws.finished;
    assert.deepEqual(app.events, ["closed 1008"]);
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
