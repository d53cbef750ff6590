/**
 * Session ids: unguessable, and cheap to reject when malformed.
 *
 * @module
 */

import { randomBytes } from "node:crypto";

// 32 random bytes = 256 bits, well above the 128-bit floor OWASP recommends
// for session identifiers, so guessing a live id is not a practical attack.
const ID_BYTES = 32;
// base64url of 32 bytes, unpadded: ceil(32 * 8 / 6) = 43 characters.
const WELL_FORMED_ID = /^[A-Za-z0-9_-]{43}$/;

/**
 * Draws a new session id from the OS CSPRNG.
 *
 * @returns 43 base64url characters (256 bits), safe in a cookie value as is.
 */
export function newSessionId(): string {
  return randomBytes(ID_BYTES).toString("base64url");
}

/**
 * Tells whether `value` could be an id from {@link newSessionId}, so junk
 * from a cookie never reaches (or costs a round trip to) a backend.
 *
 * @param value - untrusted input.
 * @returns true for exactly 43 base64url characters.
 */
export function isWellFormedSessionId(value: unknown): value is string {
  return typeof value === "string" && WELL_FORMED_ID.test(value);
}

// RFC 6265 §4.1.1 cookie-octets (no CTLs, space, DQUOTE, comma, `;` or `\`),
// bounded so a stored id never costs a backend more than a short key.
const COOKIE_SAFE_ID = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]{1,256}$/;

/**
 * Tells whether `value` can be a session id in the `session_id` cookie: one
 * upie issued, or one the app chose (`ws.accept(subprotocol, "abc123")`, as
 * MicroPie allows). 1 to 256 RFC 6265 cookie-octets.
 *
 * An id that passes is still only adopted if the backend knows it.
 *
 * @param value - untrusted input.
 */
export function isCookieSafeSessionId(value: unknown): value is string {
  return typeof value === "string" && COOKIE_SAFE_ID.test(value);
}
