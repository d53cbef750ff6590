/**
 * Which page origins may open a WebSocket: the defence against cross-site
 * WebSocket hijacking. Browsers send cookies with a handshake started by any
 * page (the Same-Origin Policy does not cover WebSockets, and SameSite=Lax
 * still lets a sibling site such as another port or subdomain through), so a
 * `ws_` route that trusts the session would serve an attacker's page as the
 * victim. The browser always sends `Origin` on a handshake (RFC 6455 §4.1
 * item 8, §10.2), which the server can check.
 *
 * @module
 */
import { InvalidOptionError } from "../protocol/errors.js";
import type { Headers } from "../protocol/protocol.js";

/** What the origin check reads of a handshake: its headers (upie passes its `Request`). */
export interface HandshakeRequest {
  readonly headers: Headers;
}

/**
 * `websocket.origins`:
 * - omitted (default): a handshake that carries cookies must come from the
 *   server's own origin; one without cookies may come from anywhere (it
 *   rides on no ambient credential).
 * - `"same-origin"`: every browser handshake must come from the server's own origin.
 * - a list of origins (`"https://app.example"`): those, and the server's own origin.
 * - `"*"`: any origin (the app checks something else, e.g. a token in the first message).
 * - a function `(origin, request) => boolean`: your own rule, for every handshake.
 *
 * A handshake without an `Origin` header (not a browser: no page can make one) is
 * allowed, except by a function, which sees `origin` as `undefined`.
 */
export type WebSocketOrigins<R extends HandshakeRequest = HandshakeRequest> =
  | "same-origin"
  | "*"
  | readonly string[]
  | ((origin: string | undefined, request: R) => boolean);

/** Decides one handshake: true to go on, false for HTTP 403. */
export type OriginCheck<R extends HandshakeRequest = HandshakeRequest> = (request: R) => boolean;

/**
 * Compiles `websocket.origins` into a check, validating it.
 *
 * @throws {@link InvalidOptionError} for anything but the forms above, or a list entry that is not an origin.
 * @example
 * ```ts
 * const allowed = originCheck(["https://app.example"]);
 * allowed(request); // false for Origin: https://evil.example
 * ```
 */
export function originCheck<R extends HandshakeRequest>(origins: WebSocketOrigins<R> | undefined): OriginCheck<R> {
  if (origins === undefined) return withCookiesSameOrigin;
  if (origins === "*") return () => true;
  if (origins === "same-origin") return sameOriginOnly;
  if (typeof origins === "function") return (request) => origins(request.headers.origin, request) === true;
  if (Array.isArray(origins)) {
    const allowed = new Set(origins.map(normalizeOrigin));
    return (request) => {
      const origin = request.headers.origin;
      return origin === undefined || isSameOrigin(origin, request) || allowed.has(origin.toLowerCase());
    };
  }
  throw new InvalidOptionError('websocket.origins must be "same-origin", "*", a list of origins or a function (origin, request) => boolean');
}

function withCookiesSameOrigin(request: HandshakeRequest): boolean {
  const origin = request.headers.origin;
  return origin === undefined || request.headers.cookie === undefined || isSameOrigin(origin, request);
}

function sameOriginOnly(request: HandshakeRequest): boolean {
  const origin = request.headers.origin;
  return origin === undefined || isSameOrigin(origin, request);
}

/**
 * True when `origin` names the host the request was sent to. Only host and
 * port are compared: behind a TLS-terminating proxy the server cannot know
 * the scheme. A proxy that rewrites `Host` needs an explicit list.
 */
function isSameOrigin(origin: string, request: HandshakeRequest): boolean {
  const host = request.headers.host;
  if (host === undefined || origin === "null") return false;
  try {
    return new URL(origin).host === new URL(`http://${host}`).host;
  } catch {
    return false;
  }
}

function normalizeOrigin(entry: unknown): string {
  if (typeof entry !== "string") throw new InvalidOptionError("websocket.origins entries must be strings such as \"https://app.example\"");
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    throw new InvalidOptionError(`websocket.origins: ${JSON.stringify(entry)} is not an origin such as "https://app.example"`);
  }
  if (url.origin === "null" || url.origin !== entry.replace(/\/$/, "").toLowerCase()) {
    throw new InvalidOptionError(`websocket.origins: ${JSON.stringify(entry)} is not an origin (scheme://host[:port], no path)`);
  }
  return url.origin;
}
