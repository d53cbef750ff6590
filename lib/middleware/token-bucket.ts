/**
 * Token buckets by key, in bounded memory.
 *
 * Each key (a client address, an API key…) has a bucket of at most
 * `capacity` tokens that refills continuously at `refillPerSecond`; a
 * request takes one token or is refused. Buckets are computed lazily from
 * the time of the last take, so there is no timer per key.
 *
 * Memory is bounded by `maxKeys`: the buckets live in a `Map` kept in
 * least-recently-used order (a take moves its key to the end), and the
 * oldest key is evicted past the bound. An evicted key comes back with a
 * full bucket, so the bound should comfortably exceed the number of clients
 * active within one refill period; a flood of spoofed keys then costs each
 * evicted client a reset, never unbounded memory.
 *
 * @module
 */
import { InvalidOptionError } from "../protocol/errors.js";

/** Options for {@link TokenBuckets}. */
export interface TokenBucketOptions {
  /** The burst: tokens in a full bucket. */
  capacity: number;
  /** Tokens added per second. */
  refillPerSecond: number;
  /** Most keys kept at once; the least recently used is dropped first. */
  maxKeys: number;
  /** The clock, in milliseconds (monotonic). Default `performance.now`; tests pass their own. */
  now?: () => number;
}

interface Bucket {
  tokens: number;
  /** When `tokens` was last computed, in clock milliseconds. */
  at: number;
}

/**
 * A keyed set of token buckets.
 *
 * @example
 * ```ts
 * const buckets = new TokenBuckets({ capacity: 5, refillPerSecond: 1, maxKeys: 10_000 });
 * const waitMs = buckets.take("10.0.0.1"); // 0: allowed; > 0: refused, retry after waitMs
 * ```
 */
export class TokenBuckets {
  readonly capacity: number;
  readonly refillPerSecond: number;
  readonly maxKeys: number;
  readonly #perMs: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();

  /**
   * @param options - capacity, refill rate, key bound and clock.
   * @throws {@link InvalidOptionError} for a non-positive or non-finite capacity, rate or key bound.
   */
  constructor(options: TokenBucketOptions) {
    const { capacity, refillPerSecond, maxKeys, now = () => performance.now() } = options;
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new InvalidOptionError(`capacity must be a whole number >= 1, got ${String(capacity)}`);
    if (typeof refillPerSecond !== "number" || !Number.isFinite(refillPerSecond) || refillPerSecond <= 0) {
      throw new InvalidOptionError(`refillPerSecond must be a finite number > 0, got ${String(refillPerSecond)}`);
    }
    if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) throw new InvalidOptionError(`maxKeys must be a whole number >= 1, got ${String(maxKeys)}`);
    if (typeof now !== "function") throw new InvalidOptionError("now must be a function");
    this.capacity = capacity;
    this.refillPerSecond = refillPerSecond;
    this.maxKeys = maxKeys;
    this.#perMs = refillPerSecond / 1000;
    this.#now = now;
  }

  /** How many keys are tracked now (at most `maxKeys`). */
  get size(): number {
    return this.#buckets.size;
  }

  /**
   * Takes one token from `key`'s bucket.
   *
   * @param key - whose bucket.
   * @returns 0 when a token was taken; otherwise the milliseconds until one will be available.
   */
  take(key: string): number {
    const now = this.#now();
    const buckets = this.#buckets;
    let bucket = buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: this.capacity, at: now };
      if (buckets.size >= this.maxKeys) buckets.delete(buckets.keys().next().value!);
    } else {
      // Re-inserting moves the key to the end: Map order is then LRU order.
      buckets.delete(key);
      const elapsed = now - bucket.at;
      if (elapsed > 0) bucket.tokens = Math.min(this.capacity, bucket.tokens + elapsed * this.#perMs);
      bucket.at = now;
    }
    buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) / this.#perMs);
  }
}
