/**
 * One WebSocket connection through the core: route, load the session, run
 * `beforeWebSocket` middleware, bind arguments, run the `ws_` handler with
 * `this.request` set, then map how it ended to the handshake or close frame
 * the client gets, and run `afterWebSocket`.
 *
 * Outcomes (docs/websockets.md): never accepted → HTTP 403; threw before accepting →
 * its HttpError status, else 500 (logged); threw after accepting → close
 * 1011 (logged), or 1007 for an uncaught `InvalidMessageError` (not logged: the
 * client's fault); returned after accepting → close 1000. A `ConnectionClosed`
 * escaping the handler means the peer left: it ends the connection quietly.
 *
 * @module
 */
import { WebSocket } from "./websocket.js";
import { WebSocketEngine } from "./websocket-engine.js";
import type { AppCore } from "../core/app-core.js";
import { bindArguments } from "../core/binding.js";
import { currentRequest, runWithRequest } from "../core/context.js";
import { ConnectionClosed, ERRORS, HttpError, InvalidMessageError, InvalidStateError, STATUS_TEXT } from "../protocol/errors.js";
import { isThenable } from "../protocol/is-thenable.js";
import type { WebSocketRejection } from "../core/middleware.js";
import { splitPath } from "../core/path.js";
import type { WebSocketChannel, WebSocketScope } from "../protocol/protocol.js";
import { Request } from "../core/request.js";
import type { RouteMatch } from "../core/route-table.js";

interface Refusal {
  status: number;
  body: string;
}

/** A connection ready to run: the socket, its request, and the bound handler. */
interface Started {
  engine: WebSocketEngine;
  socket: WebSocket;
  request: Request;
  fn: Function;
  args: unknown[];
}

const FINISHED_OK: unique symbol = Symbol("finished");

/**
 * Handles one WebSocket scope: a {@link WebSocketEngine} attached to the
 * adapter's channel, the handler, and how it ended. Never rejects: every failure becomes a
 * refused handshake or a close frame, and is logged when it is a bug.
 *
 * @param core - the app.
 * @param scope - the handshake, as the adapter saw it.
 * @param channel - the adapter's side; its `done()` is called at the end.
 * @returns once the handler and `afterWebSocket` middleware have finished.
 * @example
 * ```ts
 * await handleWebSocketAsync(appCore(app), scope, channel);
 * ```
 */
export function handleWebSocketAsync(core: AppCore, scope: WebSocketScope, channel: WebSocketChannel): Promise<void> {
  return new Promise((resolve) => new Run(core, channel, resolve).begin(scope));
}

/**
 * {@link handleWebSocketAsync} without the promise: the adapter hears about the
 * end through `channel.done()` only, so an idle connection holds as little as possible.
 * The pair is named as `handleHttp` / `handleHttpAsync` are: the plain name
 * reports its end through a callback, the `Async` one returns a promise.
 *
 * @param core - the app.
 * @param scope - the handshake, as the adapter saw it.
 * @param channel - the adapter's side.
 * @example
 * ```ts
 * handleWebSocket(core, scope, channel); // later: channel.done()
 * ```
 */
export function handleWebSocket(core: AppCore, scope: WebSocketScope, channel: WebSocketChannel): void {
  new Run(core, channel, undefined).begin(scope);
}

/**
 * The Run of each handler still running, found from the request's context by
 * the shared reactions below: following a handler's promise then costs one
 * table entry instead of two closures per connection.
 */
const running = new WeakMap<Request, Run>();

/**
 * The Run whose handler's promise just settled. The reaction was taken inside
 * `runWithRequest`, so it runs in that request's context.
 */
function settledRun(): Run {
  const request = currentRequest();
  const run = request === undefined ? undefined : running.get(request);
  if (run === undefined) throw new InvalidStateError("a WebSocket handler settled outside its request's context");
  running.delete(request!);
  return run;
}

function handlerReturned(): void {
  settledRun().returned();
}

function handlerFailed(error: unknown): void {
  settledRun().failed(error);
}

/**
 * Start, run the handler, finish. While the handler runs (the whole life of
 * the connection) this holds one reaction on the handler's promise (shared
 * functions, see {@link running}) and this object: no suspended async frame
 * and no closure of its own.
 */
