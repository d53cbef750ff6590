/**
 * Rate limiting for HTTP requests and WebSocket handshakes: a token bucket
 * per key (the client address by default) in bounded memory
 * ({@link TokenBuckets}).
 *
 * An HTTP request over the limit is answered 429 with `Retry-After`
 * (RFC 6585 §4, RFC 9110 §10.2.3) before its body is read (the early phase,
 * `beforeBody`); a WebSocket
 * handshake over the limit is refused with HTTP 429.
 *
 * @module
 */
import { ERRORS, HttpError, InvalidOptionError } from "../protocol/errors.js";
import { HttpMiddleware, type WebSocketMiddleware, type WebSocketRejection } from "../core/middleware.js";
import type { Request } from "../core/request.js";
import { TokenBuckets } from "./token-bucket.js";

/** Stable code of the 429 answer. */
export const RATE_LIMITED_CODE = ERRORS.RATE_LIMITED.code;

/** Options for {@link RateLimit}. */
export interface RateLimitOptions {
  /** The burst a client may make at once. Default 100. */
  capacity?: number;
  /** Sustained requests per second per client. Default 10. */
  refillPerSecond?: number;
  /**
   * Whose bucket a request draws from. Default: `request.remoteAddress`.
   * Behind a proxy, return the client address the proxy reports (only if you
   * trust it); return `undefined` to let a request through unlimited.
   */
  key?: (request: Request) => string | undefined;
  /** Most clients tracked at once; the least recently seen are forgotten first. Default 10 000. */
  maxKeys?: number;
  /** The clock in milliseconds (monotonic). Default `performance.now`; for tests. */
  now?: () => number;
}

const byAddress = (request: Request): string => request.remoteAddress;

/**
 * Token-bucket rate limiter. Push it onto `app.middlewares` for HTTP and
 * onto `app.webSocketMiddlewares` for handshakes; the same instance in both lists
 * shares one budget per client.
 *
 * @example
 * ```ts
 * const limit = new RateLimit({ capacity: 20, refillPerSecond: 5 });
 * app.middlewares.push(limit);
 * app.webSocketMiddlewares.push(limit);
 * ```
 */
export class RateLimit extends HttpMiddleware implements WebSocketMiddleware {
  /** The buckets (exposed for metrics: `limit.buckets.size`). */
  readonly buckets: TokenBuckets;
  readonly #key: (request: Request) => string | undefined;

  /**
   * @param options - burst, refill rate, key function, key bound; see {@link RateLimitOptions}.
   * @throws {@link InvalidOptionError} for a bad capacity, rate, key bound or key function.
   */
  constructor(options: RateLimitOptions = {}) {
    super();
    const { capacity = 100, refillPerSecond = 10, key = byAddress, maxKeys = 10_000, now } = options;
    if (typeof key !== "function") throw new InvalidOptionError("RateLimit key must be a function");
    this.buckets = new TokenBuckets({ capacity, refillPerSecond, maxKeys, now });
    this.#key = key;
  }

  /**
   * Takes a token for the request, or refuses it. Runs in the early phase,
   * before the body is read or the session loaded: a client over its limit
   * costs no upload spooled to disk and no session lookup.
   *
   * @throws {@link HttpError} 429 `UPIE_ERR_RATE_LIMITED` with `Retry-After` (seconds) when the bucket is empty.
   */
  override beforeBody(request: Request): undefined {
    const waitMs = this.#take(request);
    if (waitMs > 0) {
      throw new HttpError(429, "Too Many Requests", {
        code: RATE_LIMITED_CODE,
        headers: { "retry-after": String(Math.max(1, Math.ceil(waitMs / 1000))) },
      });
    }
    return undefined;
  }

  /** Takes a token for the handshake; refuses it with HTTP 429 when the bucket is empty. */
  beforeWebSocket(request: Request): WebSocketRejection | undefined {
    return this.#take(request) > 0 ? { code: 429, reason: "Too Many Requests" } : undefined;
  }

  #take(request: Request): number {
    const key = this.#key(request);
    return key === undefined ? 0 : this.buckets.take(key);
  }
}
