/**
 * How a received message is handed to a read: as it came, as text (binary
 * decoded as UTF-8, invalid bytes as U+FFFD), as bytes (text encoded as
 * UTF-8), or as a `for await` iteration result.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { asRead, READ_BYTES, READ_ITERATION, READ_MESSAGE, READ_TEXT } from "../../lib/websocket/read-mode.js";

const BYTES = new Uint8Array([0xc3, 0xa9, 0x74, 0xc3, 0xa9]); // "été"

describe("asRead", () => {
  it("hands the message over as it came", () => {
    assert.equal(asRead("été", READ_MESSAGE), "été");
    assert.equal(asRead(BYTES, READ_MESSAGE), BYTES);
  });

  it("decodes bytes as UTF-8 for text, invalid sequences as U+FFFD", () => {
    assert.equal(asRead(BYTES, READ_TEXT), "été");
    assert.equal(asRead(new Uint8Array([0x61, 0xff, 0x62]), READ_TEXT), "a\ufffdb");
  });

  it("encodes text as UTF-8 for bytes", () => {
    assert.deepEqual(asRead("été", READ_BYTES), BYTES);
  });

  it("wraps text in an iteration result, decoding bytes", () => {
    assert.deepEqual(asRead("hi", READ_ITERATION), { value: "hi", done: false });
    assert.deepEqual(asRead(BYTES, READ_ITERATION), { value: "été", done: false });
  });
});
