/**
 * One backpressure episode of a WebSocket: every send made while the
 * transport's buffer is over `maxBackpressure` shares one promise, settled
 * when the buffer drains (or rejected when the connection closes).
 *
 * @module
 */

function noop(): void {}

/**
 * The promise sends wait on, and how to settle it.
 *
 * @example
 * ```ts
 * const drain = new Drain();
 * void drain.promise;        // what waiting sends return
 * drain.resolve();           // the buffer is back under the limit
 * ```
 */
export class Drain {
  /** Already marked as handled: a send nobody awaits must not crash the process when the peer leaves. */
  readonly promise: Promise<void>;
  resolve!: () => void;
  reject!: (error: unknown) => void;

  constructor() {
    this.promise = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.promise.catch(noop);
  }
}
