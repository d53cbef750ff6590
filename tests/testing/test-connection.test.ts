/**
 * TestConnection: the TestClient's WebSocket, with a simulated send buffer
 * in place of the network: the app's sends wait for the test to read, and a
 * client that pings while not reading is cut off, as on uWS.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { App, ConnectionClosed, TestClient, type WebSocket } from "../../lib/index.js";

class Site extends App {
  events: string[] = [];
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
}

describe("TestConnection", () => {
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

});
