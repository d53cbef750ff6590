/**
 * Startup and shutdown of an app, the same for every adapter (the uWS
 * server, the TestClient): the adapter says how to stop its transport, the
 * lifecycle says in which order and what a failure does.
 *
 * @module
 */
import type { Logger } from "../protocol/logger.js";

/** The close frame every open WebSocket gets when its server stops (RFC 6455 §7.4.1: "going away"). */
export const SHUTDOWN_CLOSE_CODE = 1001;
/** The reason sent with {@link SHUTDOWN_CLOSE_CODE}. */
export const SHUTDOWN_CLOSE_REASON = "Server shutting down";

/** How long a stopping server waits for WebSocket handlers and in-flight requests before it cuts them. */
export const CLOSE_GRACE_MS = 10_000;

/** What an adapter does, in this order, when it stops. */
export interface StoppingServer {
  /** Refuse new connections and requests (the listen socket closes). */
  stopAccepting?(): void;
  /**
   * Close every open WebSocket with `code` and `reason` and wait (at most
   * {@link CLOSE_GRACE_MS}) for their handlers to finish.
   */
  closeWebSockets(code: number, reason: string): Promise<void>;
  /** Wait (at most {@link CLOSE_GRACE_MS}) for in-flight HTTP requests, then let go of the transport. */
  finishRequests?(): Promise<void>;
}

/** What the lifecycle runs: the app's handlers, and what must be built before serving. */
export interface LifecycleParts {
  /** Builds what must fail before serving rather than at a request (the route tables). */
  prepare(): void;
  /** The app's startup handlers, read when `start()` runs (the app's own array: later pushes count). */
  readonly startupHandlers: ReadonlyArray<() => unknown>;
  /** The app's shutdown handlers, read when `stop()` runs. */
  readonly shutdownHandlers: ReadonlyArray<() => unknown>;
  /** Where a failing shutdown handler is reported. */
  readonly logger: Logger;
}

/**
 * The app's startup and shutdown handlers, run the same way by every adapter.
 *
 * @example
 * ```ts
 * await core.lifecycle.start();       // before serving
 * await core.lifecycle.stop(server);  // in server.close()
 * ```
 */
export class AppLifecycle {
  readonly #parts: LifecycleParts;

  /** @param parts - the app's handlers and what to build before serving. */
  constructor(parts: LifecycleParts) {
    this.#parts = parts;
  }

  /**
   * Builds the route tables (a bad route fails here, not at a request) and
   * awaits the startup handlers in order.
   *
   * @throws whatever a startup handler throws: the server must not serve.
   */
  async start(): Promise<void> {
    this.#parts.prepare();
    for (const handler of this.#parts.startupHandlers) await handler();
  }

  /**
   * Stops `server` (no new connections; WebSockets closed with 1001 and their
   * handlers awaited; in-flight requests finished), then runs the shutdown
   * handlers in order. A failing shutdown handler is logged and the others
   * still run: one broken cleanup must not skip the rest.
   *
   * @param server - how the adapter stops its transport.
   */
  async stop(server: StoppingServer): Promise<void> {
    server.stopAccepting?.();
    await server.closeWebSockets(SHUTDOWN_CLOSE_CODE, SHUTDOWN_CLOSE_REASON);
    await server.finishRequests?.();
    for (const handler of this.#parts.shutdownHandlers) {
      try {
        await handler();
      } catch (error) {
        this.#parts.logger.error("shutdown handler failed", error);
      }
    }
  }
}

/**
 * Resolves when `done` settles or after {@link CLOSE_GRACE_MS}, whichever comes first.
 *
 * @param done - what the server waits for (handlers finishing).
 */
export async function withinGrace(done: Promise<unknown>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS)));
  try {
    await Promise.race([done.then(() => undefined, () => undefined), grace]);
  } finally {
    clearTimeout(timer);
  }
}
