/**
 * One HTTP request through the core: route, run the middleware's early
 * phase (`beforeBody`), read the body, load the session, run `beforeRequest`
 * and the handler, commit the session, write the response.
 *
 * The common case (no body, no cookie, no middleware, a handler returning a
 * string, bytes or JSON) runs without a promise of its own: only the handler's
 * promise is awaited. Everything else takes the general async path.
 *
 * @module
 */
import { ClientGoneError } from "../body/client-gone-error.js";
import { disposeFiles, parseBody } from "../body/parse-body.js";
import type { UploadLease } from "../body/upload-budget.js";
import type { AppCore } from "./app-core.js";
import { bindArguments } from "./binding.js";
import { validateBody } from "./body-schema.js";
import { runWithRequest } from "./context.js";
import { ERRORS, HttpError } from "../protocol/errors.js";
import { isThenable } from "../protocol/is-thenable.js";
import { splitPath } from "./path.js";
import type { Channel, HttpScope } from "../protocol/protocol.js";
import { NO_FILES, Request, requestFields } from "./request.js";
import { toResponse, validateHeaders, type ResponseInit } from "./response.js";
import type { RouteMatch } from "./route-table.js";
import { StreamStartError, writeResponse } from "./write-response.js";

/** True when the request announces a body (RFC 9112 §6.3: Content-Length or Transfer-Encoding). */
export function hasBody(headers: HttpScope["headers"]): boolean {
  const length = headers["content-length"];
  return (length !== undefined && length !== "0") || headers["transfer-encoding"] !== undefined;
}

/**
 * Called once a request is over: `failed` is true when writing failed after
 * the status line went out (the adapter then cuts the connection); `error`
 * is that failure.
 */
export type HttpDone<C extends Channel> = (channel: C, failed: boolean, error?: unknown) => void;

/**
 * Handles one HTTP request scope. `done(channel, failed)` is called once the
 * request is over: synchronously when the response was written at once. It is
 * a callback, not a returned promise, so that the uWS adapter can pass one
 * module-level function: a promise of our own per request (and the `.then`
 * the adapter would hang on it) costs a promise, two closures and a microtask
 * on the hot path, more again on Node 20 where AsyncLocalStorage hooks every
 * promise.
 */
export function handleHttp<C extends Channel>(core: AppCore, scope: HttpScope, channel: C, done: HttpDone<C>): void {
  const request = new Request(scope, core.secrets);
  const headers = scope.headers;
  if (core.app.middlewares.length > 0 || headers.cookie !== undefined || hasBody(headers) || core.headerCountExceeded(headers)) {
    return settle(handleGeneral(core, request, channel), channel, done);
  }
  let result: unknown;
  try {
    result = invoke(core, core.http.match(request.method, splitPath(request.path)), request);
  } catch (error) {
    return settle(respond(core, request, core.errorResponse(error, request), channel), channel, done);
  }
  if (isThenable(result)) {
    // One reaction on the handler's own promise, and no promise of ours unless the write is pending.
    // (Promise.resolve returns a native promise as it is; a foreign thenable whose `then` throws becomes a 500.)
    Promise.resolve(result).then(
      (value) => settle(respondSafely(core, request, value, false, channel), channel, done),
      (error) => settle(respondSafely(core, request, error, true, channel), channel, done),
    );
    return;
  }
  settle(respond(core, request, toResponse(result), channel), channel, done);
}

/**
 * {@link handleHttp} as a promise, for callers that await a request (the
 * TestClient): the same path as the uWS adapter's, ending in a promise that
 * rejects only when writing failed after the status line went out.
 */
export function handleHttpAsync(core: AppCore, scope: HttpScope, channel: Channel): Promise<void> {
  return new Promise((resolve, reject) => {
    handleHttp(core, scope, channel, (_channel, failed, error) => (failed ? reject(error) : resolve()));
  });
}

/** Calls `done` now, or once `pending` settles. */
function settle<C extends Channel>(pending: Promise<void> | undefined, channel: C, done: HttpDone<C>): void {
  if (pending === undefined) done(channel, false);
  else pending.then(() => done(channel, false), (error: unknown) => done(channel, true, error));
}

