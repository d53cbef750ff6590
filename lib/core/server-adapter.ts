/**
 * Where `App.listen()` finds the server that serves an app. The core never
 * imports a server: the composition roots (`lib/index.ts`, `upie/testing`)
 * import `lib/server/uws/register.ts`, which registers the uWebSockets.js
 * adapter here as a lazy import, so `import "upie"` loads no uWS build until
 * `listen()` is called.
 *
 * @module
 */
import type { AppCore } from "./app-core.js";
import type { ListenOptions, Server } from "./app.js";

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
 * @throws Error when none is registered (the app was imported without `upie`'s entry point).
 */
export async function serverAdapter(): Promise<Listen> {
  if (load === undefined) throw new Error("No server adapter is registered: import App from \"upie\", which registers uWebSockets.js");
  return load();
}
