/**
 * The errors `WSClient` rejects with. They carry catalogue codes from
 * `lib/protocol/errors.ts`, a leaf module with no imports, so the browser bundle
 * stays free of server code. A closed client rejects with upie's own
 * {@link ConnectionClosed}, the class the server side throws too.
 *
 * @module
 */
import { catalogueError, ConnectionClosed, ERRORS } from "../protocol/errors.js";

export { ConnectionClosed };

/** `send()` found `maxQueue` sends already waiting; this one is not queued and never goes out. */
export class QueueFullError extends catalogueError(Error, "QueueFullError", ERRORS.WS_CLIENT_QUEUE_FULL) {
  constructor(maxQueue: number) {
    super(`WSClient send queue is full (${maxQueue} sends waiting); this message was not queued`);
  }
}

/**
 * A send waited `timeoutMs` without being written to an open socket (or,
 * with acknowledgements on, without being acknowledged: it may then have
 * arrived).
 */
export class ClientTimeoutError extends catalogueError(Error, "ClientTimeoutError", ERRORS.WS_CLIENT_TIMEOUT) {}

/**
 * One attempt to open the WebSocket failed: the handshake was refused (its
 * HTTP status is in the message), or the connection closed or failed before
 * it opened. `WSClient` reconnects after it, as its `reconnect` option says.
 */
export class ConnectFailedError extends catalogueError(Error, "ConnectFailedError", ERRORS.WS_CLIENT_CONNECT_FAILED) {}
