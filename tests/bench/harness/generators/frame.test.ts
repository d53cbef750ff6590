import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { maskedFrame } from "../../../../bench/harness/generators/frame.js";

/** Reads a client frame back the way a server does: header, length, mask key, unmasked payload. */
function unmask(frame: Buffer): { fin: boolean; opcode: number; payload: Buffer } {
  assert.ok((frame[1]! & 0x80) !== 0, "client frames are masked");
  let length = frame[1]! & 0x7f;
  let offset = 2;
  if (length === 126) [length, offset] = [frame.readUInt16BE(2), 4];
  else if (length === 127) [length, offset] = [Number(frame.readBigUInt64BE(2)), 10];
  const key = frame.subarray(offset, offset + 4);
  const payload = Buffer.from(frame.subarray(offset + 4));
  assert.equal(payload.length, length);
  for (let i = 0; i < payload.length; i++) payload[i]! ^= key[i & 3]!;
  return { fin: (frame[0]! & 0x80) !== 0, opcode: frame[0]! & 0x0f, payload };
}

describe("maskedFrame", () => {
  it("writes a final masked text frame whose payload unmasks to the input", () => {
    const read = unmask(maskedFrame(Buffer.from("hello")));
    assert.deepEqual([read.fin, read.opcode, read.payload.toString()], [true, 0x1, "hello"]);
  });

  it("uses the 16-bit and 64-bit length forms from 126 and 65536 bytes", () => {
    for (const size of [125, 126, 65_535, 65_536]) {
      const payload = Buffer.alloc(size, 7);
      const frame = maskedFrame(payload, 0x2);
      assert.equal(frame.length, size + 4 + (size < 126 ? 2 : size < 65_536 ? 4 : 10));
      assert.deepEqual(unmask(frame).payload, payload);
    }
  });

  it("frames a control message with its opcode", () => {
    assert.equal(unmask(maskedFrame(Buffer.alloc(0), 0xa)).opcode, 0xa);
  });
});
