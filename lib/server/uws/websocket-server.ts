/**
 * WebSocket routes on uWS. (Filled in by the WebSocket layer.)
 *
 * @module
 */
import type { TemplatedApp } from "uWebSockets.js";
import type { AppCore } from "../../core/app-core.js";

/** What the HTTP server needs from the WebSocket side. */
export interface WebSocketServer {
  /** Closes every open socket with `code` and waits for their handlers to finish. */
  closeAll(code: number, reason: string): Promise<void>;
}

export function attachWebSockets(_app: TemplatedApp, _core: AppCore): WebSocketServer {
  return { closeAll: async () => {} };
}
