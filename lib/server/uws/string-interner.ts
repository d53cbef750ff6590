/**
 * Shares equal strings between connections.
 *
 * Every handshake brings the same `Host`, `Upgrade: websocket`, `Connection`
 * and `Sec-WebSocket-Version` values, path and client address, each a fresh
 * string from uWS. A WebSocket keeps its handshake for its whole life, so with
 * 10,000 idle sockets those copies add up (about 170 bytes a socket); this
 * keeps one of each.
 *
 * @module
 */

/**
 * A bounded string pool. Once full it stops learning (never evicts), so a
 * client sending random values cannot make it grow or churn.
 *
 * @example
 * ```ts
 * const interner = new StringInterner();
 * interner.intern(String(["web", "socket"].join(""))) === interner.intern("websocket"); // true
 * ```
 */
export class StringInterner {
  readonly #known = new Map<string, string>();
  readonly #capacity: number;
  readonly #maxLength: number;

  /**
   * @param capacity - most distinct strings kept.
   * @param maxLength - longer strings are never kept.
   */
  constructor(capacity = 512, maxLength = 128) {
    this.#capacity = capacity;
    this.#maxLength = maxLength;
  }

  /**
   * The pooled copy of `value`, or `value` itself.
   *
   * @param value - a string that will be kept for a while.
   * @returns an equal string, shared when possible.
   */
  intern(value: string): string {
    const known = this.#known.get(value);
    if (known !== undefined) return known;
    if (this.#known.size < this.#capacity && value.length <= this.#maxLength) this.#known.set(value, value);
    return value;
  }
}
