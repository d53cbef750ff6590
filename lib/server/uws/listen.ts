/**
 * Serves an app with uWebSockets.js: the only place upie touches uWS.
 *
 * @module
 */
import type { us_listen_socket } from "uWebSockets.js";
import type { AppCore } from "../../core/app-core.js";
import type { ListenOptions, Server } from "../../core/app.js";
import { CLOSE_GRACE_MS } from "../../core/app-lifecycle.js";
import { InvalidOptionError } from "../../protocol/errors.js";
import { framingProblem } from "../../body/framing.js";
import { handleHttp, hasBody } from "../../core/http-handler.js";
import { HttpExchange, ServerState } from "./http-exchange.js";
import { readHeaders } from "./read-request.js";
import { refuseFraming } from "./refuse-framing.js";
import { UwsHttpScope } from "./uws-http-scope.js";
import { loadUws } from "./uws-loader.js";
import { attachWebSockets, type WebSocketServer } from "./websocket-server.js";

function validate(options: ListenOptions): { port: number; host: string } {
  const port = options.port ?? 8000;
  const host = options.host ?? "127.0.0.1";
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidOptionError(`port must be an integer 0..65535, got ${String(port)}`);
  if (typeof host !== "string" || host === "") throw new InvalidOptionError(`host must be a non-empty string`);
  return { port, host };
}

/** Starts listening; resolves once the port is bound. */
export async function listen(core: AppCore, options: ListenOptions): Promise<Server> {
  const { port, host } = validate(options);
  const build = loadUws();
  const uWS = build.uws;
  const app = uWS.App();
  const state = new ServerState();

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
  });

  /**
   * The request is over. A handler must always end the response (uWS would
   * otherwise hold the socket forever); when writing failed after the status
   * line went out (the core logged it), the response is cut short.
   */
  function settled(exchange: HttpExchange, _failed: boolean): void {
    if (!exchange.finished) exchange.abort();
  }

  const sockets: WebSocketServer = attachWebSockets(build, app, core);

  const listenSocket = await new Promise<us_listen_socket>((resolve, reject) => {
    app.listen(host, port, (token) => {
      if (token) resolve(token);
      else reject(new Error(`upie could not listen on ${host}:${port}`));
    });
  });
  const boundPort = uWS.us_socket_local_port(listenSocket);

  let closed: Promise<void> | undefined;
  return {
    port: boundPort,
    host,
    uws: { package: build.package, version: build.version },
    close() {
      return (closed ??= core.lifecycle.stop({
        stopAccepting() {
          state.closing = true;
          uWS.us_listen_socket_close(listenSocket);
        },
        closeWebSockets: (code, reason) => sockets.closeAll(code, reason),
        async finishRequests() {
          // In-flight requests get the grace period (they finish anyway; their connections then close).
          if (state.inFlight > 0) {
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, CLOSE_GRACE_MS);
              state.whenIdle = () => {
                clearTimeout(timer);
                resolve();
              };
            });
          }
          // Newer uWS builds can close every remaining (keep-alive) socket at once.
          (app as { close?: () => void }).close?.();
        },
      }));
    },
  };
}
