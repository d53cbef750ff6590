/**
 * The `session_id` cookie: the one place that writes it (a session saved by
 * an HTTP request, a WebSocket handshake's `accept(subprotocol, sessionId)`,
 * a logout) and reads it back. Everything that sends a session cookie asks
 * this module, so the name, the signature and the attributes never differ
 * between the two paths.
 *
 * @module
 */
import { deleteCookieHeader, serializeCookie, type CookieOptions } from "../cookies/cookies.js";
import { normalizeSecrets, signCookie, unsignCookie } from "../cookies/signing.js";
import { InvalidOptionError } from "../protocol/errors.js";
import { isCookieSafeSessionId } from "./session-id.js";

/** The cookie carrying the session id (a public name: docs/sessions-and-security.md). */
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
 * Writes and reads one app's session cookie. Options are checked once, here.
 *
 * @example
 * ```ts
 * const cookie = new SessionCookie(3600, { secret: process.env.SECRET });
 * cookie.issue(newSessionId()); // "session_id=…; Max-Age=3600; Path=/; HttpOnly; SameSite=Lax"
 * cookie.read(request.cookies.session_id); // the id, or undefined when forged
 * ```
 */
export class SessionCookie {
  /** The cookie's `Max-Age`, which is also the backend ttl: client and server forget a session together. */
  readonly ttlSeconds: number;
  readonly #secrets: readonly string[] | undefined;
  readonly #attributes: CookieOptions;

  /**
   * @param ttlSeconds - lifetime of a session after each save. Default 14 days.
   * @param options - signing secret(s) and `Secure`.
   * @throws {@link InvalidOptionError} for a ttl that is not a positive whole number of seconds, or bad options.
   */
  constructor(ttlSeconds: number = DEFAULT_SESSION_TTL_SECONDS, options: SessionCookieOptions = {}) {
    if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 1) {
      throw new InvalidOptionError(`session ttl must be a positive whole number of seconds, got ${String(ttlSeconds)}`);
    }
    if (typeof options !== "object" || options === null) throw new InvalidOptionError("session cookie options must be an object");
    if (options.secure !== undefined && typeof options.secure !== "boolean") throw new InvalidOptionError("session cookie secure must be a boolean");
    this.ttlSeconds = ttlSeconds;
    this.#secrets = options.secret === undefined ? undefined : normalizeSecrets(options.secret);
    this.#attributes = Object.freeze({ path: "/", httpOnly: true, sameSite: "lax", secure: options.secure === true });
  }

  /**
   * The `Set-Cookie` value that hands a session id to a client, signed with
   * the first secret when there are any.
   *
   * @param id - a session id from `newSessionId()`, or any id the app chose
   *   that a cookie can carry (1..256 RFC 6265 cookie-octets).
   * @returns e.g. `session_id=<id>; Max-Age=1209600; Path=/; HttpOnly; SameSite=Lax`.
   * @throws {@link InvalidOptionError} for an id a cookie cannot carry.
   */
  issue(id: string): string {
    if (!isCookieSafeSessionId(id)) {
      throw new InvalidOptionError("a session id must be 1 to 256 cookie-safe characters (RFC 6265 cookie-octets: no space, quote, comma, semicolon, backslash or control character)");
    }
    const value = this.#secrets === undefined ? id : signCookie(SESSION_COOKIE_NAME, id, this.#secrets[0]!);
    return serializeCookie(SESSION_COOKIE_NAME, value, { ...this.#attributes, maxAge: this.ttlSeconds });
  }

  /** The `Set-Cookie` value that makes the client forget its session id (logout). */
  expire(): string {
    return deleteCookieHeader(SESSION_COOKIE_NAME, this.#attributes);
  }

  /**
   * The session id a cookie carries, if it is one this app could have issued.
   *
   * @param cookieValue - the request's `session_id` cookie (untrusted).
   * @returns the id, or `undefined` for a missing, malformed or forged cookie.
   */
  read(cookieValue: string | undefined): string | undefined {
    if (typeof cookieValue !== "string" || cookieValue.length === 0) return undefined;
    const id = this.#secrets === undefined ? cookieValue : unsignCookie(SESSION_COOKIE_NAME, cookieValue, this.#secrets);
    return isCookieSafeSessionId(id) ? id : undefined;
  }
}
