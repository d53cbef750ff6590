/**
 * WebSocket routes on uWS: one `app.ws("/*")` that hands every upgrade to
 * the core, and the shutdown that closes every socket with 1001.
 *
 * uWS lifetime rules encoded here:
 * - `HttpRequest` dies when `upgrade` returns: url, query, headers and the
 *   handshake keys are copied out synchronously.
 * - `onAborted` is registered (by {@link UwsWebSocket}) before the
 *   first await; the upgrade itself waits for the handler's `accept()`.
 * - a `message` ArrayBuffer is neutered when the callback returns: text is
 *   decoded and bytes are copied before it does.
 * - every uWS option is validated in JS first (bad values abort the process).
 *
 * @module
 */
import type { HttpRequest, HttpResponse, TemplatedApp, us_socket_context_t, WebSocket as UwsSocket } from "uWebSockets.js";
import type { AppCore } from "../../core/app-core.js";
import { withinGrace } from "../../core/app-lifecycle.js";
import type { ReceiveEvent, WebSocketScope } from "../../protocol/protocol.js";
import { handleWebSocket } from "../../websocket/websocket-handler.js";
import { handshakeProblem } from "../../websocket/handshake.js";
import { utf8Decoder } from "../../websocket/utf8.js";
import { readHeaders, readRemoteAddress } from "./read-request.js";
import { statusLine } from "./status-line.js";
import { StringInterner } from "./string-interner.js";
import type { LoadedUws } from "./uws-loader.js";
import { uwsTopics } from "./uws-topics.js";
import { closeReasonText, UwsWebSocket, type UserData, type WebSocketServerState } from "./uws-websocket.js";


/** What the HTTP server needs from the WebSocket side. */
export interface WebSocketServer {
  /** Closes every open socket with `code` and waits for their handlers to finish. */
  closeAll(code: number, reason: string): Promise<void>;
}

/**
 * The connection behind a uWS socket. This uWS build copies the user data's
 * properties onto the socket object itself, which is a plain property read;
 * `getUserData()` (a native call per message) is the portable fallback.
 */
function connectionOf(ws: UwsSocket<UserData>): UwsWebSocket {
  return (ws as unknown as Partial<UserData>).connection ?? ws.getUserData().connection;
}

const NO_SUBPROTOCOLS: string[] = [];
const DRAIN: ReceiveEvent = Object.freeze({ type: "websocket.drain" });
const PING: ReceiveEvent = Object.freeze({ type: "websocket.ping" });
const NO_BYTES = new Uint8Array(0);
const RECEIVED_TEXT = { type: "websocket.receive" as const, text: "", size: 0 };
const RECEIVED_BYTES = { type: "websocket.receive" as const, bytes: NO_BYTES, size: 0 };

/** `Sec-WebSocket-Protocol: a, b` → ["a", "b"]. */
function parseSubprotocols(header: string | undefined): string[] {
  if (header === undefined || header === "") return NO_SUBPROTOCOLS;
  const offered: string[] = [];
  for (const part of header.split(",")) {
    const name = part.trim();
    if (name !== "") offered.push(name);
  }
  return offered;
}

/**
 * Serves the app's `ws_` routes on `app`.
 *
 * @param build - the uWS build serving `app`.
 * @param app - the uWS app (before `listen`).
 * @param core - the upie app's internals.
 * @returns the handle `server.close()` uses.
 * @throws {@link InvalidOptionError} for bad `websocket` options (before uWS sees them).
 * @example
 * ```ts
 * const sockets = attachWebSockets(loadUws(), uwsApp, core);
 * await sockets.closeAll(1001, "Server shutting down");
 * ```
 */
export function attachWebSockets(build: LoadedUws, app: TemplatedApp, core: AppCore): WebSocketServer {
  const { websocket: options, broker } = core.config;
  const topics = uwsTopics(app, broker, options.maxSubscriberBackpressure, core.logger);
  const detach = broker.attach(topics);
  const connections = liveConnections(build, core, topics);
  const upgrade = upgradeHandler(core, connections);

  app.ws<UserData>("/*", {
    // The pinned uWS build has no permessage-deflate.
    compression: build.uws.DISABLED,
    maxPayloadLength: options.maxPayloadLength,
    idleTimeout: options.idleTimeout,
    maxLifetime: options.maxLifetime,
    sendPingsAutomatically: options.sendPingsAutomatically,
    // uWS's own limit drops messages silently; upie enforces its limits in JS instead.
    maxBackpressure: 0,
    closeOnBackpressureLimit: 0,

    upgrade,
    open(ws) {
      ws.getUserData().connection.opened(ws);
    },
    message: receiveMessage,
    drain(ws) {
      connectionOf(ws).endpoint.deliver(DRAIN);
    },
    ping(ws) {
      // uWS has already queued the pong.
      connectionOf(ws).endpoint.deliver(PING);
    },
    close(ws, code, reason) {
      // `reason` is freed with the socket: decode it before returning.
      connectionOf(ws).closed(code, closeReasonText(reason));
    },
  });

  return {
    async closeAll(code, reason) {
      connections.state.closing = true;
      for (const connection of connections.live) connection.endpoint.shutdown(code, reason);
      if (connections.live.size > 0) {
        await withinGrace(connections.idle());
        for (const connection of connections.live) connection.terminate();
      }
      detach();
    },
  };
}

