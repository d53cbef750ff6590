/**
 * One process serving the app: load it, listen, say where and with which
 * uWebSockets.js build, and stop gracefully on SIGTERM/SIGINT (stop
 * accepting, finish what is in flight, WebSockets get 1001), then exit 0.
 * The runner's own process does this with one worker; each forked worker does
 * it too, and tells the supervisor its port once it listens.
 *
 * @module
 */
import type { ListenOptions, Server } from "../core/app.js";
import { loadApp } from "./load-app.js";

/** What a serving process needs. */
export interface ServeOptions {
  file: string;
  exportName: string | undefined;
  host: string;
  port: number;
  /** Share the port with the other workers (SO_REUSEPORT). */
  reusePort: boolean;
}

/** The message a worker sends its supervisor once it listens. */
export interface ReadyMessage {
  type: "upie:ready";
  port: number;
}

/** A drain that takes longer than this is stuck: the process exits 1 rather than hang a deploy. */
const DRAIN_TIMEOUT_MS = 30_000;

/**
 * Serves the app until a signal stops it.
 *
 * @returns the server, once listening.
 * @throws whatever loading the app or `listen()` throws (the caller prints it and exits 1).
 */
export async function serve(options: ServeOptions): Promise<Server> {
  const { app, label } = await loadApp(options.file, options.exportName);
  // `reusePort` is the ListenOptions name for SO_REUSEPORT (docs/running.md).
  const listenOptions: ListenOptions & { reusePort?: boolean } = { host: options.host, port: options.port };
  if (options.reusePort) listenOptions.reusePort = true;
  const server = await app.listen(listenOptions);
  const url = `http://${server.host.includes(":") ? `[${server.host}]` : server.host}:${server.port}`;
  console.log(`upie: serving ${label} on ${url} (pid ${process.pid}; uWebSockets.js: ${server.uws.package} ${server.uws.version})`);
  stopOnSignals(server);
  if (process.send !== undefined) process.send({ type: "upie:ready", port: server.port } satisfies ReadyMessage);
  return server;
}

/** SIGTERM, SIGINT, or the supervisor going away (IPC closed): drain once, then exit. */
function stopOnSignals(server: Server): void {
  let stopping = false;
  const stop = (why: string): void => {
    if (stopping) return; // Ctrl-C reaches the workers and the supervisor, which forwards it too
    stopping = true;
    console.log(`upie: ${why}: draining (pid ${process.pid})`);
    const stuck = setTimeout(() => {
      console.error(`upie: still draining after ${DRAIN_TIMEOUT_MS / 1000} s; exiting`);
      process.exit(1);
    }, DRAIN_TIMEOUT_MS);
    stuck.unref();
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error("upie: error while stopping", error);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  if (process.send !== undefined) process.on("disconnect", () => stop("supervisor gone"));
}
