/**
 * Size and count limits for everything a client can send in a request.
 *
 * Every limit is finite by default: an unbounded body, field count or JSON
 * nesting is a denial-of-service waiting to happen, so a user has to raise a
 * limit on purpose rather than remember to set one.
 *
 * @module
 */

import { InvalidOptionError } from "../protocol/errors.js";

/** Request limits; sizes are in bytes, the others are counts. */
export interface Limits {
  /** Largest JSON, urlencoded or raw body (bytes); past it the answer is 413. */
  bodySize: number;
  /** Largest single uploaded file (bytes). */
  fileSize: number;
  /** Most uploaded files in one multipart body. */
  files: number;
  /** Most non-file fields in one form (multipart or urlencoded). */
  fields: number;
  /** Most parts (files + fields) in one multipart body. */
  parts: number;
  /** Largest single non-file multipart field value (bytes). */
  fieldSize: number;
  /** Deepest nesting of arrays/objects accepted in a JSON body. */
  jsonDepth: number;
  /** Most request headers; more is a 431. */
  headerCount: number;
  /** Most multipart requests in flight at once, per app; one more is a 503. */
  uploads: number;
  /** Most uploaded file bytes held at once (spooled or in memory) by all requests of the app; past it, 503. */
  spoolBytes: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;

/** The limits upie applies when the user gives none. */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  bodySize: 1 * MiB,
  fileSize: 10 * MiB,
  files: 10,
  fields: 1000,
  parts: 1000,
  fieldSize: 64 * KiB,
  jsonDepth: 64,
  headerCount: 100,
  uploads: 32,
  spoolBytes: 512 * MiB,
});

const LIMIT_NAMES = Object.keys(DEFAULT_LIMITS) as ReadonlyArray<keyof Limits>;

/**
 * Merges user limits over {@link DEFAULT_LIMITS}, validates them and freezes
 * the result.
 *
 * Unknown names are rejected too: a misspelt limit (`bodysize`) would
 * otherwise silently leave the default in place.
 *
 * @param partial - the limits to override; `undefined` entries keep the default.
 * @returns a frozen, complete set of limits.
 * @throws {InvalidOptionError} if a value is not a positive safe integer, or a name is unknown.
 *
 * @example
 * ```ts
 * const limits = resolveLimits({ bodySize: 64 * 1024 });
 * limits.fileSize; // 10 MiB, the default
 * ```
 */
export function resolveLimits(partial?: Partial<Limits> | null): Readonly<Limits> {
  if (partial === undefined || partial === null) return DEFAULT_LIMITS;
  if (typeof partial !== "object") {
    throw new InvalidOptionError(`limits must be an object, got ${describe(partial)}`);
  }
  for (const name of Object.keys(partial)) {
    if (!(LIMIT_NAMES as readonly string[]).includes(name)) {
      throw new InvalidOptionError(`Unknown limit 'limits.${name}' (known: ${LIMIT_NAMES.join(", ")})`);
    }
  }
  const resolved = { ...DEFAULT_LIMITS };
  for (const name of LIMIT_NAMES) {
    const value: unknown = partial[name];
    if (value === undefined) continue;
    // Safe integers only: Infinity or 1e300 would disable the limit, and
    // fractions make byte counts meaningless.
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
      throw new InvalidOptionError(`limits.${name} must be a positive safe integer, got ${describe(value)}`);
    }
    resolved[name] = value;
  }
  return Object.freeze(resolved);
}

/** Renders a bad option value for an error message without throwing on odd types. */
function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (value === null) return "null";
  return typeof value;
}
