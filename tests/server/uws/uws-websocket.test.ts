/**
 * The uWS transport's upgrade, against a scripted uWS: what `accept()`
 * reports when uWS closes the socket inside the `res.cork()` that upgraded
 * it (uNetworking/uWebSockets#1929, which the pinned 20.57 build lacks and
 * which dropped the private chat's first socket on Node 24).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { HttpResponse, us_socket_context_t, WebSocket as UwsSocket } from "uWebSockets.js";

import { ConnectionClosed } from "../../../lib/protocol/errors.js";
import type { ReceiveEvent } from "../../../lib/protocol/protocol.js";
import { UPGRADE_DROPPED, UwsWebSocket, type UserData, type WebSocketServerState } from "../../../lib/server/uws/uws-websocket.js";

/** What uWS does inside `res.upgrade()`, after calling `open`. */
type AfterOpen = "keep" | "close";

/** A server state that counts what the transport reports. */
function serverState() {
  const seen = { drops: 0, removed: 0 };
  const state = {
    topics: { removeAll: () => void seen.removed++, subscribe() {}, unsubscribe() {} },
    closing: false,
    handlerDone() {},
    upgradeDropped: () => void seen.drops++,
  } as unknown as WebSocketServerState;
  return { state, seen };
}

/** A uWS socket that accepts every send. */
function uwsSocket(): UwsSocket<UserData> {
  return { getBufferedAmount: () => 0, send: () => 1, end() {}, close() {} } as unknown as UwsSocket<UserData>;
}

/** An upgrade response whose `upgrade()` opens the socket and then, for "close", closes it as uWS 20.57's cork() may. */
function upgradeResponse(afterOpen: AfterOpen) {
  const log: string[] = [];
  let corked = false;
  const res = {
    onAborted() {},
    cork(cb: () => void) {
      corked = true;
      cb();
      corked = false;
      return res;
    },
    writeStatus: () => res,
    writeHeader: () => res,
    upgrade(userData: UserData) {
      log.push(corked ? "upgrade (corked)" : "upgrade");
      userData.connection.opened(uwsSocket());
      if (afterOpen === "close") userData.connection.closed(1006, "");
    },
  };
  return { res: res as unknown as HttpResponse, log };
}

function connection(afterOpen: AfterOpen, when: "after an await" | "inside the callback" = "after an await") {
  const { state, seen } = serverState();
  const { res, log } = upgradeResponse(afterOpen);
  const ws = new UwsWebSocket(state, res, {} as us_socket_context_t, "dGhlIHNhbXBsZSBub25jZQ==", "");
  if (when === "after an await") ws.callbackReturned();
  const events: ReceiveEvent[] = [];
  ws.attach({ deliver: (event) => events.push(event), checkSubscriber() {}, shutdown() {} });
  return { ws, seen, log, events };
}

describe("UwsWebSocket accept", () => {
  it("upgrades without cork when the handler accepts inside uWS's upgrade callback (before its first await)", async () => {
    const { ws, seen, log } = connection("keep", "inside the callback");
    await ws.send({ type: "websocket.accept" });
    assert.deepEqual(log, ["upgrade"]);
    assert.ok(ws.socket !== undefined, "the socket is open");
    assert.equal(seen.drops, 0);
  });

  it("upgrades inside a cork and resolves when uWS keeps the socket", async () => {
    const { ws, seen, log } = connection("keep");
    await ws.send({ type: "websocket.accept" });
    assert.deepEqual(log, ["upgrade (corked)"]);
    assert.ok(ws.socket !== undefined, "the socket is open");
    assert.equal(seen.drops, 0);
  });

  it("rejects with 1006 and tells the server when uWS closes the socket inside the cork that upgraded it", async () => {
    const { ws, seen, events } = connection("close");
    await assert.rejects(Promise.resolve(ws.send({ type: "websocket.accept" })), (error: unknown) => {
      assert.ok(error instanceof ConnectionClosed);
      assert.equal(error.code, 1006);
      assert.equal(error.reason, UPGRADE_DROPPED);
      return true;
    });
    assert.equal(seen.drops, 1, "the server hears of it (and warns)");
    assert.equal(ws.socket, undefined);
    assert.deepEqual(events.at(-1), { type: "websocket.disconnect", code: 1006, reason: "" }, "the engine sees the disconnect");
  });

  it("counts a close after the upgrade returned as the peer's, not a drop", async () => {
    const { ws, seen, events } = connection("keep");
    await ws.send({ type: "websocket.accept" });
    ws.closed(1006, "");
    assert.equal(seen.drops, 0);
    assert.equal(seen.removed, 1, "its subscriptions are forgotten");
    assert.deepEqual(events.at(-1), { type: "websocket.disconnect", code: 1006, reason: "" });
  });
});
