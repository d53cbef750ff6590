/**
 * The WebSocket a `ws_` handler receives: awaitable `accept`, `receive*`,
 * `send*`, `close`, and pub/sub, spoken to the server only as protocol
 * events. Ported from MicroPie's `WebSocket` class.
 *
 * @module
 */
import { ConnectionClosed, WebSocketStateError } from "../core/errors.js";
import { isThenable } from "../core/is-thenable.js";
import type { Channel, ResponseHeaders, SendEvent } from "../core/protocol.js";
import type { Request } from "../core/request.js";
import { assertCloseFrame } from "./close-code.js";
import { MessageQueue, quietRejection, READ_BYTES, READ_MESSAGE, READ_TEXT, type Message } from "./message-queue.js";

/** What the core does at accept time (session cookie, cookies set before accept). Shared by every socket of an app. */
export interface WebSocketHooks {
  /**
   * Extra headers for the handshake response.
   *
   * @param request - the handshake request.
   * @param sessionId - the id given to `accept()`, if any.
   */
  handshakeHeaders(request: Request, sessionId: string | undefined): ResponseHeaders | undefined | Promise<ResponseHeaders | undefined>;
}

/**
 * An adapter fast path: a channel that can write a message without a
 * `websocket.send` event object (the uWS adapter). Optional: without it the
 * socket sends protocol events.
 */
export interface DirectSend {
  /**
   * Writes one message.
   *
   * @param data - text or bytes.
   * @param isBinary - true for a binary frame.
   * @returns like the protocol's `send` for a `websocket.send` event.
   */
  sendMessage(data: string | Uint8Array, isBinary: boolean): Promise<void>;
}

const CONNECTING = 0;
const ACCEPTING = 1;
const OPEN = 2;
const CLOSED = 3;

const NO_SUBPROTOCOLS: readonly string[] = Object.freeze([]);
const NO_HOOKS: WebSocketHooks = { handshakeHeaders: () => undefined };
const RESOLVED = Promise.resolve();

let reject: (socket: WebSocket, status: number, body: string) => Promise<void>;
let pending: (socket: WebSocket) => boolean;

/**
 * One WebSocket connection, handed to a `ws_` method as its first argument.
 * Created by upie; you never construct it.
 *
 * @example
 * ```ts
 * class Chat extends App {
 *   async ws_echo(ws: WebSocket) {
 *     await ws.accept();
 *     for await (const message of ws) await ws.sendText(message);
 *   }
 * }
 * ```
 */
export class WebSocket implements AsyncIterable<string> {
  readonly #queue: MessageQueue;
  readonly #channel: Channel;
  readonly #request: Request | undefined;
  readonly #hooks: WebSocketHooks;
  #state = CONNECTING;
  #sessionId: string | undefined;
  #subprotocol: string | undefined;

  static {
    reject = (socket, status, body) => socket.#reject(status, body);
    pending = (socket) => socket.#state === CONNECTING && !socket.#queue.ended;
  }

  /**
   * @param queue - inbound messages, fed by the adapter.
   * @param channel - the protocol's `send` (its `receive` is read by whoever fills `queue`).
   * @param request - the handshake request (subprotocols offered, address).
   * @param hooks - what the core adds at accept time.
   */
  constructor(queue: MessageQueue, channel: Channel, request?: Request, hooks: WebSocketHooks = NO_HOOKS) {
    this.#queue = queue;
    this.#channel = channel;
    this.#request = request;
    this.#hooks = hooks;
  }

  /** True once `accept()` has completed (stays true after close). */
  get accepted(): boolean {
    return this.#subprotocol !== undefined;
  }

  /** True once either side closed the connection (or the handshake was refused). */
  get closed(): boolean {
    return this.#state === CLOSED || this.#queue.ended;
  }

  /** The session id given to `accept()`, if any. */
  get sessionId(): string | undefined {
    return this.#sessionId;
  }

  /** The subprotocol chosen in `accept()`, if any. */
  get subprotocol(): string | undefined {
    return this.#subprotocol || undefined;
  }

  /** Subprotocols the client offered (`Sec-WebSocket-Protocol`), in its order of preference. */
  get subprotocols(): readonly string[] {
    const scope = this.#request?.scope;
    return scope?.type === "websocket" ? scope.subprotocols : NO_SUBPROTOCOLS;
  }

