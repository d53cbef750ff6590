/**
 * `upie/client`: the robust WebSocket client. Runs in Node ≥ 20 and in
 * browsers; imports nothing of the server.
 *
 * @module
 */
export { WSClient, type WSClientOptions, type AckOptions, type HeartbeatOptions, type ClientLogger, type SendValue } from "./ws-client.js";
export { QueueFullError, ClientTimeoutError, ConnectionClosed, ConnectFailedError } from "./errors.js";
export { InvalidArgumentError, InvalidOptionError, InvalidStateError, NoWebSocketError } from "../protocol/errors.js";
export { Backoff, type ReconnectOptions } from "./backoff.js";
export type { ClientEventMap, ClientListener } from "./client-events.js";
export type { WebSocketConstructor, Frame } from "./transport.js";
