/**
 * The per-socket message budget (`websocket.messageRate`): a token bucket
 * of `burst` messages that refills at `perSecond`. One per connection,
 * created at its first message, so an idle socket holds none.
 *
 * Past the budget the engine closes the connection with 1008: a client
 * that floods is misbehaving, and the bound keeps one socket from taking a
 * server's time from every other (the chat, channel and space examples each
 * carried a copy of this bucket).
 *
 * @module
 */

/** How many messages one socket may send: `burst` at once, `perSecond` sustained. */
export interface MessageRate {
  /** Messages per second, sustained (> 0). */
  readonly perSecond: number;
  /** Messages allowed at once: the bucket's size (≥ 1). */
  readonly burst: number;
}

/**
 * One socket's bucket.
 *
 * @example
 * ```ts
 * const budget = new MessageBudget({ perSecond: 20, burst: 40 });
 * if (!budget.take(performance.now())) close(1008);
 * ```
 */
export class MessageBudget {
  readonly #perMs: number;
  readonly #burst: number;
  #tokens: number;
  #at: number;

  /**
   * @param rate - the validated rate (see `resolveWebSocketOptions`).
   * @param now - the clock reading at creation, in milliseconds.
   */
  constructor(rate: MessageRate, now: number) {
    this.#perMs = rate.perSecond / 1000;
    this.#burst = rate.burst;
    this.#tokens = rate.burst;
    this.#at = now;
  }

  /**
   * Takes one message's token.
   *
   * @param now - the clock, in milliseconds (monotonic).
   * @returns false when the budget is spent.
   */
  take(now: number): boolean {
    const elapsed = now - this.#at;
    if (elapsed > 0) {
      this.#tokens = Math.min(this.#burst, this.#tokens + elapsed * this.#perMs);
      this.#at = now;
    }
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
