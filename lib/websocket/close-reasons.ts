/**
 * The close codes and reasons the WebSocket engine decides on its own, one
 * per policy, each with why it closes rather than drops or waits.
 *
 * @module
 */
/**
 * uWS answers every ping with a pong by itself, so a client that pings and
 * never reads grows the server's send buffer with pongs (69 MiB → 2.8 GiB in
 * 20 s before this rule). Pings that arrive while the buffer is already over
 * `maxBackpressure` are counted; past this many (≤ 127 bytes of pong each)
 * the connection is dropped with 1008.
 */
export const MAX_PINGS_WHILE_BACKPRESSURED = 1024;
/** A peer that pings while not reading. */
export const PING_FLOOD = Object.freeze({ code: 1008, reason: "Too many pings while not reading" });
/** Past `websocket.messageRate` (see `MessageBudget`). */
export const MESSAGE_RATE = Object.freeze({ code: 1008, reason: "Message rate exceeded" });
/**
 * Sends nobody waited for piled up past `maxSubscriberBackpressure`: the
 * peer reads slower than the app writes. Closing (1013, try again later)
 * is the only answer that neither drops a message nor grows memory.
 */
export const SENDS_PILED_UP = Object.freeze({ code: 1013, reason: "Peer too slow: unawaited sends piled up" });
/** `server.close()`: open sockets get this, pending handshakes a 503. */
export const SHUTTING_DOWN = Object.freeze({ code: 1001, reason: "Server shutting down" });
