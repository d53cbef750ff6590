/**
 * In-process WebSockets for the TestClient: a second adapter, as faithful to
 * the uWS one as a socket-free transport can be. The app's handler runs on
 * the same {@link WebSocketEngine} (queue bounds and 1008, backpressure,
 * 1013, shutdown), fed the same protocol events; what stands in for the
 * network is a simulated send buffer:
 *
 * - what the app sends lands in the client's inbox; bytes the client has not
 *   read beyond `socketBuffer` (the kernel's share) count as the server's
 *   `bufferedAmount`, so an app's sends wait for the test to read, exactly as
 *   they wait for a slow peer on uWS, and a subscriber that is not read from
 *   is closed with 1013;
 * - what the client sends is delivered to the engine in order, so a handler
 *   that does not read is closed with 1008 when its queue overflows.
 *
 * Differences from uWS, each for a reason: close codes 1012–1014 and
 * 3000–3999 from the client reach the handler as sent (uWS's parser turns
 * them into 1006, a limitation of the build, see docs/testing.md); frames are
 * never malformed or over `maxPayloadLength`, because the client API cannot
 * produce one.
 *
 * @module
 */
import type { AppCore } from "../core/app-core.js";
import { ConnectionClosed, WebSocketStateError, ProtocolViolationError } from "../protocol/errors.js";
import type { ReceiveEvent, ResponseHeaders, SendEvent, WebSocketChannel, WebSocketEndpoint, WebSocketScope } from "../protocol/protocol.js";
import { handleWebSocketAsync } from "../websocket/websocket-handler.js";
import type { PublishedMessage } from "../pubsub/broker.js";
import type { LocalFanout } from "../pubsub/local-fanout.js";
import { assertCloseFrame } from "../websocket/close-code.js";
import { MessageQueue, quietRejection, READ_BYTES, READ_ITERATION, READ_MESSAGE, READ_TEXT, type ReadMode } from "../websocket/message-queue.js";

/** Options for `client.websocket(path, options)`. */
export interface WebSocketRequestOptions {
  headers?: Record<string, string>;
  /** Appended to the path as a query string. */
  query?: Record<string, string | string[]>;
  /** Offered in `Sec-WebSocket-Protocol`, in order. */
  subprotocols?: string[];
  /** Client address the app sees (default 127.0.0.1). */
  remoteAddress?: string;
}

/**
 * The client's inbox holds what the app sent; its limit is the simulated
 * send buffer's, so it is never reached: sends wait long before.
 */
const INBOX_LIMITS = Object.freeze({ maxQueuedMessages: Infinity, maxQueuedBytes: Infinity });

const DRAIN: ReceiveEvent = Object.freeze({ type: "websocket.drain" });
const PING: ReceiveEvent = Object.freeze({ type: "websocket.ping" });

const HANDSHAKE = 0;
const OPEN = 1;
const CLOSED = 2;

/** An endpoint that ignores everything, until the engine attaches. */
const DETACHED: WebSocketEndpoint = { deliver() {}, checkSubscriber() {}, shutdown() {} };

/** Copies bytes the other side may reuse. */
function own(message: PublishedMessage): PublishedMessage {
  return typeof message === "string" ? message : message.slice();
}

function sizeOf(message: PublishedMessage): number {
  return typeof message === "string" ? Buffer.byteLength(message) : message.byteLength;
}

/** What every in-process socket of one TestClient shares. */
export interface TestSockets {
  /** The TestClient's fan-out for `app.publish`. */
  readonly topics: LocalFanout<TestConnection>;
  /** Bytes the simulated kernel takes before the server's own buffer grows. */
  readonly socketBuffer: number;
  /** Sockets whose handler has not finished. */
  readonly live: Set<TestConnection>;
}

/**
 * One in-process WebSocket: the channel the engine talks to, and the
 * client's inbox.
 */
