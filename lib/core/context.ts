/**
 * Keeps `this.request` per request.
 *
 * Handlers run with `this` bound to the app itself (so app state, `#private`
 * fields and helper methods behave as in any class); the current request
 * travels through AsyncLocalStorage, so it stays right across every `await`
 * and concurrent requests never see each other's. bench/RESULTS.md records
 * what this costs against a raw uWS handler.
 *
 * @module
 */
import { AsyncLocalStorage, AsyncResource } from "node:async_hooks";
import type { Request } from "./request.js";

const storage = new AsyncLocalStorage<Request>();

/** Runs `fn` with `request` as the current request. */
export function runWithRequest<T>(request: Request, fn: () => T): T {
  return storage.run(request, fn);
}

/** The request of the running handler, or undefined outside of one. */
export function currentRequest(): Request | undefined {
  return storage.getStore();
}

/**
 * True where AsyncLocalStorage rides on async_hooks (Node 20, 22) rather than
 * on AsyncContextFrame (Node 24). It decides only how {@link bindToRequest}
 * binds, never what the binding means.
 */
const HOOKED = typeof (AsyncLocalStorage.prototype as { _propagate?: unknown })._propagate === "function";

/**
 * `fn` bound to the current request: called later from an adapter's callback
 * (a WebSocket message delivered by `onMessage`), it still sees
 * `this.request`, across its own awaits too, with no closure per call.
 *
 * How, measured with a socket-free echo through `onMessage` (per message /
 * per socket): with async_hooks a `run()` per call is the cheapest (70 ns,
 * nothing kept; a snapshot is 155 ns and 2.8 KB). With AsyncContextFrame a
 * `run()` builds a frame per call (245 ns), a snapshot keeps ≈ 1.7 KB per
 * socket, and one `AsyncResource` per socket re-enters its frame for about
 * 300 B.
 *
 * @param fn - a one-argument function.
 * @returns `fn` itself outside of a request, else a wrapper running it in the request's context.
 * @example
 * ```ts
 * const handler = bindToRequest((message: string) => this.request.path);
 * ```
 */
export function bindToRequest<A, R>(fn: (argument: A) => R): (argument: A) => R {
  const request = storage.getStore();
  if (request === undefined) return fn;
  if (HOOKED) return (argument) => storage.run(request, fn, argument);
  const resource = new AsyncResource("upie.onMessage", { requireManualDestroy: true });
  return (argument) => resource.runInAsyncScope(fn, undefined, argument);
}