  /** The peer's IP address as text ("" when unknown). */
  get remoteAddress(): string {
    return this.#request?.remoteAddress ?? "";
  }

  /**
   * Answers the handshake: only now does the client get `101 Switching Protocols`.
   *
   * @param subprotocol - one of {@link WebSocket.subprotocols}, echoed to the client.
   * @param sessionId - sets the `session_id` cookie on the handshake response
   *   (an id upie issued; cookies and session changes made before `accept()` are sent too).
   * @returns resolves once the handshake is answered. Rejects with
   *   {@link WebSocketStateError} when called twice or after `close()`, TypeError for a
   *   subprotocol the client did not offer, InvalidOptionError for a malformed `sessionId`,
   *   {@link ConnectionClosed} (1006) when the client left during the handshake.
   * @example
   * ```ts
   * async ws_chat(ws: WebSocket) {
   *   if (!this.request.session.user) return;   // → HTTP 403
   *   await ws.accept(ws.subprotocols.includes("chat.v1") ? "chat.v1" : undefined);
   * }
   * ```
   */
  accept(subprotocol?: string, sessionId?: string): Promise<void> {
    if (this.#state !== CONNECTING) return Promise.reject(new WebSocketStateError(this.#state === CLOSED ? "WebSocket already closed" : "WebSocket already accepted"));
    if (subprotocol !== undefined && !this.subprotocols.includes(subprotocol)) {
      return Promise.reject(new TypeError(`Subprotocol ${JSON.stringify(subprotocol)} was not offered by the client`));
    }
    this.#state = ACCEPTING;
    // Synchronous unless a session must be saved first: no promise of our own on the common path.
    let headers: ReturnType<WebSocketHooks["handshakeHeaders"]>;
    try {
      headers = this.#request === undefined ? undefined : this.#hooks.handshakeHeaders(this.#request, sessionId);
    } catch (error) {
      return this.#acceptFailed(error);
    }
    if (isThenable(headers)) {
      return headers.then(
        (ready) => this.#answer(subprotocol, sessionId, ready),
        (error: unknown) => this.#acceptFailed(error),
      );
    }
    return this.#answer(subprotocol, sessionId, headers);
  }

  #answer(subprotocol: string | undefined, sessionId: string | undefined, headers: ResponseHeaders | undefined): Promise<void> {
    let sent: Promise<void> | void;
    try {
      sent = this.#channel.send({ type: "websocket.accept", subprotocol, headers });
    } catch (error) {
      return this.#acceptFailed(error);
    }
    if (sent === undefined) {
      this.#accepted(subprotocol, sessionId);
      return RESOLVED;
    }
    return sent.then(
      () => this.#accepted(subprotocol, sessionId),
      (error: unknown) => this.#acceptFailed(error),
    );
  }

  #accepted(subprotocol: string | undefined, sessionId: string | undefined): void {
    this.#sessionId = sessionId;
    // "" marks "accepted without a subprotocol"; close() during the accept keeps CLOSED.
    this.#subprotocol = subprotocol ?? "";
    if (this.#state === ACCEPTING) this.#state = OPEN;
  }

  #acceptFailed(error: unknown): Promise<never> {
    if (this.#state === ACCEPTING) this.#state = error instanceof ConnectionClosed ? CLOSED : CONNECTING;
    return Promise.reject(error);
  }

  /**
   * The next message as it came: a string for a text frame, bytes for a binary one.
   *
   * @returns the message; rejects with {@link ConnectionClosed} once the peer is gone and nothing is left.
   * @throws {@link WebSocketStateError} before `accept()`.
   * @example
   * ```ts
   * const message = await ws.receive();
   * if (typeof message === "string") console.log("text", message);
   * ```
   */
  receive(): Promise<string | Uint8Array> {
    this.#assertAccepted("receiving");
    return this.#queue.read(READ_MESSAGE) as Promise<Message>;
  }

  /**
   * The next message as text (a binary message is decoded as UTF-8).
   *
   * @returns the text; rejects with {@link ConnectionClosed} once the peer is gone and nothing is left.
   * @throws {@link WebSocketStateError} before `accept()`.
   * @example
   * ```ts
   * const name = await ws.receiveText();
   * ```
   */
  receiveText(): Promise<string> {
    this.#assertAccepted("receiving");
    return this.#queue.read(READ_TEXT) as Promise<string>;
  }

