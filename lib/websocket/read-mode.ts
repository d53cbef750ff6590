/**
 * What a read of a WebSocket's inbound queue asks for, and how a received
 * message is handed over in that form: as it came, as text, as bytes, or as
 * a `for await` iteration result.
 *
 * @module
 */
import { utf8Decoder } from "./utf8.js";

/** One received message: text frames as strings, binary frames as bytes. */
export type Message = string | Uint8Array;

/** What a read wants: the message as it came, as text, as bytes, or as an iterator result. */
export type ReadMode = typeof READ_MESSAGE | typeof READ_TEXT | typeof READ_BYTES | typeof READ_ITERATION;
/** Text or bytes, as the frame was. */
export const READ_MESSAGE = 0;
/** A string; binary frames are decoded as UTF-8. */
export const READ_TEXT = 1;
/** A Uint8Array; text frames are encoded as UTF-8. */
export const READ_BYTES = 2;
/** `{ value: text, done: false }`, or `{ done: true }` once closed (for `for await`). */
export const READ_ITERATION = 3;

const encoder = new TextEncoder();

/**
 * `message` in the form `mode` asks for.
 *
 * @param message - as received (a string for a text frame, bytes for a binary one).
 * @param mode - see {@link ReadMode}.
 * @returns the string, bytes, or iterator result.
 * @example
 * ```ts
 * asRead(new Uint8Array([104, 105]), READ_TEXT); // "hi"
 * ```
 */
export function asRead(message: Message, mode: ReadMode): unknown {
  switch (mode) {
    case READ_TEXT:
      return typeof message === "string" ? message : utf8Decoder.decode(message);
    case READ_BYTES:
      return typeof message === "string" ? encoder.encode(message) : message;
    case READ_ITERATION:
      return { value: typeof message === "string" ? message : utf8Decoder.decode(message), done: false };
    default:
      return message;
  }
}
