/**
 * TestWebSocket: the test's end of an in-process WebSocket: the handshake's
 * answer, messages read as text, bytes or JSON, and a close a client may send.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { App, ConnectionClosed, ERRORS, HttpError, TestClient, WebSocketStateError, type WebSocket } from "../../lib/index.js";

class Site extends App {
  seen: string[] = [];
  async ws_kinds(ws: WebSocket) {
    await ws.accept(ws.subprotocols.includes("v2") ? "v2" : undefined);
    await ws.sendText("héllo");
    await ws.sendBytes(new Uint8Array([1, 2, 3]));
    await ws.sendJson({ n: 1 });
    await ws.sendText("as bytes");
    for await (const message of ws) this.seen.push(message);
  }
  async ws_binary(ws: WebSocket) {
    await ws.accept();
    const bytes = await ws.receiveBytes();
    await ws.sendText(`${bytes.byteLength} bytes: ${[...bytes].join(",")}`);
    await ws.close(4000, "enough");
  }
  async ws_gone(_ws: WebSocket) {
    throw new HttpError(410, "moved on");
  }
}

function refused(error: unknown): boolean {
  return error instanceof WebSocketStateError && error.code === ERRORS.WS_NOT_ACCEPTED.code;
}

describe("TestWebSocket", () => {
  it("reads each message as sent, or as text, bytes or JSON, and reports the subprotocol", async () => {
    const app = new Site();
    const ws = await new TestClient(app).websocket("/kinds", { subprotocols: ["v1", "v2"] });
    assert.equal(ws.status, 101);
    assert.equal(ws.accepted, true);
    assert.equal(ws.subprotocol, "v2");
    assert.equal(await ws.receive(), "héllo");
    assert.deepEqual(await ws.receive(), new Uint8Array([1, 2, 3]));
    assert.deepEqual(await ws.receiveJson(), { n: 1 });
    assert.deepEqual(await ws.receiveBytes(), new TextEncoder().encode("as bytes"));
    await ws.sendText("one");
    await ws.sendJson(["two"]);
    await ws.close(1000, "done");
    await ws.finished;
    assert.deepEqual(app.seen, ["one", "[\"two\"]"]);
  });

  it("sends an ArrayBuffer as binary, and reports the app's close code and reason", async () => {
    const ws = await new TestClient(new Site()).websocket("/binary");
    await ws.sendBytes(new Uint8Array([9, 8, 7]).buffer);
    assert.equal(await ws.receiveText(), "3 bytes: 9,8,7");
    assert.deepEqual(await ws.closed, { code: 4000, reason: "enough" });
    assert.equal(ws.closeCode, 4000);
    assert.equal(ws.closeReason, "enough");
    await assert.rejects(ws.receive(), ConnectionClosed);
    await assert.rejects(ws.sendText("late"), ConnectionClosed);
  });

  it("counts what the app sent and the test has not read yet", async () => {
    const ws = await new TestClient(new Site()).websocket("/kinds");
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(ws.unreadBytes, Buffer.byteLength("héllo") + 3 + Buffer.byteLength('{"n":1}') + Buffer.byteLength("as bytes"));
    await ws.receive();
    assert.equal(ws.unreadBytes, 3 + Buffer.byteLength('{"n":1}') + Buffer.byteLength("as bytes"));
    await ws.close();
  });

  it("carries a refused handshake's status and body, and refuses to send or read on it with UPIE_ERR_WS_NOT_ACCEPTED", async () => {
    const ws = await new TestClient(new Site()).websocket("/gone");
    assert.equal(ws.status, 410);
    assert.equal(ws.accepted, false);
    assert.equal(ws.body, "moved on");
    for (const attempt of [() => ws.sendText("x"), () => ws.sendBytes(new Uint8Array(1)), () => ws.receive(), () => ws.ping(), () => ws[Symbol.asyncIterator]()]) {
      assert.throws(attempt, refused);
    }
  });

  it("refuses to send a close code or reason a client may not send", async () => {
    const ws = await new TestClient(new Site()).websocket("/kinds");
    await assert.rejects(async () => ws.close(1006), RangeError);
    await assert.rejects(async () => ws.close(1000, "x".repeat(124)), RangeError);
    await ws.close(4999, "fine");
    assert.equal((await ws.closed).code, 4999);
  });
});
