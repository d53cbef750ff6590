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
 * `this.request`, across its own awaits too. One snapshot per call of this
 * function, none per call of the result.
 *
 * @param fn - a one-argument function.
 * @returns `fn` itself outside of a request, else a wrapper running it in the request's context.
 */
export function bindToRequest<A, R>(fn: (argument: A) => R): (argument: A) => R {
  if (storage.getStore() === undefined) return fn;
  const run = AsyncLocalStorage.snapshot();
  return (argument) => run(fn, argument);
}