/** respond() for a settled handler, as a rejected promise if it throws (it runs outside any `.then` that would catch). */
function respondSafely(core: AppCore, request: Request, outcome: unknown, threw: boolean, channel: Channel): Promise<void> | undefined {
  try {
    return respond(core, request, threw ? core.errorResponse(outcome, request) : toResponse(outcome), channel);
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Binds the arguments and calls the handler with `this` = the app and `this.request` = request. */
function invoke(core: AppCore, match: RouteMatch, request: Request): unknown {
  const schema = match.handler.schema;
  if (schema !== undefined) return validateBody(schema, request).then((invalid) => invalid ?? call(core, match, request));
  return call(core, match, request);
}

function call(core: AppCore, match: RouteMatch, request: Request): unknown {
  const args = bindArguments(match, request);
  const fn = match.handler.fn;
  const app = core.app;
  return runWithRequest(request, () => fn.apply(app, args));
}

/** The path for requests with a body, cookies, middleware or many headers. */
async function handleGeneral(core: AppCore, request: Request, channel: Channel): Promise<void> {
  const lease = core.uploads.lease();
  try {
    await handleWithLease(core, request, channel, lease);
  } finally {
    // After the files are disposed of: until then they still hold their bytes.
    lease.release();
  }
}

async function handleWithLease(core: AppCore, request: Request, channel: Channel, lease: UploadLease): Promise<void> {
  let response: ResponseInit;
  try {
    response = await produceResponse(core, request, channel, lease);
  } catch (error) {
    if (error instanceof ClientGoneError) return disposeFiles(request.files);
    response = core.errorResponse(error, request);
  }
  try {
    const middlewares = core.app.middlewares;
    for (let i = 0; i < middlewares.length; i++) {
      const replaced = await middlewares[i]!.afterRequest?.(request, response);
      if (replaced !== undefined) response = replaced;
    }
  } catch (error) {
    response = core.errorResponse(error, request);
  }
  try {
    // Awaited only when pending: an `await` of undefined still costs a microtask (and Node 20's promise hooks).
    const written = respond(core, request, response, channel);
    if (written !== undefined) await written;
  } finally {
    if (request.files !== NO_FILES) await disposeFiles(request.files);
  }
}

async function produceResponse(core: AppCore, request: Request, channel: Channel, lease: UploadLease): Promise<ResponseInit> {
  let match: RouteMatch | undefined;
  let routeError: unknown;
  try {
    match = core.http.match(request.method, splitPath(request.path));
  } catch (error) {
    routeError = error;
  }
  if (core.headerCountExceeded(request.headers)) throw HttpError.of(ERRORS.TOO_MANY_HEADERS);
  const middlewares = core.app.middlewares;
  // The early phase: nothing read yet (no body, no session), so a rate limit
  // or a CSRF refusal costs no disk, no memory and no backend round trip.
  for (let i = 0; i < middlewares.length; i++) {
    const hook = middlewares[i]!.beforeBody;
    if (hook === undefined) continue;
    const early = await hook.call(middlewares[i], request);
    if (early !== undefined) return toResponse(early);
  }
  if (match !== undefined && hasBody(request.headers)) {
    const parsed = await parseBody(request.headers, () => channel.receive(), core.limits, lease);
    const fields = requestFields(request);
    fields.bodyParams = parsed.fields;
    // Only multipart bodies carry files; leaving NO_FILES spares the rest a disposal pass.
    for (const _ in parsed.files) {
      fields.files = parsed.files;
      break;
    }
    fields.jsonBody = parsed.json;
    fields.body = parsed.raw;
  }
  const loading = core.sessions.load(request); // undefined without a session cookie: no microtask then
  if (loading !== undefined) await loading;
  for (let i = 0; i < middlewares.length; i++) {
    const early = await middlewares[i]!.beforeRequest?.(request);
    if (early !== undefined) return toResponse(early);
  }
  if (match === undefined) throw routeError;
  const result = invoke(core, match, request);
  return toResponse(isThenable(result) ? await result : result);
}

/** Commits the session, adds cookies, checks headers, writes. Sync unless something must be awaited. */
function respond(core: AppCore, request: Request, response: ResponseInit, channel: Channel): Promise<void> | undefined {
  let commit: Promise<void> | undefined;
  try {
    commit = core.sessions.commit(request);
  } catch (error) {
    response = core.errorResponse(error, request);
  }
  if (commit !== undefined) {
    return commit.then(
      () => write(core, request, response, channel),
      (error) => write(core, request, core.errorResponse(error, request), channel),
    );
  }
  return write(core, request, response, channel);
}

function write(core: AppCore, request: Request, response: ResponseInit, channel: Channel): Promise<void> | undefined {
  try {
    if (request.hasOutgoingCookies) {
      const cookies = request.outgoingCookies;
      const existing = response.headers["set-cookie"];
      response.headers["set-cookie"] = existing === undefined ? cookies : [...[existing].flat(), ...cookies];
    }
    validateHeaders(response.headers);
  } catch (error) {
    response = core.errorResponse(error, request);
  }
  const head = request.method === "HEAD";
  const body = response.body;
  // A streamed body runs handler code (a generator's body) as it is written:
  // inside the request's context, so `this.request` works there too.
  const written = body === null || typeof body === "string" || body instanceof Uint8Array
    ? writeResponse(response, channel, head)
    : runWithRequest(request, () => writeResponse(response, channel, head));
  if (written === undefined) return undefined;
  return written.catch((error: unknown) => {
    if (error instanceof ClientGoneError) return;
    // Nothing was sent yet: the failure is the handler's, answered like any other throw.
    if (error instanceof StreamStartError) return writeResponse(core.errorResponse(error.cause, request), channel, head);
    core.logger.error(`error while writing the response to ${request.method} ${request.path}`, error);
    throw error; // the adapter aborts the connection: the status line is already out
  });
}
