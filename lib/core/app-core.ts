/**
 * What an app needs at request time, computed once: route tables, limits,
 * the session manager, the logger. Adapters reach it through {@link appCore}.
 *
 * @module
 */
import { resolveLimits, type Limits } from "../body/limits.js";
import { UploadBudget } from "../body/upload-budget.js";
import { SessionManager } from "../session/session-manager.js";
import type { App, AppOptions } from "./app.js";
import { ERRORS, HttpError } from "../protocol/errors.js";
import { stderrLogger, type Logger } from "../protocol/logger.js";
import { normalizeSecrets } from "../cookies/signing.js";
import type { Request } from "./request.js";
import { errorResponse, type ResponseInit } from "./response.js";
import { RouteTable, type ExplicitRoute } from "./route-table.js";

export class AppCore {
  readonly app: App;
  readonly limits: Limits;
  readonly logger: Logger;
  readonly sessions: SessionManager;
  /** What all multipart uploads of the app may hold at once (`limits.uploads`, `limits.spoolBytes`). */
  readonly uploads: UploadBudget;
  readonly options: AppOptions;
  /** `options.secret` checked and normalised once (the first secret signs). */
  readonly secrets: readonly string[] | undefined;
  readonly explicitRoutes: ExplicitRoute[] = [];
  #http: RouteTable | undefined;
  #ws: RouteTable | undefined;

  constructor(app: App, options: AppOptions, base: object) {
    this.app = app;
    this.options = options;
    this.secrets = options.secret === undefined ? undefined : normalizeSecrets(options.secret);
    this.limits = resolveLimits(options.limits);
    this.uploads = new UploadBudget(this.limits.uploads, this.limits.spoolBytes);
    this.logger = options.logger ?? stderrLogger;
    this.sessions = new SessionManager(options);
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
}
