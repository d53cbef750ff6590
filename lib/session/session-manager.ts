/**
 * Loads a request's session before the handler and commits it after.
 *
 * Nothing touches the backend unless the request carries a `session_id`
 * cookie or the handler stored something: a request without a session costs
 * one property check.
 *
 * @module
 */
import type { AppOptions } from "../core/app.js";
import type { Request } from "../core/request.js";
import { InvalidOptionError } from "../protocol/errors.js";
import { normalizeSecrets } from "../cookies/signing.js";
import { isSessionBackend, type SessionBackend } from "./backend.js";
import { InMemorySessionBackend } from "./memory.js";
import { DEFAULT_SESSION_TTL_SECONDS, SESSION_COOKIE_NAME, SessionState } from "./session-state.js";

const states = new WeakMap<Request, SessionState>();

/** The app's sessions: which backend, how long they live, how their cookie is written. */
export class SessionManager {
  readonly backend: SessionBackend;
  readonly #ttl: number;
  readonly #stateOptions: { secret?: string | readonly string[]; secure?: boolean };

  /** Checks the session options once, at app construction. */
  constructor(options: AppOptions) {
    const { sessionBackend, sessionTtl = DEFAULT_SESSION_TTL_SECONDS, secret, secureCookies } = options;
    if (sessionBackend !== undefined && !isSessionBackend(sessionBackend)) {
      throw new InvalidOptionError("sessionBackend must have load(id) and save(id, data, ttlSeconds) methods");
    }
    if (!Number.isSafeInteger(sessionTtl) || sessionTtl <= 0) throw new InvalidOptionError(`sessionTtl must be a positive integer of seconds, got ${String(sessionTtl)}`);
    this.backend = sessionBackend ?? new InMemorySessionBackend();
    this.#ttl = sessionTtl;
    this.#stateOptions = { secret: secret === undefined ? undefined : normalizeSecrets(secret), secure: secureCookies === true };
  }

  /**
   * Loads the session named by the request's cookie, if any, into
   * `request.session`. Returns nothing (no promise) when there is no cookie.
   */
  load(request: Request): Promise<void> | undefined {
    if (request.headers.cookie === undefined) return undefined;
    const cookie = request.cookies[SESSION_COOKIE_NAME];
    if (cookie === undefined) return undefined;
    return this.#load(request, cookie);
  }

  async #load(request: Request, cookie: string): Promise<void> {
    const state = await SessionState.load(this.backend, cookie, this.#ttl, this.#stateOptions);
    states.set(request, state);
    request.session = state.data;
  }

  /**
   * Saves what changed and queues the session cookie on the request's
   * outgoing cookies. Returns nothing (no promise) when there is nothing to do.
   */
  commit(request: Request): Promise<void> | undefined {
    if (!request.hasSession) return undefined;
    const state = states.get(request);
    if (state === undefined && !hasKeys(request.session)) return undefined;
    return this.#commit(request, state);
  }

  async #commit(request: Request, state: SessionState | undefined): Promise<void> {
    const data = request.session;
    state ??= await SessionState.load(this.backend, undefined, this.#ttl, this.#stateOptions);
    if (request.sessionRegenerated) state.regenerate();
    const cookie = await state.commit(data);
    if (cookie !== undefined) request.outgoingCookies.push(cookie);
  }
}

function hasKeys(data: object): boolean {
  for (const _ in data) return true;
  return false;
}
