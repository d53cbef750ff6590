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
import { AsyncLocalStorage } from "node:async_hooks";
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
 * `fn` bound to the current request: called later from an adapter's callback
 * (a WebSocket message delivered by `onMessage`), it still sees
 * `this.request`, across its own awaits too, with no closure per call.
 *
 * A `run()` per call, not a snapshot: with async_hooks (Node 20) it is the
 * faster of the two (70 against 155 ns a message, socket-free echo); with
 * AsyncContextFrame (Node 24) a snapshot is faster (120 against 245 ns) but
 * holds ≈ 1.45 KB per socket for the socket's whole life, more than the rest
 * of an idle `onMessage` socket together.
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
  return (argument) => storage.run(request, fn, argument);
}
