/**
 * Reconnect delays: exponential with jitter, so that clients dropped by one
 * server restart do not all come back in the same millisecond.
 *
 * @module
 */

/** How reconnects are spaced. */
export interface ReconnectOptions {
  /** The first retry waits about this long. Default 100 ms. */
  initialDelayMs?: number;
  /** No retry waits longer. Default 30 s. */
  maxDelayMs?: number;
  /** A connection that stayed up this long was healthy: the next drop starts again from `initialDelayMs`. Default 5 s. */
  healthyAfterMs?: number;
}

/**
 * The delay series of one outage: `initial · 2^n` capped at `max`, each
 * scaled by a random factor in [0.5, 1) ("equal jitter": never shorter than
 * half the step, so the series still grows).
 */
export class Backoff {
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #random: () => number;
  #attempt = 0;

  /**
   * @param initialMs - the first step.
   * @param maxMs - the cap.
   * @param random - a source in [0, 1); `Math.random` unless a test fixes it.
   */
  constructor(initialMs: number, maxMs: number, random: () => number = Math.random) {
    this.#initialMs = initialMs;
    this.#maxMs = maxMs;
    this.#random = random;
  }

  /** Failed attempts since the last {@link reset}. */
  get attempt(): number {
    return this.#attempt;
  }

  /** The delay before the next attempt; each call grows the series. */
  next(): number {
    const step = Math.min(this.#maxMs, this.#initialMs * 2 ** Math.min(this.#attempt, 52));
    this.#attempt++;
    return Math.round(step * (0.5 + this.#random() / 2));
  }

  /** Starts the series again (after a healthy connection). */
  reset(): void {
    this.#attempt = 0;
  }
}