/**
 * uWS's `message` callback: hands the frame to the socket's engine.
 * uWS neuters `data` when this returns, so text is decoded and bytes copied now; text frames
 * arrive as valid UTF-8 (uWS closes the socket otherwise). One event object serves every
 * message: the engine reads it before `deliver()` returns and keeps nothing of it.
 */
function receiveMessage(ws: UwsSocket<UserData>, data: ArrayBuffer, isBinary: boolean): void {
  const endpoint = connectionOf(ws).endpoint;
  if (isBinary) {
    RECEIVED_BYTES.size = data.byteLength;
    RECEIVED_BYTES.bytes = new Uint8Array(data).slice();
    endpoint.deliver(RECEIVED_BYTES);
    RECEIVED_BYTES.bytes = NO_BYTES; // hold no message past its delivery
  } else {
    RECEIVED_TEXT.size = data.byteLength;
    RECEIVED_TEXT.text = utf8Decoder.decode(data);
    endpoint.deliver(RECEIVED_TEXT);
    RECEIVED_TEXT.text = "";
  }
}

/** The server's connections, from upgrade request until their handler has finished, and the state they share. */
interface LiveConnections {
  readonly live: Set<UwsWebSocket>;
  readonly state: WebSocketServerState;
  /** Resolves once no handler is left running. */
  idle(): Promise<void>;
}

function liveConnections(build: LoadedUws, core: AppCore, topics: WebSocketServerState["topics"]): LiveConnections {
  const live = new Set<UwsWebSocket>();
  let whenIdle: (() => void) | undefined;
  let dropsReported = false;
  const state: WebSocketServerState = {
    topics,
    closing: false,
    handlerDone(connection) {
      live.delete(connection);
      if (live.size === 0) whenIdle?.();
    },
    upgradeDropped() {
      // Once per server: it is the build's bug, the same every time, and a busy server would repeat it.
      if (dropsReported) return;
      dropsReported = true;
      (core.logger.warn ?? core.logger.error).call(
        core.logger,
        `uWebSockets.js ${build.version} closed a WebSocket right after upgrading it after an await (a cork() bug of that build, fixed upstream by https://github.com/uNetworking/uWebSockets/pull/1929); the client sees 1006 and has to reconnect. Reported once per server.`,
      );
    },
  };
  const idle = () => (live.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => (whenIdle = resolve)));
  return { live, state, idle };
}

/**
 * uWS's `upgrade` callback: refuses a bad handshake at once (400/426, before any
 * handler runs), else builds the connection, counts it live and starts the app's handler.
 */
function upgradeHandler(core: AppCore, { live, state }: LiveConnections) {
  const interner = new StringInterner();
  return (res: HttpResponse, req: HttpRequest, context: us_socket_context_t): void => {
    // HttpRequest is stack-allocated: copy everything out now.
    const headers = readHeaders(req);
    const problem = handshakeProblem(headers);
    if (problem !== undefined) {
      // Still inside uWS's callback: no cork needed. Close: this connection was never going to be HTTP.
      res.writeStatus(statusLine(problem.status));
      for (const name in problem.headers) res.writeHeader(name, problem.headers[name]!);
      res.end(problem.body, true);
      return;
    }
    const key = headers["sec-websocket-key"] ?? "";
    // The handshake lives as long as the socket: share the values every client sends alike.
    for (const name in headers) if (name !== "sec-websocket-key") headers[name] = interner.intern(headers[name]!);
    const scope: WebSocketScope = {
      type: "websocket",
      method: interner.intern(req.getCaseSensitiveMethod()),
      path: interner.intern(req.getUrl()),
      rawQuery: req.getQuery() ?? "",
      headers,
      client: interner.intern(readRemoteAddress(res)),
      subprotocols: parseSubprotocols(headers["sec-websocket-protocol"]),
    };
    const connection = new UwsWebSocket(state, res, context, key, headers["sec-websocket-extensions"] ?? "");
    if (state.closing) {
      void connection.send({ type: "websocket.http.response", status: 503, body: "Server shutting down" });
      return;
    }
    live.add(connection);
    // The connection is the channel and, as the fast path, the queue the callbacks below fill;
    // it calls state.handlerDone() when the handler is over (no promise kept per connection).
    handleWebSocket(core, scope, connection);
    // What the handler did before its first await was answered inside this callback; the rest is corked.
    connection.callbackReturned();
  };
}