class Run {
  readonly #core: AppCore;
  readonly #channel: WebSocketChannel;
  readonly #onDone: (() => void) | undefined;
  #engine: WebSocketEngine | undefined;
  #request: Request | undefined;

  constructor(core: AppCore, channel: WebSocketChannel, onDone: (() => void) | undefined) {
    this.#core = core;
    this.#channel = channel;
    this.#onDone = onDone;
  }

  begin(scope: WebSocketScope): void {
    let started: ReturnType<typeof start>;
    try {
      started = start(this.#core, scope, this.#channel);
    } catch (error) {
      return this.#failed(error, scope.path);
    }
    if (!isThenable(started)) return this.#run(started);
    started.then(
      (value) => this.#run(value),
      (error: unknown) => this.#failed(error, scope.path),
    );
  }

  #run(started: Started | undefined): void {
    if (started === undefined) return this.#end();
    // Keep only what finish() needs: the bound arguments die with `started`.
    this.#engine = started.engine;
    this.#request = started.request;
    const { fn, args } = started;
    // The reaction on the handler's promise is taken inside the request's context too:
    // taken after run() it would keep the context frame run() leaves behind on Node 24
    // (≈ 180 B per idle socket), instead of the one the handler already holds.
    runWithRequest(started.request, () => this.#call(fn, args));
  }

  /** Calls the handler with `this` = the app and follows it to its end. */
  #call(fn: Function, args: unknown[]): void {
    let result: unknown;
    try {
      result = fn.apply(this.#core.app, args);
    } catch (error) {
      return this.#after(error);
    }
    if (!isThenable(result)) return this.returned();
    running.set(this.#request!, this);
    // A native promise is followed as is; any other thenable through one.
    Promise.resolve(result).then(handlerReturned, handlerFailed);
  }

  /**
   * The handler returned. If it left its messages to `onMessage()`, the
   * connection is theirs until it closes: no suspended handler is kept for it.
   */
  returned(): void {
    if (!this.#engine!.whenConsumed(this)) this.#after(FINISHED_OK);
  }

  /** The handler threw (or its promise rejected). */
  failed(error: unknown): void {
    this.#after(error);
  }

  /** `onMessage` delivery is over: the peer left, or a call threw. */
  consumed(failed: boolean, failure: unknown): void {
    this.#after(failed ? failure : FINISHED_OK);
  }

  #after(outcome: unknown): void {
    const request = this.#request!;
    finish(this.#core, this.#engine!, request, outcome).then(
      () => this.#end(),
      (error: unknown) => this.#failed(error, request.path),
    );
  }

  #failed(error: unknown, path: string): void {
    this.#core.logger.error(`unexpected error in WebSocket ${path}`, error);
    this.#end();
  }

  #end(): void {
    this.#channel.done();
    this.#onDone?.();
  }
}

/**
 * Everything before the handler runs; `undefined` when the handshake was
 * refused. Synchronous on the common path (no session cookie, no
 * middleware): a handshake allocates no promise here.
 */
function start(core: AppCore, scope: WebSocketScope, channel: WebSocketChannel): Started | undefined | Promise<Started | undefined> {
  const engine = new WebSocketEngine(channel, core.config.websocket);
  const request = new Request(scope, core.secrets);
  // The core adds the handshake's cookies (the session's among them) at accept time.
  const socket = new WebSocket(engine, request, core);
  let prepared: ReturnType<typeof prepare>;
  try {
    prepared = prepare(core, request, socket);
  } catch (error) {
    return refuseFor(core, request, engine, error);
  }
  if (!isThenable(prepared)) return ready(engine, socket, request, prepared);
  return Promise.resolve(prepared).then(
    (done) => ready(engine, socket, request, done),
    (error: unknown) => refuseFor(core, request, engine, error),
  );
}

function ready(engine: WebSocketEngine, socket: WebSocket, request: Request, prepared: Refusal | Bound): Started | Promise<undefined> {
  if ("status" in prepared) return engine.refuse(prepared.status, prepared.body).then(() => undefined);
  return { engine, socket, request, fn: prepared.fn, args: prepared.args };
}

/** A failure before the handler: its HttpError status, else a logged 500. */
function refuseFor(core: AppCore, request: Request, engine: WebSocketEngine, error: unknown): Promise<undefined> {
  const { status, body } = core.errorResponse(error, request);
  return engine.refuse(status, typeof body === "string" ? body : "").then(() => undefined);
}

