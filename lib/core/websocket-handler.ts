/**
 * One WebSocket connection through the core: route, load the session, run
 * `beforeWebSocket` middleware, bind arguments, run the `ws_` handler with
 * `this.request` set, then map how it ended to the handshake or close frame
 * the client gets, and run `afterWebSocket`.
 *
 * Outcomes (DESIGN.md): never accepted → HTTP 403; threw before accepting →
 * its HttpError status, else 500 (logged); threw after accepting → close
 * 1011 (logged); returned after accepting → close 1000. A `ConnectionClosed`
 * escaping the handler means the peer left: it ends the connection quietly.
 *
 * @module
 */
import { DEFAULT_SESSION_TTL_SECONDS, serializeSessionCookie } from "../session/session-state.js";
import { MessageQueue } from "../websocket/message-queue.js";
import { isHandshakePending, rejectHandshake, WebSocket, type WebSocketHooks } from "../websocket/websocket.js";
import { websocketSettings } from "../websocket/websocket-settings.js";
import type { AppCore } from "./app-core.js";
import { bindArguments } from "./binding.js";
import { runWithRequest } from "./context.js";
import { ConnectionClosed, ERRORS, HttpError, STATUS_TEXT } from "./errors.js";
import { isThenable } from "./is-thenable.js";
import type { WebSocketRejection } from "./middleware.js";
import { splitPath } from "./path.js";
import type { Channel, ResponseHeaders, WebSocketScope } from "./protocol.js";
import { Request } from "./request.js";
import { validateHeaders } from "./response.js";
import type { RouteMatch } from "./route-table.js";

interface Refusal {
  status: number;
  body: string;
}

const hooks = new WeakMap<AppCore, WebSocketHooks>();

/** The adapter fast path: a queue the adapter fills itself, told when the handler is done. */
export interface InboundQueue extends MessageQueue {
  /** Called once the handler and `afterWebSocket` middleware have finished. */
  handlerDone(): void;
}

/** A connection ready to run: the socket, its request, and the bound handler. */
interface Started {
  socket: WebSocket;
  request: Request;
  fn: Function;
  args: unknown[];
}

const FINISHED_OK: unique symbol = Symbol("finished");

/**
 * Handles one WebSocket scope through the protocol (the TestClient, any
 * adapter without a fast path). Never rejects: every failure becomes a
 * refused handshake or a close frame, and is logged when it is a bug.
 *
 * @param core - the app.
 * @param scope - the handshake, as the adapter saw it.
 * @param channel - the protocol's `receive` (`websocket.connect`, then
 *   `websocket.receive` events, then `websocket.disconnect`) and `send`.
 * @returns once the handler and `afterWebSocket` middleware have finished.
 * @example
 * ```ts
 * await handleWebSocket(appCore(app), scope, { receive, send });
 * ```
 */
export function handleWebSocket(core: AppCore, scope: WebSocketScope, channel: Channel): Promise<void> {
  return new Promise((resolve) => serve(core, scope, channel, undefined, resolve));
}

/**
 * The uWS fast path of {@link handleWebSocket}: the adapter's connection is
 * both the channel and the inbound queue its callbacks fill (the core never
 * calls `receive()`), and it hears about the end through `handlerDone()`
 * rather than a promise, so an idle connection holds as little as possible.
 *
 * @param core - the app.
 * @param scope - the handshake, as the adapter saw it.
 * @param connection - channel and inbound queue in one object.
 * @example
 * ```ts
 * serveWebSocket(core, scope, connection); // later: connection.handlerDone()
 * ```
 */
export function serveWebSocket(core: AppCore, scope: WebSocketScope, connection: Channel & InboundQueue): void {
  serve(core, scope, connection, connection, undefined);
}

/**
 * Start, run the handler, finish. While the handler runs (the whole life of
 * the connection) this holds one reaction on the handler's promise, two
 * anonymous arrows and this object: no suspended async frame of its own.
 */
class Run {
  readonly #core: AppCore;
  readonly #inbound: InboundQueue | undefined;
  readonly #onDone: (() => void) | undefined;
  #socket: WebSocket | undefined;
  #request: Request | undefined;

