/**
 * Which close codes and reasons an endpoint may send (RFC 6455 §7.4, §5.5).
 *
 * @module
 */
import { ArgumentRangeError, InvalidArgumentError } from "../protocol/errors.js";

/** Largest close reason: a control frame carries ≤ 125 bytes, 2 of them the code (RFC 6455 §5.5). */
export const MAX_CLOSE_REASON_BYTES = 123;

/**
 * Whether `code` may be sent in a close frame: 1000–1003 and 1007–1014
 * (RFC 6455 §7.4.1 plus the IANA registry's 1012–1014), or 3000–4999 for
 * libraries and applications. 1004 is reserved; 1005, 1006 and 1015 only
 * describe a closure and must never be sent.
 *
 * @param code - a candidate close code.
 * @returns true when it can go on the wire.
 * @example
 * ```ts
 * isSendableCloseCode(1000); // true
 * isSendableCloseCode(1006); // false
 * ```
 */
export function isSendableCloseCode(code: unknown): code is number {
  if (typeof code !== "number" || !Number.isInteger(code)) return false;
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

/**
 * Checks a close code and reason before they are sent.
 *
 * @param code - see {@link isSendableCloseCode}.
 * @param reason - at most {@link MAX_CLOSE_REASON_BYTES} bytes of UTF-8.
 * @throws {@link ArgumentRangeError} (a `RangeError`) naming what is wrong; {@link InvalidArgumentError} (a `TypeError`) for a reason that is not a string.
 * @example
 * ```ts
 * assertCloseFrame(4000, "bye"); // fine
 * assertCloseFrame(1005, "");    // throws RangeError
 * ```
 */
export function assertCloseFrame(code: unknown, reason: unknown): void {
  if (!isSendableCloseCode(code)) {
    throw new ArgumentRangeError(`Invalid WebSocket close code ${String(code)}: use 1000-1003, 1007-1014 or 3000-4999 (RFC 6455 §7.4)`);
  }
  if (typeof reason !== "string") throw new InvalidArgumentError("WebSocket close reason must be a string");
  // Cheap upper bound first: a UTF-16 unit is at most 3 UTF-8 bytes.
  if (reason.length * 3 > MAX_CLOSE_REASON_BYTES && Buffer.byteLength(reason) > MAX_CLOSE_REASON_BYTES) {
    throw new ArgumentRangeError(`WebSocket close reason is longer than ${MAX_CLOSE_REASON_BYTES} bytes of UTF-8`);
  }
}
