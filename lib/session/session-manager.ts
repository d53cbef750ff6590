/**
 * Loads a request's session before the handler and commits it after.
 *
 * Nothing touches the backend unless the request carries a `session_id`
 * cookie or the handler stored something: a request without a session costs
 * one property check.
 *
 * @module
 */
import type { Headers } from "../protocol/protocol.js";
import { InvalidOptionError } from "../protocol/errors.js";
import { isSessionBackend, type SessionBackend, type SessionData } from "./backend.js";
import { InMemorySessionBackend } from "./memory.js";
import { DEFAULT_SESSION_TTL_SECONDS, SESSION_COOKIE_NAME, SessionCookie } from "./session-cookie.js";
import { SessionState } from "./session-state.js";

/** What the manager needs of a request (the core's `Request` has it). */
export interface SessionRequest {
  readonly headers: Headers;
  readonly cookies: Record<string, string>;
  session: SessionData;
  /** True once `session` was read or assigned. */
  readonly hasSession: boolean;
  readonly sessionRegenerated: boolean;
  /** The loaded session, kept between {@link SessionManager.load} and {@link SessionManager.commit}. */
  sessionState: SessionState | undefined;
  /** `Set-Cookie` values the response will carry. */
  readonly outgoingCookies: string[];
}

/** The app's session options, as `new App(options)` takes them. */
export interface SessionOptions {
  sessionBackend?: SessionBackend;
  sessionTtl?: number;
  secureCookies?: boolean;
}

/** The app's sessions, resolved: where they live and how their cookie is written. */
export interface SessionSettings {
  readonly backend: SessionBackend;
  /** The only writer of the `session_id` cookie. */
  readonly cookie: SessionCookie;
}

/**
 * Checks the session options once and fills in the defaults.
 *
 * @param options - the app's session options.
 * @param secrets - the app's signing secrets, already normalised (the first signs).
 * @returns the frozen settings.
 * @throws {@link InvalidOptionError} for a backend without `load`/`save`, a bad ttl or `secureCookies`.
 * @example
 * ```ts
 * const sessions = new SessionManager(resolveSessionSettings({ sessionTtl: 3600 }, undefined));
 * ```
 */
export function resolveSessionSettings(options: SessionOptions, secrets: readonly string[] | undefined): SessionSettings {
  const { sessionBackend, sessionTtl = DEFAULT_SESSION_TTL_SECONDS, secureCookies } = options;
  if (sessionBackend !== undefined && !isSessionBackend(sessionBackend)) {
    throw new InvalidOptionError("sessionBackend must have load(id) and save(id, data, ttlSeconds) methods");
  }
  if (!Number.isSafeInteger(sessionTtl) || sessionTtl <= 0) throw new InvalidOptionError(`sessionTtl must be a positive integer of seconds, got ${String(sessionTtl)}`);
  return Object.freeze({
    backend: sessionBackend ?? new InMemorySessionBackend(),
    cookie: new SessionCookie(sessionTtl, { secret: secrets, secure: secureCookies === true }),
  });
}

/** The app's sessions: which backend, and the one cookie writer. */
export class SessionManager {
  readonly backend: SessionBackend;
  /** Writes every `session_id` cookie the app sends (HTTP responses and WebSocket handshakes). */
  readonly cookie: SessionCookie;

  /** @param settings - from {@link resolveSessionSettings}. */
  constructor(settings: SessionSettings) {
    this.backend = settings.backend;
    this.cookie = settings.cookie;
  }

  /**
   * Loads the session named by the request's cookie, if any, into
   * `request.session`. Returns nothing (no promise) when there is no cookie.
   */
  load(request: SessionRequest): Promise<void> | undefined {
    if (request.headers.cookie === undefined) return undefined;
    const cookie = request.cookies[SESSION_COOKIE_NAME];
    if (cookie === undefined) return undefined;
    return this.#load(request, cookie);
  }

  async #load(request: SessionRequest, cookie: string): Promise<void> {
    const state = await SessionState.load(this.backend, cookie, this.cookie);
    request.sessionState = state;
    request.session = state.data;
  }

  /**
   * Saves what changed and queues the session cookie on the request's
   * outgoing cookies. Returns nothing (no promise) when there is nothing to do.
   */
  commit(request: SessionRequest): Promise<void> | undefined {
    if (!request.hasSession) return undefined;
    const state = request.sessionState;
    if (state === undefined && !hasKeys(request.session)) return undefined;
    return this.#commit(request, state);
  }

  async #commit(request: SessionRequest, state: SessionState | undefined): Promise<void> {
    const data = request.session;
    state ??= await SessionState.load(this.backend, undefined, this.cookie);
    if (request.sessionRegenerated) state.regenerate();
    const cookie = await state.commit(data);
    if (cookie !== undefined) request.outgoingCookies.push(cookie);
  }
}

function hasKeys(data: object): boolean {
  for (const _ in data) return true;
  return false;
}