export class TestConnection implements WebSocketChannel {
  readonly #sockets: TestSockets;
  #endpoint: WebSocketEndpoint = DETACHED;
  readonly inbox = new MessageQueue(INBOX_LIMITS);
  state = HANDSHAKE;
  status = 0;
  subprotocol: string | undefined;
  headers: ResponseHeaders = {};
  body = "";
  closeCode = 0;
  closeReason = "";
  readonly handshake: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  /** The handler's completion (set once it runs). */
  finished: Promise<void> = Promise.resolve();
  /** Frames the client sent that the app has not been handed yet, in order. */
  readonly #outgoing: Array<{ event: ReceiveEvent; delivered?: () => void }> = [];
  #flushing = false;
  #answered!: () => void;
  #closedResolve!: (value: { code: number; reason: string }) => void;

  constructor(sockets: TestSockets) {
    this.#sockets = sockets;
    sockets.live.add(this);
    this.handshake = new Promise((resolve) => (this.#answered = resolve));
    this.closed = new Promise((resolve) => (this.#closedResolve = resolve));
  }

  /** The engine takes events from now on. */
  attach(endpoint: WebSocketEndpoint): void {
    this.#endpoint = endpoint;
  }

  /** The engine's side, for the fan-out and shutdown. */
  get endpoint(): WebSocketEndpoint {
    return this.#endpoint;
  }

  /** Unread bytes in the client's inbox beyond what the simulated kernel holds. */
  get bufferedAmount(): number {
    return Math.max(0, this.inbox.bytes - this.#sockets.socketBuffer);
  }

  send(event: SendEvent): Promise<void> | void {
    switch (event.type) {
      case "websocket.accept":
        if (this.state !== HANDSHAKE) return quietRejection(this.#closedError());
        this.state = OPEN;
        this.status = 101;
        this.subprotocol = event.subprotocol;
        this.headers = event.headers ?? {};
        this.#answered();
        return;
      case "websocket.http.response":
        if (this.state !== HANDSHAKE) return;
        this.status = event.status;
        this.headers = event.headers ?? {};
        this.body = event.body ?? "";
        this.#shut(1006, "WebSocket handshake refused", true);
        this.#answered();
        return;
      case "websocket.send": {
        if (this.state !== OPEN) return quietRejection(this.#closedError());
        const message = event.text ?? own(event.bytes ?? new Uint8Array(0));
        this.inbox.push(message, sizeOf(message));
        return;
      }
      case "websocket.close":
        // A close frame reaches the client after what it was already sent; a dropped connection as 1006.
        if (this.state === OPEN) this.#shut(event.abort === true ? 1006 : event.code, event.abort === true ? "" : (event.reason ?? ""), false);
        return;
      case "websocket.subscribe":
        if (this.state !== OPEN) return quietRejection(this.#closedError());
        this.#sockets.topics.subscribe(this, event.topic);
        return;
      case "websocket.unsubscribe":
        if (this.state !== OPEN) return quietRejection(this.#closedError());
        this.#sockets.topics.unsubscribe(this, event.topic);
        return;
      default:
        return quietRejection(new ProtocolViolationError(`unexpected event ${event.type} for a WebSocket`));
    }
  }

  /** The handler (and `afterWebSocket`) finished. */
  done(): void {
    this.#sockets.live.delete(this);
  }

  /**
   * The client sends a message. Frames reach the app one per event-loop turn,
   * in order, as off a socket: between two of them the handler's awaits run,
   * so a handler that keeps reading never sees its queue fill.
   *
   * @returns resolves once the app was handed the message.
   */
  fromClient(message: PublishedMessage): Promise<void> {
    if (this.state !== OPEN) return quietRejection(this.#closedError());
    const copy = own(message);
    const size = sizeOf(copy);
    return new Promise((delivered) => this.#enqueue(typeof copy === "string" ? { type: "websocket.receive", text: copy, size } : { type: "websocket.receive", bytes: copy, size }, delivered));
  }

  /** The client pings (the pong is implied: the in-process client does not count them). */
  ping(): void {
    if (this.state === OPEN) this.#enqueue(PING);
  }

  /** The client closes the connection (after the frames it already sent). */
  closeFromClient(code: number, reason: string): void {
    if (this.state === HANDSHAKE) {
      // Leaving during the handshake: the app must not upgrade a client that is gone.
      this.#shut(1006, "Client went away during the handshake", true);
      return;
    }
    if (this.state === OPEN) this.#shut(code, reason, true);
  }

  #enqueue(event: ReceiveEvent, delivered?: () => void): void {
    this.#outgoing.push({ event, delivered });
    if (!this.#flushing) {
      this.#flushing = true;
      setImmediate(this.#flush);
    }
  }

  readonly #flush = (): void => {
    const next = this.#outgoing.shift();
    if (next !== undefined) {
      this.#endpoint.deliver(next.event);
      next.delivered?.();
    }
    if (this.#outgoing.length > 0) setImmediate(this.#flush);
    else this.#flushing = false;
  };

  /**
   * The client reads its inbox: once it is back under the simulated buffer,
   * the engine hears `websocket.drain`, as uWS reports it.
   */
  read(mode: ReadMode): Promise<unknown> {
    const before = this.bufferedAmount;
    const read = this.inbox.read(mode);
    if (before > 0 && this.state === OPEN) this.#endpoint.deliver(DRAIN);
    return read;
  }

  /** A published message reaches this subscriber (it counts toward its buffer, like any send). */
  deliverPublished(message: PublishedMessage): void {
    if (this.state !== OPEN) return;
    const copy = own(message);
    this.inbox.push(copy, sizeOf(copy));
  }

  #shut(code: number, reason: string, fromClient: boolean): void {
    if (this.state === CLOSED) return;
    const wasOpen = this.state === OPEN;
    this.state = CLOSED;
    this.closeCode = code;
    this.closeReason = reason;
    // The client keeps what it was sent before a server's close frame; its own close drops the rest.
    this.inbox.end(code, reason, fromClient);
    this.#sockets.topics.removeAll(this);
    const disconnect: ReceiveEvent = { type: "websocket.disconnect", code, reason };
    // The client's close follows the frames it sent before; the server's own close needs no echo.
    if (fromClient && this.#flushing) this.#outgoing.push({ event: disconnect });
    else if (fromClient || !wasOpen) this.#endpoint.deliver(disconnect);
    this.#closedResolve({ code, reason });
  }

  #closedError(): ConnectionClosed {
    return new ConnectionClosed(this.closeCode || 1006, this.closeReason);
  }
}

/**
 * The client end of an in-process WebSocket, returned by `client.websocket()`
 * once the app answered the handshake.
 *
 * @example
 * ```ts
 * const ws = await client.websocket("/echo");
 * assert.equal(ws.status, 101);
 * await ws.sendText("hi");
 * assert.equal(await ws.receiveText(), "hi");
 * await ws.close();
 * ```
 */
export class TestWebSocket implements AsyncIterable<string> {
  readonly #connection: TestConnection;
  /** Resolves when the app's handler (and `afterWebSocket`) has finished. */
  readonly finished: Promise<void>;

  /**
   * @param connection - the in-process connection (created by `client.websocket()`).
   * @param finished - the handler's completion.
   */
  constructor(connection: TestConnection, finished: Promise<void>) {
    this.#connection = connection;
    this.finished = finished;
  }

  /** 101 when accepted, otherwise the HTTP status the handshake was refused with. */
  get status(): number {
    return this.#connection.status;
  }

  /** True when the app accepted the handshake. */
  get accepted(): boolean {
    return this.#connection.status === 101;
  }

  /** The subprotocol the app chose, if any. */
  get subprotocol(): string | undefined {
    return this.#connection.subprotocol;
  }

  /** Handshake response headers, lower-case names (repeats joined by ", "). */
  get headers(): Record<string, string> {
    const flat: Record<string, string> = {};
    for (const [name, value] of Object.entries(this.#connection.headers)) flat[name] = Array.isArray(value) ? value.join(", ") : value;
    return flat;
  }

  /** Every `Set-Cookie` of the handshake response. */
  get setCookies(): string[] {
    const value = this.#connection.headers["set-cookie"];
    return value === undefined ? [] : [value].flat();
  }

  /** The body of a refused handshake ("" when accepted). */
  get body(): string {
    return this.#connection.body;
  }

  /** Resolves with the close code and reason once either side closed. */
  get closed(): Promise<{ code: number; reason: string }> {
    return this.#connection.closed;
  }

  /** The close code (0 while open). */
  get closeCode(): number {
    return this.#connection.closeCode;
  }

  /** The close reason ("" while open). */
  get closeReason(): string {
    return this.#connection.closeReason;
  }

  /** Bytes the app sent that this client has not read yet. */
  get unreadBytes(): number {
    return this.#connection.inbox.bytes;
  }

  /**
   * Sends a text message to the app.
   *
   * @returns rejects with {@link ConnectionClosed} once closed.
   * @throws {@link WebSocketStateError} when the handshake was refused.
   */
  sendText(text: string): Promise<void> {
    this.#assertAccepted();
    return this.#connection.fromClient(String(text));
  }

  /**
   * Sends a binary message to the app.
   *
   * @returns rejects with {@link ConnectionClosed} once closed.
   * @throws {@link WebSocketStateError} when the handshake was refused.
   */
  sendBytes(data: Uint8Array | ArrayBuffer): Promise<void> {
    this.#assertAccepted();
    return this.#connection.fromClient(data instanceof Uint8Array ? data : new Uint8Array(data));
  }

  /**
   * Sends `value` as JSON text.
   *
   * @returns rejects with {@link ConnectionClosed} once closed.
   */
  sendJson(value: unknown): Promise<void> {
    return this.sendText(JSON.stringify(value));
  }

  /** Sends a ping (the app's engine sees it, as with uWS's automatic pongs). */
  ping(): void {
    this.#assertAccepted();
    this.#connection.ping();
  }

  /**
   * The next message from the app, text or bytes as sent.
   *
   * @returns rejects with {@link ConnectionClosed} once closed and drained.
   */
  receive(): Promise<string | Uint8Array> {
    this.#assertAccepted();
    return this.#connection.read(READ_MESSAGE) as Promise<string | Uint8Array>;
  }

  /**
   * The next message from the app as text.
   *
   * @returns rejects with {@link ConnectionClosed} once closed and drained.
   */
  receiveText(): Promise<string> {
    this.#assertAccepted();
    return this.#connection.read(READ_TEXT) as Promise<string>;
  }

  /**
   * The next message from the app as bytes.
   *
   * @returns rejects with {@link ConnectionClosed} once closed and drained.
   */
  receiveBytes(): Promise<Uint8Array> {
    this.#assertAccepted();
    return this.#connection.read(READ_BYTES) as Promise<Uint8Array>;
  }

  /**
   * The next message from the app parsed as JSON.
   *
   * @returns rejects with {@link ConnectionClosed} once closed and drained.
   */
  async receiveJson<T = any>(): Promise<T> {
    return JSON.parse(await this.receiveText()) as T;
  }

  /**
   * Closes from the client side; the app's pending receives reject with
   * {@link ConnectionClosed}. Await {@link TestWebSocket.finished} to wait for the handler.
   *
   * @param code - a close code a client may send (RFC 6455 §7.4).
   * @param reason - at most 123 bytes of UTF-8.
   * @throws RangeError for a code or reason that may not be sent.
   */
  close(code = 1000, reason = ""): Promise<void> {
    assertCloseFrame(code, reason);
    this.#connection.closeFromClient(code, reason);
    return Promise.resolve();
  }

  /** Iterates over the app's messages as text until the connection closes. */
  [Symbol.asyncIterator](): AsyncIterator<string> {
    this.#assertAccepted();
    const connection = this.#connection;
    return { next: () => connection.read(READ_ITERATION) as Promise<IteratorResult<string>> };
  }

  #assertAccepted(): void {
    if (this.#connection.status !== 101) throw new WebSocketStateError(`The handshake was refused with ${this.#connection.status}`);
  }
}

/**
 * Runs a WebSocket handshake against the app in process.
 *
 * @param core - the app.
 * @param scope - the handshake request.
 * @param sockets - what the TestClient's sockets share (fan-out, simulated buffer, live set).
 * @returns the client end, once the app accepted or refused.
 * @example
 * ```ts
 * const ws = await openTestWebSocket(appCore(app), scope, sockets);
 * ```
 */
export async function openTestWebSocket(core: AppCore, scope: WebSocketScope, sockets: TestSockets): Promise<TestWebSocket> {
  const connection = new TestConnection(sockets);
  const finished = (connection.finished = handleWebSocketAsync(core, scope, connection));
  // A handler that ends without answering is refused by the core, so one of the two settles first.
  await Promise.race([connection.handshake, finished]);
  return new TestWebSocket(connection, finished);
}
