/**
 * The ASGI-like seam between a server adapter and the {@link App} core.
 *
 * An adapter (the uWebSockets.js server, the in-process TestClient, or any
 * other) describes each connection with a {@link Scope} and exchanges events
 * through two functions: `receive()` yields what the client sent, `send(event)`
 * tells the adapter what to write. The core never touches a socket.
 *
 * @module
 */

/** Header names are lower-case; a repeated header keeps every value, joined by ", " (cookies by "; "). */
export type Headers = Record<string, string>;

interface BaseScope {
  /** Upper-case HTTP method (`GET` for WebSocket handshakes). */
  method: string;
  /** The raw (still percent-encoded) path, without the query string. */
  path: string;
  /** The raw query string without the leading `?` (may be empty). */
  rawQuery: string;
  headers: Headers;
  /** The peer's address as text (IPv4 or IPv6), or "" when unknown. */
  client: string;
}

export interface HttpScope extends BaseScope {
  type: "http";
}

export interface WebSocketScope extends BaseScope {
  type: "websocket";
  /** Subprotocols the client offered in `Sec-WebSocket-Protocol`, in order. */
  subprotocols: string[];
}

export type Scope = HttpScope | WebSocketScope;

// ---- HTTP events -----------------------------------------------------------

/** A piece of the request body; `more` is false on the last one. */
export interface HttpRequestEvent {
  type: "http.request";
  body: Uint8Array;
  more: boolean;
}

/** The client went away before the response was finished. */
export interface HttpDisconnectEvent {
  type: "http.disconnect";
}

/**
 * Header values are strings; an array writes the header once per value
 * (needed for `set-cookie`).
 */
export type ResponseHeaders = Record<string, string | string[]>;

export interface HttpResponseStartEvent {
  type: "http.response.start";
  status: number;
  /** The app's headers, without `content-length` and `transfer-encoding`: framing is decided by the core and carried in `length`. */
  headers: ResponseHeaders;
  /**
   * The body's length in bytes (for HEAD: what a GET would send), or `null`
   * when it is unknown until a stream ends: the adapter then frames the body
   * itself (chunked on HTTP/1.1).
   */
  length: number | null;
}

/**
 * A piece of the response body; `more` is true while more pieces follow.
 * `send()` for a body event resolves once the adapter can take more
 * (backpressure) and rejects or resolves with `false` if the client is gone.
 */
export interface HttpResponseBodyEvent {
  type: "http.response.body";
  body: Uint8Array | string;
  more: boolean;
}

// ---- WebSocket events ------------------------------------------------------

export interface WebSocketReceiveEvent {
  type: "websocket.receive";
  /** Set for text frames. */
  text?: string;
  /** Set for binary frames (a copy owned by the receiver). */
  bytes?: Uint8Array;
  /** The message's size on the wire in bytes, when the adapter knows it (spares re-encoding text to count it). */
  size?: number;
}

/**
 * The transport's send buffer shrank (uWS `drain`): sends waiting on
 * backpressure may go on once `bufferedAmount` is back under the limit.
 */
export interface WebSocketDrainEvent {
  type: "websocket.drain";
}

/** The peer sent a ping; the transport has already queued the pong. */
export interface WebSocketPingEvent {
  type: "websocket.ping";
}

export interface WebSocketDisconnectEvent {
  type: "websocket.disconnect";
  code: number;
  reason: string;
}

export interface WebSocketAcceptEvent {
  type: "websocket.accept";
  subprotocol?: string;
  headers?: ResponseHeaders;
}

export interface WebSocketSendEvent {
  type: "websocket.send";
  text?: string;
  bytes?: Uint8Array;
}

export interface WebSocketCloseEvent {
  type: "websocket.close";
  code: number;
  reason?: string;
  /**
   * Drop the connection now instead of sending a close frame after what is
   * buffered (a peer that does not read would never get it).
   */
  abort?: boolean;
}

/** Refuses the handshake with a plain HTTP response (403 unless told otherwise). */
export interface WebSocketRejectEvent {
  type: "websocket.http.response";
  status: number;
  headers?: ResponseHeaders;
  body?: string;
}

export interface WebSocketSubscribeEvent {
  type: "websocket.subscribe" | "websocket.unsubscribe";
  topic: string;
}

export type ReceiveEvent =
  | HttpRequestEvent
  | HttpDisconnectEvent
  | WebSocketReceiveEvent
  | WebSocketDrainEvent
  | WebSocketPingEvent
  | WebSocketDisconnectEvent;

export type SendEvent =
  | HttpResponseStartEvent
  | HttpResponseBodyEvent
  | WebSocketAcceptEvent
  | WebSocketSendEvent
  | WebSocketCloseEvent
  | WebSocketRejectEvent
  | WebSocketSubscribeEvent;

export type Receive = () => Promise<ReceiveEvent>;
/**
 * Hands an event to the adapter. Returns a promise when the caller must wait
 * (backpressure: it resolves after drain; it rejects if the client is gone);
 * returns nothing when the event was taken synchronously, which spares the
 * hot path a promise per response. Callers `await` the result either way.
 */
export type Send = (event: SendEvent) => Promise<void> | void;

/**
 * `receive` and `send` as one object: adapters can implement them as methods
 * of the per-request object they already have, instead of two closures.
 */
export interface Channel {
  receive: Receive;
  send: Send;
}

// ---- WebSocket channels ------------------------------------------------------

/**
 * The core's side of one WebSocket: the adapter pushes every event to it as
 * it happens, in order, without a promise per message (uWS's callbacks).
 * Also what a server's topic fan-out and shutdown ask of each socket.
 */
export interface WebSocketEndpoint {
  /** A `websocket.*` receive event, in the order it happened. */
  deliver(event: ReceiveEvent): void;
  /** Published messages just reached this socket: close it (1013) if it is too far behind to take more. */
  checkSubscriber(): void;
  /** The server is stopping: close with `code` after what is already buffered. */
  shutdown(code: number, reason: string): void;
}

/**
 * A WebSocket's channel: push only. The core attaches its endpoint once; the
 * adapter delivers every event there and answers `send(event)`.
 * Backpressure is decided in the core from `bufferedAmount`, so an adapter
 * must never drop a `websocket.send` it was handed: it writes or buffers it,
 * and reports `websocket.drain` when its buffer shrinks.
 */
export interface WebSocketChannel {
  /** Called once, before any event: the adapter delivers every event to `endpoint` from now on. */
  attach(endpoint: WebSocketEndpoint): void;
  /** What the core asks the adapter to write (see {@link Send}). */
  send: Send;
  /** Bytes handed to `send` but not yet written to the peer (0 when the transport cannot tell). */
  readonly bufferedAmount: number;
  /** Called once the handler (and `afterWebSocket`) has finished: the connection is the adapter's to forget. */
  done(): void;
}
