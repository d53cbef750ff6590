/**
 * testClientAdapter: the harness that runs the contract scenarios through a
 * TestClient, in process. Its socket reads the app's messages in the
 * background, except while paused, when the app meets backpressure.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { App, type WebSocket } from "../../lib/index.js";
import { testClientAdapter } from "../../lib/testing/index.js";
import { recordingLogger } from "../core/helpers.js";

const COUNT = 64;
const SIZE = 64 * 1024;

class Site extends App {
  sent = 0;
  async index() { return this.request.remoteAddress; }
  async ws_pour(ws: WebSocket) {
    await ws.accept();
    for (let i = 0; i < COUNT; i++) {
      await ws.sendText(`${String(i).padStart(4, "0")}${"z".repeat(SIZE - 4)}`);
      this.sent = i + 1;
    }
    await ws.receiveText();
  }
}

describe("testClientAdapter", () => {
  it("serves in process, with the TestClient's default client address", async () => {
    const harness = await testClientAdapter.serve(new Site({ logger: recordingLogger() }));
    try {
      assert.equal((await harness.request("GET", "/")).text, "127.0.0.1");
    } finally {
      await harness.close();
    }
  });

  it("makes the app's sends wait while paused, then delivers everything in order once resumed", async () => {
    const app = new Site({ logger: recordingLogger() });
    const harness = await testClientAdapter.serve(app);
    try {
      const socket = await harness.websocket("/pour");
      socket.pause();
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.ok(app.sent < COUNT, `the app sent all ${app.sent} messages to a paused reader`);
      socket.resume();
      for (let i = 0; i < COUNT; i++) assert.equal(String(await socket.next()).slice(0, 4), String(i).padStart(4, "0"));
      assert.equal(app.sent, COUNT);
      socket.close();
    } finally {
      await harness.close();
    }
  });
});
