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
import type { WebSocketRejection } from "./middleware.js";
import { splitPath } from "./path.js";
import type { Channel, ResponseHeaders, WebSocketScope } from "./protocol.js";
import { bindSecret, Request } from "./request.js";
import { validateHeaders } from "./response.js";

interface Refusal {
  status: number;
  body: string;
}

const hooks = new WeakMap<AppCore, WebSocketHooks>();

/**
 * Handles one WebSocket scope. Never rejects: every failure becomes a
 * refused handshake or a close frame, and is logged when it is a bug.
 *
 * @param core - the app.
 * @param scope - the handshake, as the adapter saw it.
 * @param channel - the protocol's `receive` (`websocket.connect`, then
 *   `websocket.receive` events, then `websocket.disconnect`) and `send`.
 * @param inbound - an adapter fast path: a queue the adapter fills itself
 *   (then `channel.receive` is never called). Without it the core reads `receive()`.
 * @returns once the handler and `afterWebSocket` middleware have finished.
 * @example
 * ```ts
 * await handleWebSocket(appCore(app), scope, { receive, send });
 * ```
 */
export async function handleWebSocket(core: AppCore, scope: WebSocketScope, channel: Channel, inbound?: MessageQueue): Promise<void> {
  try {
    await run(core, scope, channel, inbound);
  } catch (error) {
    core.logger.error(`unexpected error in WebSocket ${scope.path}`, error);
  }
}

async function run(core: AppCore, scope: WebSocketScope, channel: Channel, inbound: MessageQueue | undefined): Promise<void> {
  let queue = inbound;
  if (queue === undefined) {
    const first = await channel.receive();
    if (first.type !== "websocket.connect") return;
    queue = new MessageQueue(websocketSettings(core).options);
    void pump(core, channel, queue);
  }
  const request = new Request(scope);
  bindSecret(request, core.options.secret);
  const socket = new WebSocket(queue, channel, request, hooksFor(core));
  let args: unknown[];
  let fn: Function;
  try {
    const prepared = await prepare(core, request, socket);
    if ("status" in prepared) return await rejectHandshake(socket, prepared.status, prepared.body);
    ({ fn, args } = prepared);
  } catch (error) {
    const { status, body } = core.errorResponse(error, request);
    return await rejectHandshake(socket, status, typeof body === "string" ? body : "");
  }
  let failed = false;
  let failure: unknown;
  try {
    const app = core.app;
    await runWithRequest(request, () => fn.apply(app, args));
  } catch (error) {
    failed = true;
    failure = error;
  }
  await settle(core, request, socket, failed, failure);
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

/** Routing, session, `beforeWebSocket`, binding: a refusal, or what to call. */
async function prepare(core: AppCore, request: Request, socket: WebSocket): Promise<Refusal | { fn: Function; args: unknown[] }> {
  let match;
  let routeError: unknown;
  try {
    match = core.ws.match(request.method, splitPath(request.path));
  } catch (error) {
    routeError = error;
  }
  if (core.headerCountExceeded(request.headers)) throw HttpError.of(ERRORS.TOO_MANY_HEADERS);
  await core.sessions.load(request);
  const middlewares = core.app.wsMiddlewares;
  for (let i = 0; i < middlewares.length; i++) {
    const rejection = await middlewares[i]!.beforeWebSocket?.(request);
    if (rejection !== undefined && rejection !== null) return refusalOf(rejection);
  }
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
    found = {
      async handshakeHeaders(request: Request, sessionId: string | undefined): Promise<ResponseHeaders | undefined> {
        // The handshake is the only response a WebSocket gets: cookies set and
        // session changes made before accept() travel on it.
        await core.sessions.commit(request);
        const cookies = request.outgoingCookies.splice(0);
        if (sessionId !== undefined) cookies.push(serializeSessionCookie(sessionId, sessionTtl, cookieOptions));
        if (cookies.length === 0) return undefined;
        const headers = { "set-cookie": cookies };
        validateHeaders(headers);
        return headers;
      },
    };
    hooks.set(core, found);
  }
  return found;
}
