/**
 * The one promise test upie uses wherever a value may or may not need awaiting
 * (handler results, hook results): awaiting only real thenables keeps the
 * synchronous paths free of microtask hops.
 *
 * @module
 */

/**
 * True for anything with a callable `then` (native promises and other thenables).
 *
 * @example
 * ```ts
 * const result = handler();
 * if (isThenable(result)) return result.then(write); else write(result);
 * ```
 */
export function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return value !== null && (typeof value === "object" || typeof value === "function") &&
    typeof (value as PromiseLike<T>).then === "function";
}
