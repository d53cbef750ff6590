/**
 * `application/x-www-form-urlencoded` parsing, for form bodies and for the
 * URL query string (so it runs on every request and is written for speed).
 *
 * @module
 */

import { ERRORS, HttpError } from "../protocol/errors.js";

/**
 * Decoded parameters: every name maps to all its values, in the order they
 * came. Always a null-prototype object, so a key such as `toString` is just
 * data and `params.x` never finds anything inherited.
 */
export type Params = Record<string, string[]>;

/** Default cap on pairs; the same as the default `limits.fields`. */
export const DEFAULT_MAX_PAIRS = 1000;

/**
 * Keys that are prototype-pollution gadgets if anything downstream merges
 * params into a plain object; they are dropped, never stored.
 */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

const AMP = 0x26; // &
const EQUALS = 0x3d; // =
const PERCENT = 0x25; // %
const PLUS = 0x2b; // +

/** Creates an empty null-prototype {@link Params}. */
export function emptyParams(): Params {
  return Object.create(null) as Params;
}

/**
 * Parses an urlencoded string (`a=1&b=x+y&a=2`) into {@link Params}.
 *
 * - `+` means a space and `%XX` is UTF-8 percent-encoding; a piece with bad
 *   percent-encoding is kept as sent (with `+` still turned into spaces)
 *   rather than failing the whole request.
 * - A piece without `=` is a key with the empty value; empty pieces (`a&&b`)
 *   are skipped.
 * - `__proto__`, `constructor` and `prototype` keys are dropped (after decoding,
 *   so `%5F%5Fproto%5F%5F` is dropped too).
 *
 * @param raw - the string, without a leading `?`.
 * @param maxPairs - the most pairs accepted (dropped and empty-valued pairs count).
 * @returns a null-prototype object; repeated keys keep every value in order.
 * @throws {HttpError} 413 `UPIE_ERR_BODY_TOO_LARGE` past `maxPairs`.
 *
 * @example
 * ```ts
 * parseParams("a=1&a=2&b=x+y"); // { a: ["1", "2"], b: ["x y"] }
 * ```
 */
export function parseParams(raw: string, maxPairs = DEFAULT_MAX_PAIRS): Params {
  const params = emptyParams();
  const length = raw.length;
  if (length === 0) return params;

  let pairs = 0;
  let start = 0;
  let equals = -1;
  let keyEncoded = false;
  let valueEncoded = false;
  // One pass over the characters, remembering where the first `=` is and
  // whether each side needs decoding, so plain pieces are sliced and never
  // touch decodeURIComponent. (indexOf("=") per piece would rescan the
  // rest of the string for every `=`-less piece: quadratic.)
  for (let i = 0; i <= length; i++) {
    const code = i === length ? AMP : raw.charCodeAt(i);
    if (code === AMP) {
      if (i > start) {
        if (++pairs > maxPairs) throw HttpError.of(ERRORS.BODY_TOO_LARGE, "Too many parameters");
        const keyEnd = equals === -1 ? i : equals;
        const key = decodePiece(raw.slice(start, keyEnd), keyEncoded);
        if (!FORBIDDEN_KEYS.has(key)) {
          const value = equals === -1 ? "" : decodePiece(raw.slice(equals + 1, i), valueEncoded);
          const values = params[key];
          if (values === undefined) params[key] = [value];
          else values.push(value);
        }
      }
      start = i + 1;
      equals = -1;
      keyEncoded = false;
      valueEncoded = false;
    } else if (code === EQUALS) {
      if (equals === -1) equals = i;
    } else if (code === PERCENT || code === PLUS) {
      if (equals === -1) keyEncoded = true;
      else valueEncoded = true;
    }
  }
  return params;
}

/** Turns `+` into spaces and percent-decodes; keeps the text as is if the encoding is bad. */
function decodePiece(piece: string, encoded: boolean): string {
  if (!encoded) return piece;
  const spaced = piece.includes("+") ? piece.replaceAll("+", " ") : piece;
  if (!spaced.includes("%")) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}
