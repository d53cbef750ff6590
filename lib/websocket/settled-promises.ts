/**
 * The two settled promises the WebSocket engine hands out without waiting:
 * the shared resolved one (a send that did not have to wait allocates
 * nothing), and a rejection that does not kill Node when nobody awaits it.
 *
 * @module
 */

function noop(): void {}

/**
 * The one resolved promise every send that did not have to wait returns (no
 * allocation per send). A consumer call returning it counts as done at
 * once: the next message follows without a microtask.
 */
export const RESOLVED: Promise<void> = Promise.resolve();

/**
 * A rejected promise nobody is forced to observe: a receive or send that is
 * never awaited must not become an unhandled rejection (which kills Node).
 * Awaiting it still throws.
 *
 * @param error - the rejection reason.
 * @returns a rejected promise already marked as handled.
 * @example
 * ```ts
 * return quietRejection(new ConnectionClosed(1006));
 * ```
 */
export function quietRejection<T = never>(error: unknown): Promise<T> {
  const promise = Promise.reject(error);
  promise.catch(noop);
  return promise;
}
