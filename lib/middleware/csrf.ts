/**
 * Cross-Site Request Forgery protection (OWASP CSRF Prevention Cheat Sheet):
 * a synchronizer token bound to the session once there is one, and a signed
 * double-submit cookie for anonymous visitors (no session slot taken).
 *
 * Each visitor gets a random secret (in `request.session`, or in the
 * `upie_csrf` cookie while anonymous: see {@link csrfToken}). Pages embed
 * a token derived from it ({@link csrfToken}); every unsafe request (POST,
 * PUT, PATCH, DELETE, …) must send the token back in a header or a form
 * field, or it is refused with 403. A forged cross-site form cannot know the
 * token, and a token from another session does not match this one's secret.
 *
 * Tokens are masked with a fresh random pad each time they are issued, so
 * the bytes in a page change on every render while the secret stays put:
 * that defeats compression side channels such as BREACH, which recover a
 * secret repeated verbatim in compressed responses.
 *
 * @module
 */
import { randomBytes, timingSafeEqual } from "node:crypto";

import { ERRORS, HttpError, InvalidOptionError } from "../protocol/errors.js";
import { HttpMiddleware } from "../core/middleware.js";
import type { Request } from "../core/request.js";
import { isJsonMediaType, mediaType } from "../body/media-type.js";
import { SESSION_COOKIE_NAME } from "../session/session-cookie.js";

/** The session key holding the per-session secret. */
export const CSRF_SESSION_KEY = "_csrf";
/** The cookie holding an anonymous visitor's secret (no session is created for it). */
export const CSRF_COOKIE_NAME = "upie_csrf";
/** Secrets made during this request, before their cookie reaches the client. */
const issued = new WeakMap<Request, Buffer>();
/** Stable code of the 403 a failed check throws. */
export const CSRF_ERROR_CODE = ERRORS.CSRF.code;

/** Options for {@link Csrf}. */
export interface CsrfOptions {
  /** Form (or top-level JSON) field carrying the token. Default `"csrf_token"`. */
  field?: string;
  /** Request header carrying the token (for fetch/XHR). Default `"x-csrf-token"`. */
  header?: string;
  /** Requests to let through unchecked, e.g. webhooks authenticated another way. */
  exempt?: (request: Request) => boolean;
}

const SECRET_BYTES = 32;
/** base64url of SECRET_BYTES mask bytes followed by SECRET_BYTES masked bytes. */
const TOKEN_LENGTH = Math.ceil((SECRET_BYTES * 2 * 4) / 3);
const SECRET_LENGTH = Math.ceil((SECRET_BYTES * 4) / 3);
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** RFC 9110 §9.2.1: these only read, so they need no token. */
const SAFE_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS", "TRACE"]);
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;

/**
 * The CSRF token for the current visitor. Put it in every form that posts,
 * or send it as the `X-CSRF-Token` header.
 *
 * Where the secret lives depends on who asks:
 * - a request with a stored session (someone logged in): in the session, so
 *   the token is bound to it and dies with it at logout;
 * - an anonymous visitor: in a cookie of its own (`upie_csrf`, HttpOnly,
 *   SameSite=Lax; signed and bound to its name when the app has a `secret`),
 *   the "signed double-submit cookie" pattern. No session is created, so
 *   anonymous visitors never take session slots (issue 10: 10,400 of them
 *   evicted logged-in users from a 10,000-entry store).
 *
 * @param request - the current request (`this.request`).
 * @returns a fresh masked token (86 base64url characters); every call gives
 *   different text, and all of them are valid for this visitor.
 * @example
 * ```ts
 * async form() {
 *   return this.renderTemplate("form.html", { csrf_token: csrfToken(this.request) });
 * }
 * // form.html: <input type="hidden" name="csrf_token" value="{{ csrf_token }}">
 * ```
 */
export function csrfToken(request: Request): string {
  // With a session, only its own secret: an anonymous cookie (maybe planted
  // before login) is never carried over into it.
  const inSession = hasStoredSession(request);
  let secret = inSession ? decodeSecret(request.session[CSRF_SESSION_KEY]) : readSecret(request);
  if (secret === undefined) {
    const fresh = randomBytes(SECRET_BYTES);
    const encoded = fresh.toString("base64url");
    if (inSession) {
      request.session[CSRF_SESSION_KEY] = encoded;
    } else {
      request.setCookie(CSRF_COOKIE_NAME, encoded, { signed: request.signsCookies });
      issued.set(request, fresh);
    }
    secret = fresh;
  }
  const mask = randomBytes(SECRET_BYTES);
  const masked = Buffer.allocUnsafe(SECRET_BYTES);
  for (let i = 0; i < SECRET_BYTES; i++) masked[i] = mask[i]! ^ secret[i]!;
  return Buffer.concat([mask, masked]).toString("base64url");
}

/**
 * Checks `token` against the visitor's secret in constant time.
 *
 * @param request - the current request; its session or its `upie_csrf` cookie holds the secret.
 * @param token - untrusted input; anything malformed is simply invalid.
 * @returns true when the token was issued by {@link csrfToken} for this visitor.
 * @example
 * ```ts
 * if (!verifyCsrfToken(this.request, this.request.form("csrf_token") ?? "")) throw new HttpError(403);
 * ```
 */
