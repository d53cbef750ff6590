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
import { ConnectionClosed, ProtocolViolationError } from "../protocol/errors.js";
import type { ReceiveEvent, ResponseHeaders, SendEvent, WebSocketChannel, WebSocketEndpoint } from "../protocol/protocol.js";
import type { PublishedMessage } from "../pubsub/broker.js";
import type { LocalFanout } from "../pubsub/local-fanout.js";
import { MessageQueue } from "../websocket/message-queue.js";
import type { ReadMode } from "../websocket/read-mode.js";
import { quietRejection } from "../websocket/settled-promises.js";

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
