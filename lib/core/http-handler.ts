/**
 * One HTTP request through the core: route, read the body, load the session,
 * run middleware and the handler, commit the session, write the response.
 *
 * @module
 */
import { ClientGoneError } from "../body/client-gone-error.js";
import { disposeFiles, parseBody } from "../body/parse-body.js";
import type { AppCore } from "./app-core.js";
import { bindArguments } from "./binding.js";
import { runWithRequest } from "./context.js";
import { ERRORS, HttpError } from "./errors.js";
import { splitPath } from "./path.js";
import type { HttpScope, Receive, Send } from "./protocol.js";
import { NO_FILES, Request } from "./request.js";
import { toResponse, validateHeaders, type ResponseInit } from "./response.js";
import type { RouteMatch } from "./route-table.js";
import { writeResponse } from "./write-response.js";

/** True when the request announces a body (RFC 9112 §6.3: Content-Length or Transfer-Encoding). */
function hasBody(headers: HttpScope["headers"]): boolean {
  const length = headers["content-length"];
  return (length !== undefined && length !== "0") || headers["transfer-encoding"] !== undefined;
}

/** Handles one HTTP request scope. Never rejects for handler errors; rejects only if writing failed mid-stream. */
export async function handleHttp(core: AppCore, scope: HttpScope, receive: Receive, send: Send): Promise<void> {
  const request = new Request(scope);
  let response: ResponseInit;
  try {
    response = await produceResponse(core, request, receive);
  } catch (error) {
    if (error instanceof ClientGoneError) return disposeFiles(request.files);
    response = core.errorResponse(error, request);
  }
  try {
    try {
      response = await finishResponse(core, request, response);
    } catch (error) {
      response = core.errorResponse(error, request);
    }
    await writeResponse(response, send, scope.method === "HEAD");
  } catch (error) {
    if (error instanceof ClientGoneError) return;
    core.logger.error(`error while writing the response to ${request.method} ${request.path}`, error);
    throw error; // the adapter aborts the connection: the status line is already out
  } finally {
    if (request.files !== NO_FILES) await disposeFiles(request.files);
  }
}

async function produceResponse(core: AppCore, request: Request, receive: Receive): Promise<ResponseInit> {
  let match: RouteMatch | undefined;
  let routeError: unknown;
  try {
    match = core.http.match(request.method, splitPath(request.path));
  } catch (error) {
    routeError = error;
  }
  if (core.headerCountExceeded(request.headers)) throw HttpError.of(ERRORS.TOO_MANY_HEADERS);
  if (match !== undefined && hasBody(request.headers)) {
    const parsed = await parseBody(request.headers, receive, core.limits);
    request.bodyParams = parsed.fields;
    request.files = parsed.files;
    request.jsonBody = parsed.json;
    request.body = parsed.raw;
  }
  await core.sessions.load(request);
  const middlewares = core.app.middlewares;
  for (let i = 0; i < middlewares.length; i++) {
    const early = await middlewares[i]!.beforeRequest?.(request);
    if (early !== undefined) return toResponse(early);
  }
  if (match === undefined) throw routeError;
  const args = bindArguments(match, request);
  const fn = match.handler.fn;
  const app = core.app;
  const result = await runWithRequest(request, () => fn.apply(app, args));
  return toResponse(result);
}

/** `afterRequest` middleware, the session cookie, user cookies, header checks. */
async function finishResponse(core: AppCore, request: Request, response: ResponseInit): Promise<ResponseInit> {
  const middlewares = core.app.middlewares;
  for (let i = 0; i < middlewares.length; i++) {
    const replaced = await middlewares[i]!.afterRequest?.(request, response);
    if (replaced !== undefined) response = replaced;
  }
  await core.sessions.commit(request);
  const cookies = request.outgoingCookies;
  if (cookies.length > 0) {
    const existing = response.headers["set-cookie"];
    response.headers["set-cookie"] = existing === undefined ? cookies : [...[existing].flat(), ...cookies];
  }
  validateHeaders(response.headers);
  return response;
}
