import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { assertCloseFrame, isSendableCloseCode, MAX_CLOSE_REASON_BYTES } from "../../lib/websocket/close-code.js";

describe("isSendableCloseCode", () => {
  it("accepts the codes RFC 6455 and the IANA registry let an endpoint send", () => {
    for (const code of [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4000, 4999]) {
      assert.equal(isSendableCloseCode(code), true, String(code));
    }
  });

  it("rejects reserved, status-only and out-of-range codes", () => {
    for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 1000.5, "1000"]) {
      assert.equal(isSendableCloseCode(code), false, String(code));
    }
  });
});

describe("assertCloseFrame", () => {
  it("accepts a reason of exactly 123 UTF-8 bytes", () => {
    assert.doesNotThrow(() => assertCloseFrame(1000, "x".repeat(MAX_CLOSE_REASON_BYTES)));
    assert.doesNotThrow(() => assertCloseFrame(1000, "é".repeat(61)));
  });

  it("rejects a reason over 123 UTF-8 bytes, counting multi-byte characters", () => {
    assert.throws(() => assertCloseFrame(1000, "x".repeat(124)), RangeError);
    assert.throws(() => assertCloseFrame(1000, "é".repeat(62)), RangeError);
  });

  it("rejects a bad code with a RangeError naming it", () => {
    assert.throws(() => assertCloseFrame(1006, ""), /1006/);
  });
});
