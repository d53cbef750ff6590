/**
 * What an opening handshake must carry (RFC 6455 §4.2.1), checked before a
 * handler ever sees it. uWS upgrades any GET with a `Sec-WebSocket-Key`, even
 * one with no `Upgrade` header or an unknown protocol version; a client that
 * speaks another version, or no WebSocket at all, is answered plainly instead.
 *
 * @module
 */
import type { Headers } from "../protocol/protocol.js";

/** A handshake refused before routing: the HTTP answer to send. */
export interface HandshakeProblem {
  readonly status: 400 | 426;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The only version RFC 6455 defines; 426 tells the client which to use (§4.4). */
const VERSION = "13";
/** base64 of exactly 16 bytes (§4.1: the nonce is 16 random bytes). */
const KEY = /^[A-Za-z0-9+/]{21}[AQgw]==$/;

// `Upgrade` must list `websocket` and `Connection` must list `upgrade`, each a
// comma-separated list of case-insensitive tokens (RFC 9110 §7.8, §7.6.1).
// A regex test allocates nothing; splitting and lower-casing did on every handshake.
const UPGRADE_WEBSOCKET = /(?:^|,)[ \t]*websocket[ \t]*(?:,|$)/i;
const CONNECTION_UPGRADE = /(?:^|,)[ \t]*upgrade[ \t]*(?:,|$)/i;

/**
 * Checks the upgrade headers of a WebSocket handshake.
 *
 * @param headers - the request headers, lower-case names.
 * @returns undefined for a valid handshake; otherwise the status (400, or 426
 *   for a version other than 13, with `Sec-WebSocket-Version: 13`) and why.
 * @example
 * ```ts
 * handshakeProblem({ upgrade: "websocket", connection: "Upgrade", "sec-websocket-key": key, "sec-websocket-version": "8" });
 * // → { status: 426, headers: { "sec-websocket-version": "13" }, body: "Unsupported WebSocket version" }
 * ```
 */
export function handshakeProblem(headers: Headers): HandshakeProblem | undefined {
  if (!UPGRADE_WEBSOCKET.test(headers.upgrade ?? "")) return { status: 400, body: "Missing Upgrade: websocket" };
  if (!CONNECTION_UPGRADE.test(headers.connection ?? "")) return { status: 400, body: "Missing Connection: Upgrade" };
  if (!KEY.test(headers["sec-websocket-key"] ?? "")) return { status: 400, body: "Invalid Sec-WebSocket-Key" };
  if (headers["sec-websocket-version"]?.trim() !== VERSION) {
    return { status: 426, headers: { "sec-websocket-version": VERSION }, body: "Unsupported WebSocket version" };
  }
  return undefined;
}
