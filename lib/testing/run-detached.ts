/**
 * Starts the app's side of a TestClient request or connection the way a
 * server's socket callback starts: from the event loop, in a context of its
 * own. Called in place, the core would run in the test's context, and a
 * handler would see AsyncLocalStorage stores the test entered around the
 * call, which no request over a socket can.
 *
 * @module
 */
import { AsyncResource } from "node:async_hooks";

/** The context current when the testing module loaded: no test's, no request's. */
const detached = new AsyncResource("upie.TestClient", { requireManualDestroy: true });

/**
 * Calls `fn` in a context of its own; the caller's is back when it returns.
 * What `fn` starts (promises, timers) keeps that context, not the caller's.
 *
 * @param fn - the call that hands a request to the core.
 * @returns what `fn` returns.
 * @example
 * ```ts
 * const handled = runDetached(() => handleHttpAsync(core, scope, exchange));
 * ```
 */
export function runDetached<T>(fn: () => T): T {
  return detached.runInAsyncScope(fn);
}