export function verifyCsrfToken(request: Request, token: unknown): boolean {
  if (typeof token !== "string" || token.length !== TOKEN_LENGTH || !BASE64URL.test(token)) return false;
  const secret = readSecret(request);
  if (secret === undefined) return false;
  const bytes = Buffer.from(token, "base64url");
  if (bytes.length !== SECRET_BYTES * 2) return false;
  const unmasked = Buffer.allocUnsafe(SECRET_BYTES);
  for (let i = 0; i < SECRET_BYTES; i++) unmasked[i] = bytes[i]! ^ bytes[i + SECRET_BYTES]!;
  return timingSafeEqual(unmasked, secret);
}

/**
 * Refuses unsafe requests (anything but GET, HEAD, OPTIONS, TRACE) that do
 * not carry the visitor's CSRF token, with 403 `UPIE_ERR_CSRF`.
 *
 * Safe methods are never checked, so **a handler that changes state must
 * not answer GET**: restrict it with `@post()` (or `@route({ methods: ["POST"] })`),
 * or `GET /transfer?to=evil` reaches it with the victim's cookies and no token.
 *
 * @example
 * ```ts
 * app.middlewares.push(new Csrf());                         // field "csrf_token", header "x-csrf-token"
 * app.middlewares.push(new Csrf({ exempt: (r) => r.path.startsWith("/webhooks/") }));
 * ```
 */
export class Csrf extends HttpMiddleware {
  readonly #field: string;
  readonly #header: string;
  readonly #exempt: ((request: Request) => boolean) | undefined;

  /**
   * @param options - token field and header names, exemptions; see {@link CsrfOptions}.
   * @throws {@link InvalidOptionError} for an empty field, an invalid header name or a non-function `exempt`.
   */
  constructor(options: CsrfOptions = {}) {
    super();
    const { field = "csrf_token", header = "x-csrf-token", exempt } = options;
    if (typeof field !== "string" || field.length === 0) throw new InvalidOptionError("Csrf field must be a non-empty string");
    const lower = typeof header === "string" ? header.toLowerCase() : "";
    if (!HEADER_NAME.test(lower)) throw new InvalidOptionError(`Csrf header must be a header name, got ${JSON.stringify(String(header))}`);
    if (exempt !== undefined && typeof exempt !== "function") throw new InvalidOptionError("Csrf exempt must be a function");
    this.#field = field;
    this.#header = lower;
    this.#exempt = exempt;
  }

  /**
   * The early phase (before the body is read or the session loaded): refuses
   * at once what no body could rescue, so a forged upload is not spooled
   * first:
   * - no token header and a body that cannot carry a token field (not
   *   urlencoded, multipart or JSON);
   * - no secret anywhere: neither a `session_id` nor an `upie_csrf` cookie;
   * - a token header checked in full when the secret is the anonymous cookie
   *   (no `session_id` cookie, so no session to wait for).
   * Everything else is checked in full by {@link Csrf.beforeRequest}.
   *
   * @throws {@link HttpError} 403 `UPIE_ERR_CSRF`.
   */
  override beforeBody(request: Request): undefined {
    if (SAFE_METHODS.has(request.method) || this.#exempt?.(request) === true) return undefined;
    const header = request.headers[this.#header];
    const cookies = request.cookies;
    const hasSessionCookie = cookies[SESSION_COOKIE_NAME] !== undefined;
    if (!hasSessionCookie && cookies[CSRF_COOKIE_NAME] === undefined) throw csrfError();
    if (header !== undefined) {
      if (!hasSessionCookie && !verifyCsrfToken(request, header)) throw csrfError();
      return undefined;
    }
    if (!mayCarryField(request.headers["content-type"])) throw csrfError();
    return undefined;
  }

  /**
   * Checks the token of an unsafe request.
   *
   * @throws {@link HttpError} 403 `UPIE_ERR_CSRF` when the token is missing or not this session's.
   */
  override beforeRequest(request: Request): undefined {
    if (SAFE_METHODS.has(request.method) || this.#exempt?.(request) === true) return undefined;
    const token = request.headers[this.#header] ?? request.form(this.#field) ?? request.json(this.#field);
    if (!verifyCsrfToken(request, token)) throw csrfError();
    return undefined;
  }
}

function csrfError(): HttpError {
  return new HttpError(403, "CSRF token missing or invalid", { code: CSRF_ERROR_CODE });
}

/** True for the body types whose fields upie parses (a token could be inside). */
function mayCarryField(contentType: string | undefined): boolean {
  const type = mediaType(contentType);
  return type === "application/x-www-form-urlencoded" || type === "multipart/form-data" || isJsonMediaType(type);
}

/**
 * The visitor's secret as bytes, or undefined when there is none (or a
 * corrupt one). Once the session holds a secret, only that one counts: a
 * cookie planted from a sibling subdomain (cookie tossing) cannot stand in
 * for it.
 */
function readSecret(request: Request): Buffer | undefined {
  const session = request.session;
  if (Object.hasOwn(session, CSRF_SESSION_KEY)) return decodeSecret(session[CSRF_SESSION_KEY]);
  const pending = issued.get(request);
  if (pending !== undefined) return pending;
  const cookie = request.signsCookies ? request.signedCookies[CSRF_COOKIE_NAME] : request.cookies[CSRF_COOKIE_NAME];
  return decodeSecret(cookie);
}

function decodeSecret(stored: unknown): Buffer | undefined {
  if (typeof stored !== "string" || stored.length !== SECRET_LENGTH || !BASE64URL.test(stored)) return undefined;
  const bytes = Buffer.from(stored, "base64url");
  return bytes.length === SECRET_BYTES ? bytes : undefined;
}

/** True when the request carries session data (a stored session, or one being created). */
function hasStoredSession(request: Request): boolean {
  for (const _ in request.session) return true;
  return false;
}