  /**
   * The next message as bytes (a text message is encoded as UTF-8).
   *
   * @returns the bytes; rejects with {@link ConnectionClosed} once the peer is gone and nothing is left.
   * @throws {@link WebSocketStateError} before `accept()`.
   * @example
   * ```ts
   * const chunk = await ws.receiveBytes();
   * ```
   */
  receiveBytes(): Promise<Uint8Array> {
    this.#assertAccepted("receiving");
    return this.#queue.read(READ_BYTES) as Promise<Uint8Array>;
  }

  /**
   * The next message parsed as JSON.
   *
   * @returns the value; rejects with {@link ConnectionClosed} once the peer is gone,
   *   with SyntaxError when the message is not JSON.
   * @throws {@link WebSocketStateError} before `accept()`.
   * @example
   * ```ts
   * const { text } = await ws.receiveJson<{ text: string }>();
   * ```
   */
  async receiveJson<T = unknown>(): Promise<T> {
    return JSON.parse(await this.receiveText()) as T;
  }

  /**
   * Sends a text message.
   *
   * @param text - the message.
   * @returns resolves once the frame is written or buffered under `maxBackpressure`
   *   (above it, once the socket drained); rejects with {@link ConnectionClosed} after close.
   * @throws {@link WebSocketStateError} before `accept()`; TypeError for a non-string.
   * @example
   * ```ts
   * await ws.sendText("hello");
   * ```
   */
  sendText(text: string): Promise<void> {
    if (typeof text !== "string") throw new TypeError("sendText() takes a string");
    return this.#sendMessage(text, false);
  }

  /**
   * Sends a binary message.
   *
   * @param data - the bytes (any ArrayBuffer view, or an ArrayBuffer).
   * @returns like {@link WebSocket.sendText}.
   * @throws {@link WebSocketStateError} before `accept()`; TypeError for anything but bytes.
   * @example
   * ```ts
   * await ws.sendBytes(new Uint8Array([1, 2, 3]));
   * ```
   */
  sendBytes(data: Uint8Array | ArrayBuffer | ArrayBufferView): Promise<void> {
    let bytes: Uint8Array;
    if (data instanceof Uint8Array) bytes = data;
    else if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
    else if (ArrayBuffer.isView(data)) bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    else throw new TypeError("sendBytes() takes a Uint8Array, an ArrayBuffer or another ArrayBuffer view");
    return this.#sendMessage(bytes, true);
  }

  /**
   * Sends `value` as a JSON text message.
   *
   * @param value - anything `JSON.stringify` accepts.
   * @returns like {@link WebSocket.sendText}.
   * @throws {@link WebSocketStateError} before `accept()`; TypeError when `value` has no JSON form.
   * @example
   * ```ts
   * await ws.sendJson({ type: "joined", user: "al" });
   * ```
   */
  sendJson(value: unknown): Promise<void> {
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError("sendJson() got a value with no JSON form");
    return this.sendText(text);
  }

