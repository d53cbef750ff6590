/**
 * Reading `Cookie` request headers and writing `Set-Cookie` response headers.
 *
 * Parsing and attribute formatting are the `cookie` package's; this module
 * adds upie's policy on top: secure defaults (HttpOnly, SameSite=Lax, Path=/),
 * strict RFC 6265 validation of what goes into a header that uWS writes raw,
 * errors from upie's catalogue, and a parse result that cannot pollute
 * prototypes.
 *
 * @module
 */

import { parse, serialize } from "cookie";

import { ERRORS, HttpError, InvalidOptionError } from "../protocol/errors.js";
import { unsignCookie } from "./signing.js";

/** Attributes of a `Set-Cookie` header (RFC 6265 §4.1.2, plus CHIPS' `Partitioned`). */
export interface CookieOptions {
  /** Lifetime in whole seconds (`Max-Age`); 0 or less expires the cookie now. */
  maxAge?: number;
  /** Absolute expiry (`Expires`); prefer `maxAge`, which clients give precedence to. */
  expires?: Date;
  /** Default `/`, so the cookie is sent for every URL of the site. */
  path?: string;
  /** Leave unset to bind the cookie to the exact host that set it. */
  domain?: string;
  /** Send only over HTTPS. Forced on by `sameSite: "none"` and `partitioned`. */
  secure?: boolean;
  /** Default `true`: scripts in the page cannot read the cookie. */
  httpOnly?: boolean;
  /** Default `"lax"`: not sent on cross-site sub-requests, a baseline CSRF defence. */
  sameSite?: "lax" | "strict" | "none";
  /** CHIPS partitioned cookie (per top-level site). */
  partitioned?: boolean;
  /**
   * Sign the value with the app's `secret` (HMAC-SHA256), for
   * `request.setCookie`; read it back from `request.signedCookies`.
   * {@link serializeCookie} itself ignores it.
   */
  signed?: boolean;
}

