/**
 * In-process WebSockets for the TestClient: the app's `ws_` handlers run on
 * the same {@link WebSocket} class as with uWS, fed through the protocol's
 * `receive`/`send`, with no socket in between.
 *
 * @module
 */
import type { AppCore } from "../core/app-core.js";
import { ConnectionClosed, WebSocketStateError } from "../core/errors.js";
import type { Channel, ReceiveEvent, ResponseHeaders, SendEvent, WebSocketScope } from "../core/protocol.js";
import { handleWebSocket } from "../core/websocket-handler.js";
import type { BrokerSink, PublishedMessage } from "../pubsub/broker.js";
import { TopicRegistry } from "../pubsub/topic-registry.js";
import { MessageQueue, quietRejection, READ_BYTES, READ_MESSAGE, READ_TEXT } from "../websocket/message-queue.js";

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

// The test client keeps everything the app sends: its own inbox is unbounded.
const UNBOUNDED = Object.freeze({ maxQueuedMessages: Infinity, maxQueuedBytes: Infinity });
const CONNECT: ReceiveEvent = Object.freeze({ type: "websocket.connect" });

const HANDSHAKE = 0;
const OPEN = 1;
const CLOSED = 2;

/** Copies bytes the other side may reuse. */
function own(message: PublishedMessage): PublishedMessage {
  return typeof message === "string" ? message : message.slice();
}

/**
 * The server side of one in-process WebSocket: the channel the core talks
 * to, and the client's inbox.
 */
class TestConnection implements Channel {
  readonly #topics: TestTopics;
  readonly #events: ReceiveEvent[] = [CONNECT];
  #waiting: ((event: ReceiveEvent) => void) | undefined;
  readonly inbox = new MessageQueue(UNBOUNDED);
  state = HANDSHAKE;
  status = 0;
  subprotocol: string | undefined;
  headers: ResponseHeaders = {};
  body = "";
  closeCode = 0;
  closeReason = "";
  readonly handshake: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  #answered!: () => void;
  #closedResolve!: (value: { code: number; reason: string }) => void;

  constructor(topics: TestTopics) {
    this.#topics = topics;
    this.handshake = new Promise((resolve) => (this.#answered = resolve));
    this.closed = new Promise((resolve) => (this.#closedResolve = resolve));
  }

  receive(): Promise<ReceiveEvent> {
    const event = this.#events.shift();
    if (event !== undefined) return Promise.resolve(event);
    return new Promise((resolve) => (this.#waiting = resolve));
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
      case "websocket.send":
        if (this.state !== OPEN) return quietRejection(this.#closedError());
        this.inbox.push(event.text ?? own(event.bytes ?? new Uint8Array(0)), 0);
        return;
      case "websocket.close":
        if (this.state === OPEN) this.#shut(event.code, event.reason ?? "", false);
        return;
      case "websocket.subscribe":
      case "websocket.unsubscribe":
        if (this.state !== OPEN) return quietRejection(this.#closedError());
        if (event.type === "websocket.subscribe") this.#topics.registry.add(event.topic, this);
        else this.#topics.registry.remove(event.topic, this);
        return;
      default:
        return quietRejection(new TypeError(`unexpected event ${event.type} for a WebSocket`));
    }
  }

  /** The client sends a message. */
  fromClient(message: PublishedMessage): Promise<void> {
    if (this.state !== OPEN) return quietRejection(this.#closedError());
    const copy = own(message);
    this.#event(typeof copy === "string" ? { type: "websocket.receive", text: copy } : { type: "websocket.receive", bytes: copy });
    return Promise.resolve();
  }

  /** The client closes the connection. */
  closeFromClient(code: number, reason: string): void {
    if (this.state === OPEN) this.#shut(code, reason, true);
  }

  /** A published message reaches this subscriber. */
  deliver(message: PublishedMessage): void {
    if (this.state === OPEN) this.inbox.push(own(message), 0);
  }

  #shut(code: number, reason: string, discard: boolean): void {
    this.state = CLOSED;
    this.closeCode = code;
    this.closeReason = reason;
    // The server's receive() learns it from a disconnect event, the client's from its inbox.
    this.inbox.end(code, reason, discard);
    this.#event({ type: "websocket.disconnect", code, reason });
    this.#topics.registry.removeAll(this);
    this.#closedResolve({ code, reason });
  }

  #event(event: ReceiveEvent): void {
    const waiting = this.#waiting;
    if (waiting === undefined) {
      this.#events.push(event);
      return;
    }
    this.#waiting = undefined;
    waiting(event);
  }

  #closedError(): ConnectionClosed {
    return new ConnectionClosed(this.closeCode || 1006, this.closeReason);
  }
}

/**
 * A TestClient's local fan-out for `app.publish`: a plain map of subscribers.
 *
 * @example
 * ```ts
 * const detach = broker.attach(new TestTopics());
 * ```
 */
export class TestTopics implements BrokerSink {
  /** Who follows what. */
  readonly registry = new TopicRegistry<TestConnection>();

  /**
   * Delivers `message` to every in-process subscriber of `topic`.
   *
   * @param topic - the topic.
   * @param message - text or bytes (copied per subscriber).
   */
  deliver(topic: string, message: PublishedMessage): void {
    for (const connection of this.registry.subscribers(topic)) connection.deliver(message);
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

  /**
   * The next message from the app, text or bytes as sent.
   *
   * @returns rejects with {@link ConnectionClosed} once closed and drained.
   */
  receive(): Promise<string | Uint8Array> {
    this.#assertAccepted();
    return this.#connection.inbox.read(READ_MESSAGE) as Promise<string | Uint8Array>;
  }

  /**
   * The next message from the app as text.
   *
   * @returns rejects with {@link ConnectionClosed} once closed and drained.
   */
  receiveText(): Promise<string> {
    this.#assertAccepted();
    return this.#connection.inbox.read(READ_TEXT) as Promise<string>;
  }

  /**
   * The next message from the app as bytes.
   *
   * @returns rejects with {@link ConnectionClosed} once closed and drained.
   */
  receiveBytes(): Promise<Uint8Array> {
    this.#assertAccepted();
    return this.#connection.inbox.read(READ_BYTES) as Promise<Uint8Array>;
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
   */
  close(code = 1000, reason = ""): Promise<void> {
    this.#connection.closeFromClient(code, reason);
    return Promise.resolve();
  }

  /** Iterates over the app's messages as text until the connection closes. */
  [Symbol.asyncIterator](): AsyncIterator<string> {
    this.#assertAccepted();
    return this.#connection.inbox;
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
 * @param topics - the TestClient's fan-out for published messages.
 * @returns the client end, once the app accepted or refused.
 * @example
 * ```ts
 * const ws = await openTestWebSocket(appCore(app), scope, topics);
 * ```
 */
export async function openTestWebSocket(core: AppCore, scope: WebSocketScope, topics: TestTopics): Promise<TestWebSocket> {
  const connection = new TestConnection(topics);
  const finished = handleWebSocket(core, scope, connection);
  // A handler that ends without answering is refused by the core, so one of the two settles first.
  await Promise.race([connection.handshake, finished]);
  return new TestWebSocket(connection, finished);
}