  /**
   * Closes the connection. Before `accept()` it refuses the handshake (HTTP 403).
   * Pending and later receives reject with {@link ConnectionClosed}; calling it again does nothing.
   *
   * @param code - 1000 (default), 1001-1003, 1007-1014 or 3000-4999.
   * @param reason - at most 123 bytes of UTF-8.
   * @returns resolves once the close frame is handed to the server.
   * @throws RangeError for a code that may not be sent or a reason too long.
   * @example
   * ```ts
   * await ws.close(4001, "kicked");
   * ```
   */
  close(code = 1000, reason = ""): Promise<void> {
    assertCloseFrame(code, reason);
    if (this.#state === CLOSED) return RESOLVED;
    if (this.#state === CONNECTING) return this.#reject(403, "Forbidden");
    this.#state = CLOSED;
    const queue = this.#queue;
    if (queue.ended) return RESOLVED; // the peer already closed: nothing to send
    queue.end(code, reason, true);
    return this.#post({ type: "websocket.close", code, reason }).catch(ignoreClosed);
  }

  /**
   * Receives what is published on `topic` (see `app.publish`) until the connection closes.
   *
   * @param topic - any non-empty string.
   * @returns resolves once subscribed; rejects with {@link ConnectionClosed} after close.
   * @throws {@link WebSocketStateError} before `accept()`; TypeError for an empty topic.
   * @example
   * ```ts
   * await ws.subscribe(`room:${room}`);
   * ```
   */
  subscribe(topic: string): Promise<void> {
    assertTopic(topic);
    return this.#sendEvent({ type: "websocket.subscribe", topic });
  }

  /**
   * Stops receiving what is published on `topic`.
   *
   * @param topic - a topic passed to {@link WebSocket.subscribe}.
   * @returns resolves once unsubscribed; rejects with {@link ConnectionClosed} after close.
   * @throws {@link WebSocketStateError} before `accept()`; TypeError for an empty topic.
   * @example
   * ```ts
   * await ws.unsubscribe("room:lobby");
   * ```
   */
  unsubscribe(topic: string): Promise<void> {
    assertTopic(topic);
    return this.#sendEvent({ type: "websocket.unsubscribe", topic });
  }

  /**
   * Iterates over text messages (binary ones decoded as UTF-8) until the
   * connection closes; the loop then ends quietly. `break` leaves the socket open.
   *
   * @throws {@link WebSocketStateError} before `accept()`.
   * @example
   * ```ts
   * for await (const message of ws) await ws.sendText(message);
   * ```
   */
  [Symbol.asyncIterator](): AsyncIterator<string> {
    this.#assertAccepted("receiving");
    // The queue is its own iterator: a `for await` loop allocates nothing per connection.
    return this.#queue;
  }

  /** The hot path of sendText/sendBytes: two state checks, then straight to the adapter. */
  #sendMessage(data: string | Uint8Array, isBinary: boolean): Promise<void> {
    const queue = this.#queue;
    if (this.#state !== OPEN || queue.ended) return this.#notOpen();
    const channel = this.#channel as Channel & Partial<DirectSend>;
    if (channel.sendMessage !== undefined) return channel.sendMessage(data, isBinary);
    return this.#post(isBinary ? { type: "websocket.send", bytes: data as Uint8Array } : { type: "websocket.send", text: data as string });
  }

  #sendEvent(event: SendEvent): Promise<void> {
    if (this.#state !== OPEN || this.#queue.ended) return this.#notOpen();
    return this.#post(event);
  }

  /** Before accept: a programming error (throws). After close: a rejection with the close code. */
  #notOpen(): Promise<never> {
    const queue = this.#queue;
    if (this.#state !== CLOSED && !(this.#state === OPEN && queue.ended)) throw new WebSocketStateError("Call accept() before sending");
    return quietRejection(new ConnectionClosed(queue.closeCode, queue.closeReason));
  }

  /** Hands an event to the adapter; a synchronous `send` (no promise) counts as done. */
  #post(event: SendEvent): Promise<void> {
    return this.#channel.send(event) ?? RESOLVED;
  }

  #assertAccepted(what: string): void {
    if (this.#state === CONNECTING || this.#state === ACCEPTING) {
      if (this.#queue.ended) return; // reads will reject with ConnectionClosed
      throw new WebSocketStateError(`Call accept() before ${what}`);
    }
  }

  #reject(status: number, body: string): Promise<void> {
    this.#state = CLOSED;
    this.#queue.end(1006, "WebSocket handshake refused", true);
    return this.#post({ type: "websocket.http.response", status, headers: { "content-type": "text/plain; charset=utf-8" }, body }).catch(ignoreClosed);
  }
}

function assertTopic(topic: unknown): void {
  if (typeof topic !== "string" || topic === "") throw new TypeError("A topic is a non-empty string");
}

function ignoreClosed(error: unknown): void {
  if (!(error instanceof ConnectionClosed)) throw error;
}

/**
 * Answers a handshake the handler never answered (for the core, not users).
 *
 * @param socket - a socket still waiting for `accept()`.
 * @param status - the HTTP status to refuse with.
 * @param body - the response body.
 * @returns once the response is handed to the server.
 * @example
 * ```ts
 * if (isHandshakePending(ws)) await rejectHandshake(ws, 403, "Forbidden");
 * ```
 */
export function rejectHandshake(socket: WebSocket, status: number, body: string): Promise<void> {
  return reject(socket, status, body);
}

/**
 * Whether nobody has answered the handshake yet (for the core, not users).
 *
 * @param socket - the socket.
 * @returns true while neither `accept()`, `close()` nor a refusal happened and the client is still there.
 * @example
 * ```ts
 * isHandshakePending(ws); // true before accept()
 * ```
 */
export function isHandshakePending(socket: WebSocket): boolean {
  return pending(socket);
}
