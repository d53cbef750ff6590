/**
 * One request's view of its session: loads it from the `session_id` cookie,
 * hands the core a plain object for `request.session`, and at the end of the
 * request decides what to save and which `Set-Cookie` to send.
 *
 * The rules, from DESIGN.md: an id the server did not issue (unknown, expired,
 * forged, malformed) is never adopted; a session, and its cookie, exists only
 * once something is stored; emptying the data logs out. On top of that,
 * {@link SessionState.regenerate} rotates the id at login, so an id planted in
 * a victim's browser before login is worthless after it (session fixation,
 * OWASP Session Management Cheat Sheet, "Renew the Session ID After Any
 * Privilege Level Change").
 *
 * @module
 */

import { deleteCookieHeader, serializeCookie, type CookieOptions } from "../cookies/cookies.js";
import { InvalidOptionError } from "../protocol/errors.js";
import { normalizeSecrets, signCookie, unsignCookie } from "../cookies/signing.js";
import type { SessionBackend, SessionData } from "./backend.js";
import { isCookieSafeSessionId, newSessionId } from "./session-id.js";

/** The cookie carrying the session id (fixed by DESIGN.md). */
export const SESSION_COOKIE_NAME = "session_id";

/** How long a session lives after its last save: 14 days. */
export const DEFAULT_SESSION_TTL_SECONDS = 14 * 24 * 60 * 60;

/** How the session cookie is written and read. */
export interface SessionCookieOptions {
  /**
   * Sign the cookie with HMAC-SHA256: written with the first secret, read
   * with any of them (list retired secrets after the current one to rotate).
   * A cookie whose signature does not verify is treated as absent.
   */
  secret?: string | readonly string[];
  /** Add `Secure`, so the cookie only travels over HTTPS. Default false. */
  secure?: boolean;
}

/**
 * The session of one request.
 *
 * @example
 * ```ts
 * // in the core, around a handler:
 * const state = await SessionState.load(backend, cookies.session_id, ttl, { secret });
 * request.session = state.data;
 * await handler();
 * const setCookie = await state.commit(request.session);
 * if (setCookie !== undefined) headers["set-cookie"] = setCookie;
 * ```
 */
export class SessionState {
  /** The object handed to the user as `request.session`. */
  data: SessionData;
  readonly #backend: SessionBackend;
  readonly #ttlSeconds: number;
  readonly #options: SessionCookieOptions;
  #id: string | undefined;
  /** JSON of the data as last loaded or saved: unchanged data is not saved again. */
  #snapshot: string;
  #regenerate = false;

  private constructor(
    backend: SessionBackend,
    ttlSeconds: number,
    options: SessionCookieOptions,
    id: string | undefined,
    data: SessionData,
  ) {
    this.#backend = backend;
    this.#ttlSeconds = ttlSeconds;
    this.#options = options;
    this.#id = id;
    this.data = data;
    this.#snapshot = JSON.stringify(data);
  }

  /**
   * Loads the session a request's cookie points to.
   *
   * @param backend - where sessions live.
   * @param cookieValue - the request's `session_id` cookie, if any (untrusted).
   * @param ttlSeconds - lifetime of a session after each save; default 14 days.
   * @param options - cookie signing and `Secure`; see {@link SessionCookieOptions}.
   * @returns the state; its `data` is empty and its `id` undefined unless the
   *   cookie is well-formed, correctly signed (when secrets are given) and known to the backend.
   * @throws {@link InvalidOptionError} for a ttl that is not a positive integer or an invalid secret;
   *   whatever the backend's `load` throws.
   */
  static async load(
    backend: SessionBackend,
    cookieValue: string | undefined,
    ttlSeconds: number = DEFAULT_SESSION_TTL_SECONDS,
    options: SessionCookieOptions = {},
  ): Promise<SessionState> {
    assertTtl(ttlSeconds);
    const checked = checkOptions(options);
    const id = readSessionId(cookieValue, checked.secret);
    const stored = id === undefined ? undefined : await backend.load(id);
    if (!isSessionObject(stored)) return new SessionState(backend, ttlSeconds, checked, undefined, {});
    return new SessionState(backend, ttlSeconds, checked, id, stored);
  }

  /** The id of the stored session this request carries, or `undefined` (none yet, or logged out). */
  get id(): string | undefined {
    return this.#id;
  }

  /**
   * Asks for a new session id at {@link SessionState.commit}: the old one is
   * deleted and the data moves to a fresh id. Call it right after a user
   * authenticates, so an id fixed before login is useless after it.
   */
  regenerate(): void {
    this.#regenerate = true;
  }

