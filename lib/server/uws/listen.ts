/**
 * Serves an app with uWebSockets.js: the only place upie touches uWS.
 *
 * @module
 */
import type { TemplatedApp, us_listen_socket } from "uWebSockets.js";
import type { AppCore } from "../../core/app-core.js";
import { SHUTDOWN_CLOSE_CODE, SHUTDOWN_CLOSE_REASON, withinGrace } from "../../core/app-lifecycle.js";
import type { ListenOptions, Server } from "../../core/server-adapter.js";
import { InvalidOptionError, ListenError } from "../../protocol/errors.js";
import { framingProblem } from "../../body/framing.js";
import { handleHttp, hasBody } from "../../core/http-handler.js";
import { bindFailure } from "./bind-failure.js";
import { HttpExchange, ServerState } from "./http-exchange.js";
import { readHeaders } from "./read-request.js";
import { refuseFraming } from "./refuse-framing.js";
import { UwsHttpScope } from "./uws-http-scope.js";
import { loadUws, type LoadedUws } from "./uws-loader.js";
import { attachWebSockets, type WebSocketServer } from "./websocket-server.js";

/** uSockets' listen option that leaves out SO_REUSEPORT (`LIBUS_LISTEN_EXCLUSIVE_PORT`; both builds take it). */
const LISTEN_EXCLUSIVE_PORT = 1;
/** uSockets' default: SO_REUSEPORT on any port but 0. */
const LISTEN_DEFAULT = 0;

/** The four-argument `listen` both builds have, though their typings omit it. */
interface ListenWithOptions {
  listen(host: string, port: number, options: number, cb: (token: us_listen_socket | false) => void): void;
}

interface Address {
  port: number;
  host: string;
  reusePort: boolean;
}

function validate(options: ListenOptions): Address {
  const { port = 8000, host = "127.0.0.1", reusePort = false } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidOptionError(`port must be an integer 0..65535, got ${String(port)}`);
  if (typeof host !== "string" || host === "") throw new InvalidOptionError(`host must be a non-empty string`);
  if (typeof reusePort !== "boolean") throw new InvalidOptionError(`reusePort must be a boolean, got ${String(reusePort)}`);
  return { port, host, reusePort };
}

/** Starts listening; resolves once the port is bound. */
export async function listen(core: AppCore, options: ListenOptions): Promise<Server> {
  const address = validate(options);
  const build = loadUws();
  const app = build.uws.App();
  const state = new ServerState();
  routeHttp(app, core, state);
  const sockets: WebSocketServer = attachWebSockets(build, app, core);
  let listenSocket: us_listen_socket;
  try {
    listenSocket = await bind(app, address);
  } catch (error) {
    // Nothing connected yet: this only detaches the broker's sink, which would otherwise stay attached.
    await sockets.closeAll(SHUTDOWN_CLOSE_CODE, SHUTDOWN_CLOSE_REASON);
    throw error;
  }
  return {
    port: build.uws.us_socket_local_port(listenSocket),
    host: address.host,
    uws: { package: build.package, version: build.version },
    close: once(() => stop(core, build, app, listenSocket, state, sockets)),
  };
}

/** Every HTTP request goes to the core, unless its framing is bad. */
function routeHttp(app: TemplatedApp, core: AppCore, state: ServerState): void {
  app.any("/*", (res, req) => {
    // HttpRequest is stack-allocated: copy everything out before any await.
    const headers = readHeaders(req);
    const method = req.getCaseSensitiveMethod();
    const framing = framingProblem(headers);
    if (framing !== undefined) return refuseFraming(res, framing); // before anything reads the body
    const exchange = new HttpExchange(res, method === "HEAD", hasBody(headers), state);
    const scope = new UwsHttpScope(method, req.getUrl(), req.getQuery() ?? "", headers, exchange);
    try {
      handleHttp(core, scope, exchange, settled);
    } catch (error) {
      core.logger.error(`aborting ${method} ${scope.path}`, error);
      exchange.abort();
    }
    // Before returning to uWS: a response still pending registers for the abort now.
    exchange.callbackReturned();
  });
}

/**
 * The request is over. A handler must always end the response (uWS would
 * otherwise hold the socket forever); when writing failed after the status
 * line went out (the core logged it), the response is cut short.
 */
function settled(exchange: HttpExchange, _failed: boolean): void {
  if (!exchange.finished) exchange.abort();
}

/**
 * Binds the listen socket. Exclusive unless `reusePort`: uSockets sets
 * SO_REUSEPORT by default, and a second server on a busy port would then
 * start silently and take half the connections (issue 22.3).
 */
async function bind(app: TemplatedApp, { host, port, reusePort }: Address): Promise<us_listen_socket> {
  const token = await new Promise<us_listen_socket | false>((resolve) => {
    (app as unknown as ListenWithOptions).listen(host, port, reusePort ? LISTEN_DEFAULT : LISTEN_EXCLUSIVE_PORT, resolve);
  });
  if (token) return token;
  // uWS says only "false": ask the system why (EADDRINUSE, EACCES, EADDRNOTAVAIL, …).
  throw new ListenError(host, port, await bindFailure(host, port));
}

/** Stops the server: the lifecycle decides the order, this says how for uWS. */
function stop(core: AppCore, build: LoadedUws, app: TemplatedApp, listenSocket: us_listen_socket, state: ServerState, sockets: WebSocketServer): Promise<void> {
  return core.lifecycle.stop({
    stopAccepting() {
      state.closing = true;
      build.uws.us_listen_socket_close(listenSocket);
    },
    closeWebSockets: (code, reason) => sockets.closeAll(code, reason),
    async finishRequests() {
      // In-flight requests get the grace period (they finish anyway; their connections then close).
      await withinGrace(state.idle());
      // Newer uWS builds can close every remaining (keep-alive) socket at once.
      (app as { close?: () => void }).close?.();
    },
  });
}

/** `fn` called once; later calls get the first call's promise. */
function once(fn: () => Promise<void>): () => Promise<void> {
  let result: Promise<void> | undefined;
  return () => (result ??= fn());
}
