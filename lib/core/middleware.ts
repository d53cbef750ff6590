/**
 * Middleware base classes. Extend them and push instances onto
 * `app.middlewares` / `app.webSocketMiddlewares`; each hook is optional.
 *
 * @module
 */
import type { Request } from "./request.js";
import type { ResponseInit } from "./response.js";

/**
 * Runs around every HTTP request, in the order of `app.middlewares`.
 *
 * @example
 * ```ts
 * class Auth extends HttpMiddleware {
 *   async beforeRequest(request: Request) {
 *     if (!request.session.user) return [401, "log in first"];
 *   }
 * }
 * app.middlewares.push(new Auth());
 * ```
 */
export abstract class HttpMiddleware {
  /**
   * The early phase: called for every request (after routing, before a
   * 404/405 is decided) **before the body is read and before the session is
   * loaded**, so refusing here costs no upload spooled to disk and no session
   * backend round trip. `request.session`, `bodyParams`, `files` and
   * `jsonBody` are still empty. Return anything a handler may return to
   * answer right away; `undefined` to go on. `RateLimit` runs here, and
   * `Csrf` refuses what it can without the body.
   */
  beforeBody?(request: Request): unknown;
  /**
   * Called before the handler (and before a 404/405 is decided). Return
   * anything a handler may return to answer right away; `undefined` to go on.
   */
  beforeRequest?(request: Request): unknown;
  /**
   * Called with the response about to be written (also error responses).
   * Mutate `response.headers` (lower-case names) or return a replacement.
   */
  afterRequest?(request: Request, response: ResponseInit): ResponseInit | void | Promise<ResponseInit | void>;
}

/** What `beforeWebSocket` returns to refuse a handshake. */
export interface WebSocketRejection {
  /** HTTP status for the refused handshake (403 when omitted). */
  code?: number;
  reason?: string;
}

/** Runs around every WebSocket connection, in the order of `app.webSocketMiddlewares`. */
export abstract class WebSocketMiddleware {
  /** Called before the `ws_` handler; return `{ code, reason }` to refuse the handshake. */
  beforeWebSocket?(request: Request): WebSocketRejection | void | undefined | Promise<WebSocketRejection | void | undefined>;
  /** Called after the `ws_` handler has finished (the socket is closed). */
  afterWebSocket?(request: Request): void | Promise<void>;
}
