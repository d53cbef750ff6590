/**
 * The app's options, resolved once: `new App(options)` checks every option,
 * fills in the defaults and freezes the result into one {@link AppConfig}
 * that every module reads. Nothing reads the raw options bag after this.
 *
 * @module
 */
import { resolveLimits, type Limits } from "../body/limits.js";
import { normalizeSecrets } from "../cookies/signing.js";
import { stderrLogger, type Logger } from "../protocol/logger.js";
import type { Broker } from "../pubsub/broker.js";
import { LocalBroker } from "../pubsub/local-broker.js";
import type { SessionBackend } from "../session/backend.js";
import { resolveSessionSettings, type SessionSettings } from "../session/session-manager.js";
import { Templates } from "../templates/templates.js";
import type { WebSocketOrigins } from "../websocket-policy/origin-policy.js";
import { resolveWebSocketOptions, type ResolvedWebSocketOptions, type WebSocketOptions } from "../websocket-policy/websocket-options.js";
import type { Request } from "./request.js";

/** The app's `websocket` options: `origins` rules see upie's {@link Request}. */
export type AppWebSocketOptions = WebSocketOptions<Request>;

/** `websocket.origins` with upie's {@link Request} (see {@link WebSocketOrigins}). */
export type AppWebSocketOrigins = WebSocketOrigins<Request>;

/** Options for `new App(options)`; every one is optional. */
export interface AppOptions {
  /** Where sessions live. Default: a new {@link InMemorySessionBackend}. */
  sessionBackend?: SessionBackend;
  /** Session lifetime in seconds, refreshed on every save. Default 14 days. */
  sessionTtl?: number;
  /** Mark the session cookie `Secure` (serve over HTTPS). Default false. */
  secureCookies?: boolean;
  /** Signs cookies with HMAC-SHA256; a list rotates secrets (the first signs). */
  secret?: string | readonly string[];
  /** Request size limits (bytes and counts); safe finite defaults. */
  limits?: Partial<Limits>;
  /** Where handler errors are reported. Default: stderr. */
  logger?: Logger;
  /** WebSocket settings (payload, backpressure, queue bounds, timeouts). */
  websocket?: AppWebSocketOptions;
  /** The folder {@link App.renderTemplate} reads from, relative to the working directory. Default "templates". */
  templates?: string;
}

/** {@link AppOptions} checked, with every default filled in; frozen. */
export interface AppConfig {
  /** Request limits. */
  readonly limits: Readonly<Limits>;
  readonly logger: Logger;
  /** `secret` normalised to a list (the first signs), or undefined when cookies are not signed. */
  readonly secrets: readonly string[] | undefined;
  /** The session backend and the session cookie's writer. */
  readonly sessions: SessionSettings;
  /** WebSocket settings. */
  readonly websocket: ResolvedWebSocketOptions<Request>;
  /** Where `app.publish` goes: the user's broker, or the app's own {@link LocalBroker}. */
  readonly broker: Broker;
  /** The templates folder `renderTemplate` reads (Nunjucks loads on first use). */
  readonly templates: Templates;
}

/**
 * Checks `options` and resolves them into the app's config.
 *
 * @param options - what the user passed to `new App(options)`.
 * @returns the frozen config.
 * @throws {@link InvalidOptionError} naming the first bad option.
 * @example
 * ```ts
 * resolveAppConfig({ sessionTtl: 3600 }).limits.bodySize; // 1048576
 * ```
 */
export function resolveAppConfig(options: AppOptions): AppConfig {
  const secrets = options.secret === undefined ? undefined : Object.freeze([...normalizeSecrets(options.secret)]);
  const limits = resolveLimits(options.limits);
  const logger = options.logger ?? stderrLogger;
  const sessions = resolveSessionSettings(options, secrets);
  const websocket = resolveWebSocketOptions<Request>(options.websocket);
  // A broker that leaves the process (Redis) signs what it writes with the app's secret.
  if (secrets !== undefined) websocket.broker?.useSecrets?.(secrets);
  return Object.freeze({
    limits,
    logger,
    secrets,
    sessions,
    websocket,
    broker: websocket.broker ?? new LocalBroker(),
    templates: new Templates(options.templates),
  });
}
