/**
 * Serves an app with uWebSockets.js: the only place upie touches uWS.
 *
 * @module
 */
import uWS from "uWebSockets.js";
import type { AppCore } from "../../core/app-core.js";
import type { ListenOptions, Server } from "../../core/app.js";
import { InvalidOptionError } from "../../core/errors.js";
import { handleHttp } from "../../core/http-handler.js";
import type { HttpScope } from "../../core/protocol.js";
import { HttpExchange } from "./http-exchange.js";
import { readHeaders, readRemoteAddress } from "./read-request.js";
import { attachWebSockets, type WebSocketServer } from "./websocket-server.js";

/** How long `close()` waits for in-flight requests before cutting them. */
const CLOSE_GRACE_MS = 10_000;

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
  const app = uWS.App();
  const inFlight = new Set<HttpExchange>();
  let closing = false;
  let whenIdle: (() => void) | undefined;

  app.any("/*", (res, req) => {
    // HttpRequest is stack-allocated: copy everything out before any await.
    const headers = readHeaders(req);
    const method = req.getCaseSensitiveMethod();
    const scope: HttpScope = {
      type: "http",
      method,
      path: req.getUrl(),
      rawQuery: req.getQuery() ?? "",
      headers,
      client: readRemoteAddress(res),
    };
    const expectBody = (headers["content-length"] !== undefined && headers["content-length"] !== "0") || headers["transfer-encoding"] !== undefined;
    const exchange = new HttpExchange(res, method === "HEAD", expectBody);
    exchange.closeConnection = closing;
    inFlight.add(exchange);
    exchange.onDone = () => {
      inFlight.delete(exchange);
      if (inFlight.size === 0) whenIdle?.();
    };
    handleHttp(core, scope, exchange.receive, exchange.send).then(
      () => {
        // A handler must always end the response: uWS would hold the socket forever.
        if (!exchange.finished) exchange.abort();
      },
      (error) => {
        if (!exchange.finished) core.logger.error(`aborting ${method} ${scope.path}`, error);
        exchange.abort();
      },
    );
  });

  const sockets: WebSocketServer = attachWebSockets(app, core);

  const listenSocket = await new Promise<uWS.us_listen_socket>((resolve, reject) => {
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
    close() {
      return (closed ??= (async () => {
        closing = true;
        uWS.us_listen_socket_close(listenSocket);
        for (const exchange of inFlight) exchange.closeConnection = true;
        await sockets.closeAll(1001, "Server shutting down");
        if (inFlight.size > 0) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, CLOSE_GRACE_MS);
            whenIdle = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          for (const exchange of inFlight) exchange.abort();
        }
        // Newer uWS builds can close every remaining (keep-alive) socket at once.
        (app as { close?: () => void }).close?.();
        for (const handler of core.app.shutdownHandlers) {
          try {
            await handler();
          } catch (error) {
            core.logger.error("shutdown handler failed", error);
          }
        }
      })());
    },
  };
}
