/**
 * Where `App.listen()` finds the server that serves an app. The core never
 * imports a server: the composition roots (`lib/index.ts`, `upie/testing`)
 * import `lib/server/uws/register.ts`, which registers the uWebSockets.js
 * adapter here as a lazy import, so `import "upie"` loads no uWS build until
 * `listen()` is called.
 *
 * @module
 */
import { NoServerAdapterError } from "../protocol/errors.js";
import type { AppCore } from "./app-core.js";

/** Where and how `App.listen()` serves. */
export interface ListenOptions {
  /** Port to listen on; 0 picks a free one. Default 8000. */
  port?: number;
  /** Interface to bind. Default "127.0.0.1". */
  host?: string;
  /**
   * Share the port with other servers that also pass `reusePort: true`
   * (`SO_REUSEPORT`: the kernel spreads new connections over them), as the
   * workers of a cluster do. Default false: the port is this server's alone,
   * and a port already in use rejects with `EADDRINUSE`.
   */
  reusePort?: boolean;
}

/** A listening server. */
export interface Server {
  /** The real port (useful with `port: 0`). */
  readonly port: number;
  readonly host: string;
  /** The uWebSockets.js build serving it (upie picks the newest that loads natively). */
  readonly uws: { readonly package: string; readonly version: string };
  /** Graceful stop: stop accepting, finish in-flight requests, close WebSockets with 1001, run shutdown handlers. */
  close(): Promise<void>;
}

/** Starts serving an app; resolves once the port is bound. */
export type Listen = (core: AppCore, options: ListenOptions) => Promise<Server>;

let load: (() => Promise<Listen>) | undefined;

/**
 * Registers the adapter `listen()` uses (the last registration wins).
 *
 * @param loader - resolves to the adapter's listen function; called on each `listen()`.
 * @example
 * ```ts
 * useServerAdapter(async () => (await import("my-server-adapter")).listen);
 * ```
 */
export function useServerAdapter(loader: () => Promise<Listen>): void {
  load = loader;
}

/**
 * The registered adapter.
 *
 * @returns its listen function.
 * @throws {@link NoServerAdapterError} when none is registered (the app was imported without `upie`'s entry point).
 */
export async function serverAdapter(): Promise<Listen> {
  if (load === undefined) throw new NoServerAdapterError("No server adapter is registered: import App from \"upie\", which registers uWebSockets.js");
  return load();
}
