/**
 * One WebSocket on uWS, from the upgrade request to the close, spoken as the
 * protocol's `send` plus a {@link MessageQueue} the uWS callbacks fill.
 *
 * uWS lifetime rules encoded here:
 * - `onAborted` is registered in the constructor, inside the `upgrade`
 *   callback, before anything is awaited; after it fires `res` is dropped and
 *   never upgraded or written.
 * - the upgrade (or refusal) happens after an await, so it is wrapped in `res.cork()`.
 * - the uWS socket is used only between `open` and `close`.
 * - `send()` results are honoured: uWS's own backpressure limit is off (it
 *   would drop silently), ours makes the caller wait for `drain`.
 *
 * @module
 */
import type { HttpResponse, us_socket_context_t, WebSocket as UwsSocket } from "uWebSockets.js";
import { ConnectionClosed, ERRORS, WebSocketStateError } from "../../core/errors.js";
import type { Channel, ReceiveEvent, ResponseHeaders, SendEvent } from "../../core/protocol.js";
import { MessageQueue, quietRejection } from "../../websocket/message-queue.js";
import type { DirectSend } from "../../websocket/websocket.js";
import type { WebSocketServerState } from "./websocket-server.js";
import { statusLine } from "./status-line.js";
import { utf8Decoder } from "../../websocket/utf8.js";

/** What uWS keeps for us on each socket. */
export interface UserData {
  connection: WebSocketConnection;
}

// ws.send() results (uWS docs).
const BACKPRESSURE = 0;
const SUCCESS = 1;

const RESOLVED = Promise.resolve();

/** Why a subscriber was closed: it could not keep up with what was published. */
export const SLOW_SUBSCRIBER = Object.freeze({ code: ERRORS.WS_SLOW_SUBSCRIBER.status, reason: ERRORS.WS_SLOW_SUBSCRIBER.message });

/** uWS closes bad frames itself with 1006; tell the handler what really happened. */
const CLOSE_CODE_FOR_REASON: Readonly<Record<string, number>> = {
  "Received too big message": 1009,
  "Received invalid UTF-8": 1007,
};

/**
 * uWS answers every ping with a pong on its own, and with its backpressure
 * limit off (see websocket-server.ts) a client that pings and never reads made
 * those pongs pile up without bound (69 MiB → 2.8 GiB in 20 s). Pings that
 * arrive while the socket is already over `maxBackpressure` are counted; past
 * this many (≤ 127 bytes of pong each) the client is cut off with 1008.
 */
const MAX_PINGS_WHILE_BACKPRESSURED = 1024;
const PING_FLOOD = Object.freeze({ code: 1008, reason: "Too many pings while not reading" });

/** Headers uWS writes itself on a refusal. */
const FRAMING_HEADERS = new Set(["content-length", "transfer-encoding"]);

function noop(): void {}

/** What the upgrade needs, copied out of the request; dropped once answered. */
interface Handshake {
  readonly res: HttpResponse;
  readonly context: us_socket_context_t;
  readonly key: string;
  readonly extensions: string;
}

/** One backpressure episode: every send that waits shares this promise. */
interface Drain {
  readonly promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

const HANDSHAKE = 0;
const OPEN = 1;
/** We called `ws.end()`: the coming `close` callback is ours. */
const CLOSING = 2;
const CLOSED = 3;

/**
 * The adapter's side of one WebSocket: the socket's inbound queue, its
 * protocol channel and the owner of its uWS handles, all in one object.
 *
 * @example
 * ```ts
 * upgrade(res, req, context) {
 *   const connection = new WebSocketConnection(state, res, context, key, extensions);
 *   serveWebSocket(core, scope, connection); // the core answers through connection.send()
 * }
 * ```
 */
export class WebSocketConnection extends MessageQueue implements Channel, DirectSend {
  readonly #server: WebSocketServerState;
  #handshake: Handshake | undefined;
  #ws: UwsSocket<UserData> | undefined;
  #state = HANDSHAKE;
  #drain: Drain | undefined;
  /** Pings answered since the send buffer last drained below `maxBackpressure`. */
  #pingsWhileBackpressured = 0;