/** Everything after the handler: answer or close, `afterWebSocket`, save the session. */
async function finish(core: AppCore, engine: WebSocketEngine, request: Request, outcome: unknown): Promise<void> {
  await settle(core, request, engine, outcome !== FINISHED_OK, outcome);
  const middlewares = core.app.webSocketMiddlewares;
  for (let i = 0; i < middlewares.length; i++) {
    try {
      await middlewares[i]!.afterWebSocket?.(request);
    } catch (error) {
      core.logger.error(`afterWebSocket failed for ${request.path}`, error);
    }
  }
  try {
    await core.sessions.commit(request);
  } catch (error) {
    core.logger.error(`saving the session of WebSocket ${request.path} failed`, error);
  }
}

/** What to call, with its arguments bound. */
interface Bound {
  fn: Function;
  args: unknown[];
}

/**
 * Routing, session, `beforeWebSocket`, binding: a refusal, or what to call.
 * Awaits only when there is a session cookie to load or a middleware to run.
 */
function prepare(core: AppCore, request: Request, socket: WebSocket): Refusal | Bound | Promise<Refusal | Bound> {
  let match: RouteMatch | undefined;
  let routeError: unknown;
  try {
    match = core.ws.match(request.method, splitPath(request.path));
  } catch (error) {
    routeError = error;
  }
  if (core.headerCountExceeded(request.headers)) throw HttpError.of(ERRORS.TOO_MANY_HEADERS);
  // Before the session is loaded or any middleware runs: a page of another
  // origin gets nothing that rides on the victim's cookies.
  if (!core.config.websocket.originAllowed(request)) throw HttpError.of(ERRORS.FORBIDDEN_ORIGIN);
  // SessionManager.load() does nothing without a cookie header; skip its promise.
  if (request.headers.cookie === undefined && core.app.webSocketMiddlewares.length === 0) return bind(match, routeError, request, socket);
  return prepareSlowly(core, request, socket, match, routeError);
}

async function prepareSlowly(core: AppCore, request: Request, socket: WebSocket, match: RouteMatch | undefined, routeError: unknown): Promise<Refusal | Bound> {
  await core.sessions.load(request);
  const middlewares = core.app.webSocketMiddlewares;
  for (let i = 0; i < middlewares.length; i++) {
    const rejection = await middlewares[i]!.beforeWebSocket?.(request);
    if (rejection !== undefined && rejection !== null) return refusalOf(rejection);
  }
  return bind(match, routeError, request, socket);
}

function bind(match: RouteMatch | undefined, routeError: unknown, request: Request, socket: WebSocket): Bound {
  if (match === undefined) throw routeError;
  return { fn: match.handler.fn, args: bindArguments(match, request, socket) };
}

/** `{ code, reason }` from `beforeWebSocket`: an HTTP status is used as is; anything else (a close code such as 1008) means 403. */
function refusalOf(rejection: WebSocketRejection): Refusal {
  const code = rejection.code;
  const status = typeof code === "number" && Number.isInteger(code) && code >= 400 && code <= 599 ? code : 403;
  const reason = rejection.reason;
  return { status, body: typeof reason === "string" && reason !== "" ? reason : (STATUS_TEXT[status] ?? "Forbidden") };
}

/** Answers the handshake or closes the socket, depending on how the handler ended. */
async function settle(core: AppCore, request: Request, engine: WebSocketEngine, failed: boolean, failure: unknown): Promise<void> {
  if (engine.pending) {
    if (!failed) return engine.refuse(403, "Forbidden");
    const { status, body } = core.errorResponse(failure, request);
    return engine.refuse(status, typeof body === "string" ? body : "");
  }
  // The client sent what its handler refused to read: not the app's bug, not logged.
  if (failed && failure instanceof InvalidMessageError) return engine.close(failure.closeCode, ERRORS.WS_INVALID_MESSAGE.message);
  if (failed && !(failure instanceof ConnectionClosed)) {
    core.logger.error(`unhandled error in WebSocket handler for ${request.path}`, failure);
    return engine.close(ERRORS.WS_HANDLER_ERROR.status, ERRORS.WS_HANDLER_ERROR.message);
  }
  return engine.close(1000, "");
}