// RFC 6265 §4.1.1: cookie-name is an RFC 7230 token.
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// RFC 6265 §4.1.1: cookie-value is *cookie-octet, optionally inside DQUOTEs.
// cookie-octet excludes CTLs (so CR, LF, NUL), space, DQUOTE, comma, `;` and `\`.
const COOKIE_VALUE = /^(?:[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*|"[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*")$/;
const SAME_SITE = new Set(["lax", "strict", "none"]);
// The one Expires date every client understands as "already gone".
const EPOCH = new Date(0);

/**
 * Builds a `Set-Cookie` header value with secure defaults.
 *
 * The value is written verbatim (not percent-encoded): encode it yourself,
 * e.g. with `encodeURIComponent`, if it may hold characters RFC 6265 forbids;
 * {@link parseCookies} decodes percent-escapes on the way back in.
 *
 * @param name - an RFC 7230 token.
 * @param value - RFC 6265 cookie-octets only (no space, `"`, `,`, `;`, `\` or control characters).
 * @param options - attributes; `httpOnly` defaults to true, `sameSite` to `"lax"`, `path` to `"/"`.
 * @returns the header value, e.g. `theme=dark; Path=/; HttpOnly; SameSite=Lax`.
 * @throws {@link HttpError} `UPIE_ERR_INVALID_HEADER` when the name, value, path or domain
 *   is not allowed in a header (uWS writes headers raw, so CR/LF here would split the response).
 * @throws {@link InvalidOptionError} when `maxAge`, `expires` or `sameSite` has the wrong type or value.
 *
 * @example
 * ```ts
 * return [200, "ok", { "Set-Cookie": serializeCookie("theme", "dark", { maxAge: 86_400 }) }];
 * ```
 */
export function serializeCookie(name: string, value: string, options: CookieOptions = {}): string {
  if (typeof name !== "string" || !COOKIE_NAME.test(name)) {
    throw HttpError.of(ERRORS.INVALID_HEADER, `Invalid cookie name: ${JSON.stringify(name)}`);
  }
  if (typeof value !== "string" || !COOKIE_VALUE.test(value)) {
    throw HttpError.of(ERRORS.INVALID_HEADER, `Invalid value for cookie ${name}`);
  }
  const { maxAge, expires, sameSite = "lax" } = options;
  if (maxAge !== undefined && !Number.isSafeInteger(maxAge)) {
    throw new InvalidOptionError(`cookie maxAge must be a whole number of seconds, got ${String(maxAge)}`);
  }
  if (expires !== undefined && !(expires instanceof Date && Number.isFinite(expires.getTime()))) {
    throw new InvalidOptionError("cookie expires must be a valid Date");
  }
  if (!SAME_SITE.has(sameSite)) {
    throw new InvalidOptionError(`cookie sameSite must be "lax", "strict" or "none", got ${String(sameSite)}`);
  }
  // Browsers drop SameSite=None and Partitioned cookies that are not Secure
  // (rfc6265bis §5.4.7, CHIPS), so asking for either implies Secure.
  const secure = options.secure === true || sameSite === "none" || options.partitioned === true;
  try {
    return serialize(name, value, {
      // Identity: the value was validated above and is written as given.
      encode: (text) => text,
      maxAge,
      expires,
      path: options.path ?? "/",
      domain: options.domain,
      secure,
      httpOnly: options.httpOnly ?? true,
      sameSite,
      partitioned: options.partitioned === true,
    });
  } catch (error) {
    // What is left for `cookie` to reject is a malformed path or domain.
    throw HttpError.of(ERRORS.INVALID_HEADER, `Invalid attribute for cookie ${name}: ${(error as Error).message}`);
  }
}

/**
 * Builds a `Set-Cookie` header value that makes the client forget a cookie.
 *
 * Pass the same `path` and `domain` the cookie was set with: a client only
 * replaces a cookie whose name, path and domain all match.
 *
 * @param name - the cookie to delete.
 * @param options - attributes of the original cookie; `maxAge` and `expires` are overridden.
 * @returns e.g. `session_id=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax`.
 * @throws as {@link serializeCookie}.
 */
export function deleteCookieHeader(name: string, options: CookieOptions = {}): string {
  // Max-Age=0 for current clients, an Expires in the past for old ones.
  return serializeCookie(name, "", { ...options, maxAge: 0, expires: EPOCH });
}

/**
 * Parses a `Cookie` request header.
 *
 * Never throws: a header that does not parse yields what could be read, or
 * nothing. Percent-escapes in values are decoded when they are valid UTF-8.
 *
 * @param header - the raw header, or `undefined` when the request had none.
 * @returns a null-prototype object of name → value; when a name repeats, the
 *   first occurrence wins (RFC 6265 §5.4 sends the most specific path first);
 *   a cookie named `__proto__` is dropped so spreading or `Object.assign`-ing
 *   the result can never reach `Object.prototype`.
 */
export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = Object.create(null);
  if (typeof header !== "string" || header.length === 0) return cookies;
  let parsed: Record<string, string | undefined>;
  try {
    parsed = parse(header);
  } catch {
    return cookies;
  }
  for (const name of Object.keys(parsed)) {
    const value = parsed[name];
    if (name === "__proto__" || name.length === 0 || value === undefined) continue;
    cookies[name] = value;
  }
  return cookies;
}

/** Leaves cookie values as they were sent, so a signature is checked over the exact signed bytes. */
const RAW = { decode: (text: string) => text };

/**
 * Parses a `Cookie` request header and keeps only the cookies whose
 * signature (from `request.setCookie(name, value, { signed: true })`)
 * verifies with one of `secrets` for that very name: a value signed as
 * another cookie is absent here.
 *
 * The signature covers the value exactly as it was written, so it is checked
 * before percent-decoding; a verified value is then decoded like
 * {@link parseCookies} does. Comparison is constant-time ({@link unsign}).
 *
 * @param header - the raw header, or `undefined` when the request had none.
 * @param secrets - the app's secrets, current first (already validated).
 * @returns a null-prototype object of name → verified value; a tampered,
 *   forged or unsigned cookie is absent, never an error.
 * @example
 * ```ts
 * parseSignedCookies("theme=dark.<signature>; x=forged", ["s3cret"]); // → { theme: "dark" }
 * ```
 */
export function parseSignedCookies(header: string | undefined, secrets: readonly string[]): Record<string, string> {
  const verified: Record<string, string> = Object.create(null);
  if (typeof header !== "string" || header.length === 0) return verified;
  let parsed: Record<string, string | undefined>;
  try {
    parsed = parse(header, RAW);
  } catch {
    return verified;
  }
  for (const name of Object.keys(parsed)) {
    const signed = parsed[name];
    if (name === "__proto__" || name.length === 0 || signed === undefined) continue;
    const value = unsignCookie(name, signed, secrets);
    if (value !== undefined) verified[name] = decodeValue(value);
  }
  return verified;
}

/** Percent-decodes like the `cookie` package: an invalid escape leaves the value as it is. */
function decodeValue(value: string): string {
  if (value.indexOf("%") === -1) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
