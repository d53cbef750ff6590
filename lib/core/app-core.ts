/**
 * What an app needs at request time, computed once: route tables, the
 * resolved config, the session manager, the lifecycle. Adapters reach it
 * through {@link appCore}.
 *
 * @module
 */
import type { Limits } from "../body/limits.js";
import { UploadBudget } from "../body/upload-budget.js";
import { SessionManager } from "../session/session-manager.js";
import type { AppConfig } from "./app-config.js";
import { AppLifecycle } from "./app-lifecycle.js";
import { ERRORS, HttpError } from "../protocol/errors.js";
import type { Logger } from "../protocol/logger.js";
import type { ResponseHeaders } from "../protocol/protocol.js";
import type { Request } from "./request.js";
import { errorResponse, validateHeaders, type ResponseInit } from "./response.js";
import { RouteTable, type ExplicitRoute } from "./route-table.js";
import type { HttpMiddleware, WebSocketMiddleware } from "./middleware.js";

/**
 * What the core reads of the user's `App`: its handler methods (through the
 * route tables) and its middleware and lifecycle lists. A shape, not the class,
 * so this file does not import app.ts, which imports it.
 */
export interface AppInstance {
  readonly middlewares: HttpMiddleware[];
  readonly webSocketMiddlewares: WebSocketMiddleware[];
  readonly startupHandlers: Array<() => unknown>;
  readonly shutdownHandlers: Array<() => unknown>;
}

export class AppCore {
  readonly app: AppInstance;
  /** The app's options, resolved and frozen: the one place every module reads settings from. */
  readonly config: AppConfig;
  /** `config.limits`, `config.logger` and `config.secrets`, as own fields for the request path. */
  readonly limits: Readonly<Limits>;
  readonly logger: Logger;
  readonly secrets: readonly string[] | undefined;
  readonly sessions: SessionManager;
  /** What all multipart uploads of the app may hold at once (`limits.uploads`, `limits.spoolBytes`). */
  readonly uploads: UploadBudget;
  /** Startup and shutdown, the same for every adapter. */
  readonly lifecycle: AppLifecycle;
  readonly explicitRoutes: ExplicitRoute[] = [];
  #http: RouteTable | undefined;
  #ws: RouteTable | undefined;

  constructor(app: AppInstance, config: AppConfig, base: object) {
    this.app = app;
    this.config = config;
    this.limits = config.limits;
    this.logger = config.logger;
    this.secrets = config.secrets;
    this.uploads = new UploadBudget(config.limits.uploads, config.limits.spoolBytes);
    this.sessions = new SessionManager(config.sessions);
    this.lifecycle = new AppLifecycle({
      prepare: () => this.freeze(),
      startupHandlers: app.startupHandlers,
      shutdownHandlers: app.shutdownHandlers,
      logger: config.logger,
    });
    this.#base = base;
  }

  readonly #base: object;

  /** HTTP routes, built on first use (after the subclass constructor has run). */
  get http(): RouteTable {
    return (this.#http ??= new RouteTable(this.app, this.#base, this.explicitRoutes, false));
  }

  /** WebSocket routes (`ws_` methods), built on first use. */
  get ws(): RouteTable {
    return (this.#ws ??= new RouteTable(this.app, this.#base, this.explicitRoutes, true));
  }

  /** Builds both tables now, so a bad route fails `listen()` rather than a request. */
  freeze(): void {
    void this.http;
    void this.ws;
  }

  /** True when a request carries more headers than `limits.headerCount`. */
  headerCountExceeded(headers: Record<string, string>): boolean {
    let count = 0;
    for (const _ in headers) if (++count > this.limits.headerCount) return true;
    return false;
  }

  /**
   * The response for an error thrown by routing, binding, a middleware or a
   * handler. Client errors are answered as they are; anything else is logged
   * with its stack and answered with a generic 500.
   */
  errorResponse(error: unknown, request: Request): ResponseInit {
    if (error instanceof HttpError && error.code !== ERRORS.INVALID_HEADER.code) {
      if (error.status >= 500 && error.code !== ERRORS.HTTP.code) this.logger.error(`${request.method} ${request.path}`, error);
      return errorResponse(error);
    }
    this.logger.error(`unhandled error in ${request.method} ${request.path}`, error);
    return errorResponse(undefined);
  }

  /**
   * The headers of a WebSocket handshake response, the only response a
   * WebSocket gets: the session is saved now, and cookies set before
   * `accept()` travel on it, with the session cookie for the id given to
   * `accept(subprotocol, sessionId)`. Every socket of the app uses this.
   *
   * @param request - the handshake request.
   * @param sessionId - the id given to `accept()`, if any.
   * @returns the headers, or nothing (no promise) when there is nothing to send.
   * @throws {@link InvalidOptionError} for a session id a cookie cannot carry.
   */
  handshakeHeaders(request: Request, sessionId: string | undefined): ResponseHeaders | undefined | Promise<ResponseHeaders | undefined> {
    const saving = this.sessions.commit(request);
    if (saving === undefined) return this.#cookieHeaders(request, sessionId);
    return saving.then(() => this.#cookieHeaders(request, sessionId));
  }

  #cookieHeaders(request: Request, sessionId: string | undefined): ResponseHeaders | undefined {
    // hasOutgoingCookies: reading outgoingCookies would allocate the empty list on every handshake.
    if (!request.hasOutgoingCookies && sessionId === undefined) return undefined;
    // Check everything before taking the cookies: a refused id throws, the handler may
    // catch it and accept again, and that handshake must still carry them.
    const cookies = [...request.outgoingCookies];
    if (sessionId !== undefined) cookies.push(this.sessions.cookie.issue(sessionId));
    const headers = { "set-cookie": cookies };
    validateHeaders(headers);
    request.outgoingCookies.length = 0; // taken: nothing sends them again
    return headers;
  }
}