  constructor(core: AppCore, inbound: InboundQueue | undefined, onDone: (() => void) | undefined) {
    this.#core = core;
    this.#inbound = inbound;
    this.#onDone = onDone;
  }

  begin(scope: WebSocketScope, channel: Channel): void {
    let started: ReturnType<typeof start>;
    try {
      started = start(this.#core, scope, channel, this.#inbound);
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
    this.#socket = started.socket;
    this.#request = started.request;
    let result: unknown;
    try {
      result = call(this.#core.app, started);
    } catch (error) {
      return this.#after(error);
    }
    if (isThenable(result)) {
      result.then(
        () => this.#after(FINISHED_OK),
        (error: unknown) => this.#after(error),
      );
    } else {
      this.#after(FINISHED_OK);
    }
  }

  #after(outcome: unknown): void {
    const request = this.#request!;
    finish(this.#core, this.#socket!, request, outcome).then(
      () => this.#end(),
      (error: unknown) => this.#failed(error, request.path),
    );
  }

  #failed(error: unknown, path: string): void {
    this.#core.logger.error(`unexpected error in WebSocket ${path}`, error);
    this.#end();
  }

  #end(): void {
    this.#inbound?.handlerDone();
    this.#onDone?.();
  }
}

function serve(core: AppCore, scope: WebSocketScope, channel: Channel, inbound: InboundQueue | undefined, onDone: (() => void) | undefined): void {
  new Run(core, inbound, onDone).begin(scope, channel);
}

/**
 * Calls the handler with `this.request` set. A function of its own so the
 * closure holding the arguments lives in this short scope, not in the
 * long-lived one of {@link Run}.
 */
function call(app: object, { fn, args, request }: Started): unknown {
  return runWithRequest(request, () => fn.apply(app, args));
}

/**
 * Everything before the handler runs; `undefined` when the handshake was
 * refused. Synchronous on the common path (no session cookie, no
 * middleware, the adapter's fast path): a handshake allocates no promise here.
 */
function start(core: AppCore, scope: WebSocketScope, channel: Channel, inbound: InboundQueue | undefined): Started | undefined | Promise<Started | undefined> {
  if (inbound === undefined) return startFromReceive(core, scope, channel);
  return startWith(core, scope, channel, inbound);
}

/** The protocol path: `websocket.connect` first, then a pump from `receive()` into a queue. */
async function startFromReceive(core: AppCore, scope: WebSocketScope, channel: Channel): Promise<Started | undefined> {
  const first = await channel.receive();
  if (first.type !== "websocket.connect") return undefined;
  const queue = new MessageQueue(websocketSettings(core).options);
  void pump(core, channel, queue);
  return startWith(core, scope, channel, queue);
}

function startWith(core: AppCore, scope: WebSocketScope, channel: Channel, queue: MessageQueue): Started | undefined | Promise<Started | undefined> {
  const request = new Request(scope, core.secrets);
  const socket = new WebSocket(queue, channel, request, hooksFor(core));
  let prepared: ReturnType<typeof prepare>;
  try {
    prepared = prepare(core, request, socket);
  } catch (error) {
    return refuseFor(core, request, socket, error);
  }
  if (!isThenable(prepared)) return ready(socket, request, prepared);
  return Promise.resolve(prepared).then(
    (done) => ready(socket, request, done),
    (error: unknown) => refuseFor(core, request, socket, error),
  );
}

function ready(socket: WebSocket, request: Request, prepared: Refusal | Bound): Started | Promise<undefined> {
  if ("status" in prepared) return rejectHandshake(socket, prepared.status, prepared.body).then(() => undefined);
  return { socket, request, fn: prepared.fn, args: prepared.args };
}

/** A failure before the handler: its HttpError status, else a logged 500. */
function refuseFor(core: AppCore, request: Request, socket: WebSocket, error: unknown): Promise<undefined> {
  const { status, body } = core.errorResponse(error, request);
  return rejectHandshake(socket, status, typeof body === "string" ? body : "").then(() => undefined);
}

