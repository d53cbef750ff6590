import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { assertCloseFrame } from "../../lib/websocket/close-code.js";
import { MESSAGE_RATE, PING_FLOOD, SENDS_PILED_UP, SHUTTING_DOWN } from "../../lib/websocket/close-reasons.js";

describe("the engine's close reasons", () => {
  it("are close frames a server may send (RFC 6455 §7.4, reason ≤ 123 bytes)", () => {
    for (const { code, reason } of [PING_FLOOD, MESSAGE_RATE, SENDS_PILED_UP, SHUTTING_DOWN]) assert.doesNotThrow(() => assertCloseFrame(code, reason), reason);
  });

  it("say policy violations with 1008 and a peer too slow with 1013", () => {
    assert.deepEqual([PING_FLOOD.code, MESSAGE_RATE.code, SENDS_PILED_UP.code, SHUTTING_DOWN.code], [1008, 1008, 1013, 1001]);
  });
});