  /**
   * @param server - what every socket of the server shares.
   * @param res - the upgrade response; registered for abort here, before any await.
   * @param context - uWS's socket context, needed by `res.upgrade`.
   * @param key - `Sec-WebSocket-Key`, copied out of the request.
   * @param extensions - `Sec-WebSocket-Extensions`, copied out of the request.
   */
  constructor(server: WebSocketServerState, res: HttpResponse, context: us_socket_context_t, key: string, extensions: string) {
    super(server.options);
    this.#server = server;
    this.#handshake = { res, context, key, extensions };
    // uWS frees `res` on abort; without this handler it terminates the process.
    res.onAborted(() => this.#aborted());
  }

  /** Never called: the uWS callbacks fill the queue directly (the core's fast path). */
  receive(): Promise<ReceiveEvent> {
    return quietRejection(new TypeError("the uWS adapter feeds WebSockets through their queue"));
  }

  /**
   * The protocol's `send` for this socket.
   *
   * @param event - a `websocket.*` event.
   * @returns nothing when done at once; a promise when a send waits for drain,
   *   or a rejection (ConnectionClosed once closed).
   */
  send(event: SendEvent): Promise<void> | void {
    switch (event.type) {
      case "websocket.send":
        return event.text !== undefined ? this.sendMessage(event.text, false) : this.sendMessage(event.bytes ?? new Uint8Array(0), true);
      case "websocket.accept":
        return this.#accept(event.subprotocol, event.headers);
      case "websocket.close":
        if (this.#state === OPEN) this.#closeLocally(event.code, event.reason ?? "");
        return;
      case "websocket.http.response":
        this.#refuse(event.status, event.headers, event.body ?? "");
        return;
      case "websocket.subscribe":
      case "websocket.unsubscribe":
        return this.#subscription(event.type === "websocket.subscribe", event.topic);
      default:
        return quietRejection(new TypeError(`unexpected event ${event.type} for a WebSocket`));
    }
  }

  /** Called by the core once the handler (and `afterWebSocket`) finished. */
  handlerDone(): void {
    this.#server.handlerDone(this);
  }

  /** uWS `open`: the socket exists from now until {@link WebSocketConnection.closed}. */
  opened(ws: UwsSocket<UserData>): void {
    this.#ws = ws;
    this.#state = OPEN;
  }

  /** uWS `message`, already copied out of uWS's buffer. */
  received(message: string | Uint8Array, size: number): void {
    if (!this.push(message, size)) {
      const { status, message: reason } = ERRORS.WS_QUEUE_OVERFLOW;
      this.#closeLocally(status, reason);
    }
  }

  /** uWS `ping`, after uWS queued its pong: a client that pings but never reads is cut off. */
  pinged(): void {
    const ws = this.#ws;
    if (ws === undefined || ws.getBufferedAmount() <= this.#server.options.maxBackpressure) return;
    if (++this.#pingsWhileBackpressured <= MAX_PINGS_WHILE_BACKPRESSURED) return;
    // It does not read, so a close frame would never reach it: drop the connection now.
    this.#state = CLOSING;
    this.end(PING_FLOOD.code, PING_FLOOD.reason, true);
    ws.close();
  }

  /** uWS `drain`: wake the senders once we are back under the limit. */
  drained(): void {
    if (this.#ws!.getBufferedAmount() > this.#server.options.maxBackpressure) return;
    this.#pingsWhileBackpressured = 0;
    const drain = this.#drain;
    if (drain === undefined) return;
    this.#drain = undefined;
    drain.resolve();
  }

  /** uWS `close` (also called synchronously from inside `ws.end()`). */
  closed(code: number, reason: string): void {
    const local = this.#state === CLOSING;
    this.#state = CLOSED;
    this.#ws = undefined;
    if (!local && code === 1006) code = CLOSE_CODE_FOR_REASON[reason] ?? code;
    this.end(code, reason, local);
    const drain = this.#drain;
    if (drain !== undefined) {
      this.#drain = undefined;
      drain.reject(new ConnectionClosed(code, reason));
    }
    this.#server.topics.removeAll(this);
  }

  /**
   * Closes a subscriber whose buffer grew past `limit` from publishes, after
   * what it was already sent: it learns it fell behind instead of missing messages.
   */
  checkSubscriber(limit: number): void {
    const ws = this.#ws;
    if (ws !== undefined && this.#state === OPEN && ws.getBufferedAmount() > limit) this.#closeLocally(SLOW_SUBSCRIBER.code, SLOW_SUBSCRIBER.reason);
  }

  /** Server shutdown: close an open socket with `code`. A pending handshake is refused when it accepts. */
  shutdown(code: number, reason: string): void {
    if (this.#state === OPEN) this.#closeLocally(code, reason);
  }

  /** Shutdown grace period over: drop the connection without ceremony. */
  terminate(): void {
    if (this.#state === OPEN) {
      this.#state = CLOSING;
      this.#ws!.close();
    } else if (this.#handshake !== undefined) {
      this.#handshake.res.close();
    }
  }

  /** The raw uWS socket, for the topic fan-out. */
  get socket(): UwsSocket<UserData> | undefined {
    return this.#ws;
  }

  /**
   * Writes a message (the WebSocket's fast path; `websocket.send` events land here too).
   *
   * @param data - text or bytes; uWS copies them before returning.
   * @param isBinary - true for a binary frame.
   * @returns resolved when under `maxBackpressure`, else once drained; rejects with ConnectionClosed once closed.
   */
  sendMessage(data: string | Uint8Array, isBinary: boolean): Promise<void> {
    const ws = this.#ws;
    if (ws === undefined || this.#state !== OPEN) {
      return quietRejection(this.#state === HANDSHAKE ? new WebSocketStateError("WebSocket not accepted yet") : this.#closedError());
    }
    const status = ws.send(data, isBinary);
    if (status === SUCCESS && this.#drain === undefined) return RESOLVED;
    if (status !== BACKPRESSURE && status !== SUCCESS) {
      // DROPPED cannot happen with uWS's own limit off; if it ever does, the peer must know.
      this.#closeLocally(1011, "Message dropped");
      return quietRejection(this.#closedError());
    }
    if (this.#drain !== undefined) return this.#drain.promise;
    if (ws.getBufferedAmount() <= this.#server.options.maxBackpressure) return RESOLVED;
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(noop); // a send nobody awaits must not crash the process when the peer leaves
    this.#drain = { promise, resolve, reject };
    return promise;
  }

  #aborted(): void {
    this.#handshake = undefined;
    if (this.#state !== HANDSHAKE) return;
    this.#state = CLOSED;
    this.end(1006, "Client went away during the handshake", false);
  }

  #closedError(): ConnectionClosed {
    return new ConnectionClosed(this.closeCode || 1006, this.closeReason);
  }

  #accept(subprotocol: string | undefined, headers: ResponseHeaders | undefined): Promise<void> | void {
    const handshake = this.#handshake;
    if (this.#state !== HANDSHAKE || handshake === undefined) {
      return quietRejection(this.#state === HANDSHAKE ? new WebSocketStateError("WebSocket not accepted yet") : this.#state === CLOSED ? this.#closedError() : new WebSocketStateError("WebSocket already accepted"));
    }
    if (this.#server.closing) {
      this.#refuse(503, undefined, "Server shutting down");
      return quietRejection(new ConnectionClosed(1001, "Server shutting down"));
    }
    this.#handshake = undefined;
    const { res, key, extensions, context } = handshake;
    // We are past an await: cork, or uWS writes the 101 in pieces (and warns).
    res.cork(() => {
      if (headers !== undefined) {
        // Custom headers on a 101 need the status line first (uWS docs).
        res.writeStatus("101 Switching Protocols");
        writeHeaders(res, headers);
      }
      // uWS calls `open` synchronously, inside upgrade().
      res.upgrade<UserData>({ connection: this }, key, subprotocol ?? "", extensions, context);
    });
    if (this.#ws === undefined) return quietRejection(this.#closedError());
  }

  #refuse(status: number, headers: ResponseHeaders | undefined, body: string): void {
    const handshake = this.#handshake;
    if (this.#state !== HANDSHAKE || handshake === undefined) return;
    this.#handshake = undefined;
    this.#state = CLOSED;
    this.end(1006, "WebSocket handshake refused", true);
    const res = handshake.res;
    // Past an await again: cork. Close the connection: it was meant to become a WebSocket.
    res.cork(() => {
      res.writeStatus(statusLine(status));
      if (headers !== undefined) writeHeaders(res, headers);
      res.end(body, true);
    });
  }

  #closeLocally(code: number, reason: string): void {
    const ws = this.#ws;
    if (ws === undefined || this.#state !== OPEN) return;
    this.#state = CLOSING;
    this.end(code, reason, true);
    // end() sends the close frame after anything still buffered, then calls `close` synchronously.
    ws.end(code, reason);
  }

  #subscription(subscribe: boolean, topic: string): Promise<void> | void {
    if (this.#state !== OPEN) return quietRejection(this.#state === HANDSHAKE ? new WebSocketStateError("WebSocket not accepted yet") : this.#closedError());
    if (subscribe) this.#server.topics.subscribe(this, topic);
    else this.#server.topics.unsubscribe(this, topic);
  }
}

function writeHeaders(res: HttpResponse, headers: ResponseHeaders): void {
  for (const name in headers) {
    if (FRAMING_HEADERS.has(name)) continue;
    const value = headers[name]!;
    if (typeof value === "string") res.writeHeader(name, value);
    else for (const v of value) res.writeHeader(name, v);
  }
}

/**
 * Decodes a uWS close reason before the callback returns (uWS frees it).
 *
 * @param reason - the ArrayBuffer uWS passed to `close`.
 * @returns the reason as text.
 * @example
 * ```ts
 * close: (ws, code, reason) => connection.closed(code, closeReasonText(reason)),
 * ```
 */
export function closeReasonText(reason: ArrayBuffer): string {
  return reason.byteLength === 0 ? "" : utf8Decoder.decode(reason);
}