  /**
   * Saves what changed and says which cookie to send.
   *
   * @param data - `request.session` as it is at the end of the request (the user
   *   may have replaced the object); anything but a plain object counts as empty.
   * @param options - overrides the options given to {@link SessionState.load}.
   * @returns a `Set-Cookie` header value, or `undefined` when the cookie need not change.
   * @throws whatever the backend's `save` throws, or `JSON.stringify` for data it cannot
   *   serialise (a cycle, a BigInt).
   */
  async commit(data: SessionData, options: SessionCookieOptions = {}): Promise<string | undefined> {
    const settings = { ...this.#options, ...checkOptions(options) };
    const current = isSessionObject(data) ? data : {};
    // Compare and decide on the JSON form, which is what a backend keeps:
    // `{ a: undefined }` is as empty as `{}`.
    const snapshot = JSON.stringify(current);
    const empty = snapshot === "{}";
    const oldId = this.#id;
    const regenerate = this.#regenerate;
    this.data = current;
    this.#regenerate = false;

    if (regenerate && oldId !== undefined) {
      await this.#backend.save(oldId, {}, 0);
      this.#forget(snapshot);
      return empty ? this.#expiredCookie(settings) : this.#store(newSessionId(), current, snapshot, settings);
    }
    if (oldId === undefined) {
      // No session yet: create one only once there is something to keep.
      return empty ? undefined : this.#store(newSessionId(), current, snapshot, settings);
    }
    if (snapshot === this.#snapshot) return undefined;
    if (empty) {
      // Logout: drop the stored session and tell the client to forget the id.
      await this.#backend.save(oldId, {}, 0);
      this.#forget(snapshot);
      return this.#expiredCookie(settings);
    }
    return this.#store(oldId, current, snapshot, settings);
  }

  async #store(id: string, data: SessionData, snapshot: string, settings: SessionCookieOptions): Promise<string> {
    // Every save restarts the ttl, and the cookie's Max-Age with it, so the
    // client and the backend forget the session at the same time.
    await this.#backend.save(id, data, this.#ttlSeconds);
    this.#id = id;
    this.#snapshot = snapshot;
    return serializeSessionCookie(id, this.#ttlSeconds, settings);
  }

  #forget(snapshot: string): void {
    this.#id = undefined;
    this.#snapshot = snapshot;
  }

  #expiredCookie(settings: SessionCookieOptions): string {
    return deleteCookieHeader(SESSION_COOKIE_NAME, cookieAttributes(settings));
  }
}

/**
 * Builds the `Set-Cookie` value that hands a session id to a client, signed
 * when secrets are given: what {@link SessionState.commit} sends, exposed for
 * places that issue the cookie themselves (a WebSocket handshake's
 * `accept(subprotocol, sessionId)`).
 *
 * @param id - a session id from {@link newSessionId}, or any id the app chose
 *   that a cookie can carry (1..256 RFC 6265 cookie-octets).
 * @param ttlSeconds - the cookie's `Max-Age`; match the backend ttl. Default 14 days.
 * @param options - signing secret(s) and `Secure`.
 * @returns e.g. `session_id=<id>; Max-Age=1209600; Path=/; HttpOnly; SameSite=Lax`.
 * @throws {@link InvalidOptionError} for an id a cookie cannot carry, a bad ttl or bad options.
 */
export function serializeSessionCookie(
  id: string,
  ttlSeconds: number = DEFAULT_SESSION_TTL_SECONDS,
  options: SessionCookieOptions = {},
): string {
  if (!isCookieSafeSessionId(id)) {
    throw new InvalidOptionError("a session id must be 1 to 256 cookie-safe characters (RFC 6265 cookie-octets: no space, quote, comma, semicolon, backslash or control character)");
  }
  assertTtl(ttlSeconds);
  const settings = checkOptions(options);
  const value = settings.secret === undefined ? id : signCookie(SESSION_COOKIE_NAME, id, normalizeSecrets(settings.secret)[0]!);
  return serializeCookie(SESSION_COOKIE_NAME, value, { ...cookieAttributes(settings), maxAge: ttlSeconds });
}

function cookieAttributes(settings: SessionCookieOptions): CookieOptions {
  return { path: "/", httpOnly: true, sameSite: "lax", secure: settings.secure === true };
}

/** The session id a cookie carries, if it is one we could have issued. */
function readSessionId(cookieValue: string | undefined, secret: string | readonly string[] | undefined): string | undefined {
  if (typeof cookieValue !== "string" || cookieValue.length === 0) return undefined;
  const id = secret === undefined ? cookieValue : unsignCookie(SESSION_COOKIE_NAME, cookieValue, secret);
  return isCookieSafeSessionId(id) ? id : undefined;
}

function isSessionObject(value: unknown): value is SessionData {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function assertTtl(ttlSeconds: unknown): asserts ttlSeconds is number {
  if (!Number.isSafeInteger(ttlSeconds) || (ttlSeconds as number) < 1) {
    throw new InvalidOptionError(`session ttl must be a positive whole number of seconds, got ${String(ttlSeconds)}`);
  }
}

/** Validates the options and drops undefined keys, so spreading them never unsets a default. */
function checkOptions(options: SessionCookieOptions): SessionCookieOptions {
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionError("session cookie options must be an object");
  }
  const checked: SessionCookieOptions = {};
  if (options.secret !== undefined) checked.secret = normalizeSecrets(options.secret);
  if (options.secure !== undefined) {
    if (typeof options.secure !== "boolean") throw new InvalidOptionError("session cookie secure must be a boolean");
    checked.secure = options.secure;
  }
  return checked;
}