/** Everything after the handler: answer or close, `afterWebSocket`, save the session. */
async function finish(core: AppCore, socket: WebSocket, request: Request, outcome: unknown): Promise<void> {
  await settle(core, request, socket, outcome !== FINISHED_OK, outcome);
  const middlewares = core.app.wsMiddlewares;
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
  if (!websocketSettings(core).options.originAllowed(request)) throw HttpError.of(ERRORS.FORBIDDEN_ORIGIN);
  // SessionManager.load() does nothing without a cookie header; skip its promise.
  if (request.headers.cookie === undefined && core.app.wsMiddlewares.length === 0) return bind(match, routeError, request, socket);
  return prepareSlowly(core, request, socket, match, routeError);
}

async function prepareSlowly(core: AppCore, request: Request, socket: WebSocket, match: RouteMatch | undefined, routeError: unknown): Promise<Refusal | Bound> {
  await core.sessions.load(request);
  const middlewares = core.app.wsMiddlewares;
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
async function settle(core: AppCore, request: Request, socket: WebSocket, failed: boolean, failure: unknown): Promise<void> {
  if (isHandshakePending(socket)) {
    if (!failed) return rejectHandshake(socket, 403, "Forbidden");
    const { status, body } = core.errorResponse(failure, request);
    return rejectHandshake(socket, status, typeof body === "string" ? body : "");
  }
  if (failed && !(failure instanceof ConnectionClosed)) {
    core.logger.error(`unhandled error in WebSocket handler for ${request.path}`, failure);
    return socket.close(ERRORS.WS_HANDLER_ERROR.status, ERRORS.WS_HANDLER_ERROR.message);
  }
  return socket.close(1000);
}

/** Reads `receive()` into the queue, for adapters without a fast path (the TestClient). */
async function pump(core: AppCore, channel: Channel, queue: MessageQueue): Promise<void> {
  try {
    for (;;) {
      const event = await channel.receive();
      if (event.type === "websocket.disconnect") {
        queue.end(event.code, event.reason ?? "", false);
        return;
      }
      if (event.type !== "websocket.receive") continue;
      const message = event.text ?? event.bytes;
      if (message === undefined) continue;
      const size = typeof message === "string" ? Buffer.byteLength(message) : message.byteLength;
      if (!queue.push(message, size)) {
        const { status: code, message: reason } = ERRORS.WS_QUEUE_OVERFLOW;
        queue.end(code, reason, true);
        await channel.send({ type: "websocket.close", code, reason });
        return;
      }
    }
  } catch (error) {
    queue.end(1006, "", false);
    if (!(error instanceof ConnectionClosed)) core.logger.error("a WebSocket adapter's receive() failed", error);
  }
}

function hooksFor(core: AppCore): WebSocketHooks {
  let found = hooks.get(core);
  if (found === undefined) {
    const { sessionTtl = DEFAULT_SESSION_TTL_SECONDS, secret, secureCookies } = core.options;
    const cookieOptions = { secret, secure: secureCookies === true };
    const cookieHeaders = (request: Request, sessionId: string | undefined): ResponseHeaders | undefined => {
      if (request.outgoingCookies.length === 0 && sessionId === undefined) return undefined;
      const cookies = request.outgoingCookies.splice(0);
      if (sessionId !== undefined) cookies.push(serializeSessionCookie(sessionId, sessionTtl, cookieOptions));
      const headers = { "set-cookie": cookies };
      validateHeaders(headers);
      return headers;
    };
    found = {
      handshakeHeaders(request: Request, sessionId: string | undefined): ResponseHeaders | undefined | Promise<ResponseHeaders | undefined> {
        // The handshake is the only response a WebSocket gets: cookies set and
        // session changes made before accept() travel on it.
        const saving = core.sessions.commit(request);
        if (saving === undefined) return cookieHeaders(request, sessionId);
        return saving.then(() => cookieHeaders(request, sessionId));
      },
    };
    hooks.set(core, found);
  }
  return found;
}
