/**
 * `SignInBackoff`: failed sign-ins counted per account name, whatever the
 * address they come from. After a few free failures, each further one
 * doubles how long the account must wait; a success clears the count.
 * Per-address rate limiting cannot stop a guesser who spreads one account's
 * attempts over many addresses; this can.
 *
 * @module
 */

/** How {@link SignInBackoff} counts. */
export interface SignInBackoffOptions {
  /** Failures allowed before any wait. Default 5. */
  freeFailures: number;
  /** The first wait (ms); it doubles with each further failure. Default 1 s. */
  baseMs: number;
  /** The longest wait (ms). Default 15 min. */
  maxMs: number;
  /** Names tracked at once; the least recently failed are forgotten first. Default 10 000. */
  maxNames: number;
}

export const DEFAULT_SIGN_IN_BACKOFF: SignInBackoffOptions = { freeFailures: 5, baseMs: 1_000, maxMs: 15 * 60_000, maxNames: 10_000 };

interface Failures {
  count: number;
  until: number;
}

export class SignInBackoff {
  readonly #options: SignInBackoffOptions;
  readonly #failures = new Map<string, Failures>();
  readonly #now: () => number;

  constructor(options: Partial<SignInBackoffOptions> = {}, now: () => number = Date.now) {
    this.#options = { ...DEFAULT_SIGN_IN_BACKOFF, ...options };
    this.#now = now;
  }

  /** Milliseconds `name` must still wait before another attempt (0: go ahead). */
  waitMs(name: string): number {
    const entry = this.#failures.get(name);
    return entry === undefined ? 0 : Math.max(0, entry.until - this.#now());
  }

  /** Counts a failure; past the free ones, sets the next wait. */
  fail(name: string): void {
    const entry = this.#failures.get(name) ?? { count: 0, until: 0 };
    this.#failures.delete(name); // re-inserted last: the map's order is least recently failed first
    entry.count++;
    const over = entry.count - this.#options.freeFailures;
    if (over >= 0) entry.until = this.#now() + Math.min(this.#options.maxMs, this.#options.baseMs * 2 ** Math.min(over, 30));
    this.#failures.set(name, entry);
    if (this.#failures.size > this.#options.maxNames) this.#failures.delete(this.#failures.keys().next().value!);
  }

  /** A success: the count starts again. */
  succeed(name: string): void {
    this.#failures.delete(name);
  }
}
