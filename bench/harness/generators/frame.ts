/**
 * The client side of RFC 6455 framing that every bench load generator
 * writes: one frame, masked as a client must (§5.3), built once and written
 * many times.
 *
 * @module
 */

const MASK = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);

/**
 * A client (masked) frame. The mask is fixed: servers only unmask, they never
 * judge the key, and a fixed key lets a generator build a frame once.
 *
 * @param payload - the application data.
 * @param opcode - 0x1 text (default), 0x2 binary, 0x9 ping, 0xa pong, 0x8 close.
 * @returns the whole frame: header, mask key, masked payload.
 */
export function maskedFrame(payload: Buffer, opcode = 0x1): Buffer {
  const length = payload.length;
  const headerLength = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + 4 + length);
  frame[0] = 0x80 | opcode;
  if (length < 126) {
    frame[1] = 0x80 | length;
  } else if (length < 65536) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  MASK.copy(frame, headerLength);
  for (let i = 0; i < length; i++) frame[headerLength + 4 + i] = payload[i]! ^ MASK[i & 3]!;
  return frame;
}

