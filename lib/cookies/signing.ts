/**
 * HMAC signing of short strings (cookie values, session ids), so a client can
 * carry a value the server can later trust it produced.
 *
 * A signed value is `<value>.<base64url HMAC-SHA256(value)>`. Verification
 * accepts a list of secrets, newest first, so a secret can be rotated without
 * logging everybody out: sign with the new one, still accept the old ones.
 *
 * @module
 */

import { createHmac, timingSafeEqual } from "node:crypto";

import { InvalidOptionError } from "../protocol/errors.js";

/**
 * Signs `value` with `secret`.
 *
 * @param value - any string; it stays readable in the result (signing is not encryption).
 * @param secret - a non-empty string; keep it out of the source code.
 * @returns `value.<signature>` where the signature is 43 base64url characters.
 * @throws {@link InvalidOptionError} when `secret` is not a non-empty string.
 *
 * @example
 * ```ts
 * const cookie = sign(sessionId, process.env.SESSION_SECRET!);
 * unsign(cookie, process.env.SESSION_SECRET!); // → sessionId
 * ```
 */
export function sign(value: string, secret: string): string {
  if (typeof value !== "string") throw new InvalidOptionError("sign(): value must be a string");
  assertSecret(secret);
  return `${value}.${mac(value, secret)}`;
}

/**
 * Checks a value produced by {@link sign} and returns what was signed.
 *
 * @param signed - untrusted input, e.g. a cookie value; anything malformed yields `undefined`.
 * @param secrets - one secret, or several (current first, then retired ones still accepted).
 * @returns the original value, or `undefined` when no secret produced this signature.
 * @throws {@link InvalidOptionError} when `secrets` is empty or holds anything but
 *   non-empty strings (a configuration bug, so it is loud rather than "not signed").
 */
export function unsign(signed: string, secrets: string | readonly string[]): string | undefined {
  return verify(signed, secrets, (value) => value);
}

/** Splits `value.<mac>` and checks the MAC of `covered(value)` with each secret, in constant time. */
function verify(signed: string, secrets: string | readonly string[], covered: (value: string) => string): string | undefined {
  const list = normalizeSecrets(secrets);
  if (typeof signed !== "string") return undefined;
  // The value itself may contain dots; the signature never does.
  const dot = signed.lastIndexOf(".");
  if (dot < 0) return undefined;
  const value = signed.slice(0, dot);
  const given = Buffer.from(signed.slice(dot + 1), "utf8");
  for (const secret of list) {
    const expected = Buffer.from(mac(covered(value), secret), "utf8");
    // timingSafeEqual throws on unequal lengths; the expected length is
    // public (always 43), so checking it first leaks nothing.
    if (given.length === expected.length && timingSafeEqual(given, expected)) return value;
  }
  return undefined;
}

/**
 * Signs a cookie's value bound to its name: the HMAC covers `name=value`, so
 * a signed `pref=admin` is worthless as `role=admin`, and a signature made
 * for one cookie never verifies for another (the session id included).
 *
 * @param name - the cookie name (an RFC 7230 token, so it holds no `=`).
 * @param value - the value as it will be written in the header.
 * @param secret - the current secret.
 * @returns `value.<signature>`.
 * @throws {@link InvalidOptionError} when `secret` is not a non-empty string.
 * @example
 * ```ts
 * signCookie("theme", "dark", secret); // "dark.<43 chars>", valid only as `theme`
 * ```
 */
export function signCookie(name: string, value: string, secret: string): string {
  if (typeof value !== "string") throw new InvalidOptionError("signCookie(): value must be a string");
  assertSecret(secret);
  return `${value}.${mac(`${name}=${value}`, secret)}`;
}

/**
 * Checks a value made by {@link signCookie} for cookie `name`. A value signed
 * for another name, or in the old format that covered the value alone,
 * simply fails: it is never adopted.
 *
 * @returns the value, or `undefined` when no secret signed it for this name.
 */
export function unsignCookie(name: string, signed: string, secrets: string | readonly string[]): string | undefined {
  return verify(signed, secrets, (value) => `${name}=${value}`);
}

/**
 * Validates one secret or a rotation list and returns it as a list.
 *
 * @throws {@link InvalidOptionError} on an empty list or a non-string / empty secret.
 */
export function normalizeSecrets(secrets: string | readonly string[]): readonly string[] {
  const list = typeof secrets === "string" ? [secrets] : secrets;
  if (!Array.isArray(list) || list.length === 0) {
    throw new InvalidOptionError("secret must be a non-empty string or a non-empty array of them");
  }
  for (const secret of list) assertSecret(secret);
  return list;
}

function assertSecret(secret: unknown): asserts secret is string {
  if (typeof secret !== "string" || secret.length === 0) {
    throw new InvalidOptionError("secret must be a non-empty string");
  }
}

function mac(value: string, secret: string): string {
  return createHmac("sha256", secret).update(value).digest("base64url");
}
