/**
 * The WebSocket engine: every policy of one connection, once, for every
 * adapter. It holds the connection's state, its inbound queue (overflow →
 * 1008), its backpressure (sends wait for `websocket.drain` above
 * `maxBackpressure`), the slow-subscriber close (1013), the ping-flood cut
 * (1008), close-frame validation and the shutdown close (1001). Adapters only
 * move frames: they answer `send(event)` and push what happens through
 * {@link WebSocketEndpoint.deliver}.
 *
 * One state variable says where the connection is: waiting for the handler
 * (`CONNECTING`, then `ACCEPTING` while the upgrade is answered), `OPEN`,
 * `CLOSED` by us (or refused), or `GONE` because the peer left or the
 * transport died. Readers still drain what was queued before the peer left.
 *
 * @module
 */
import { ConnectionClosed, ERRORS, WebSocketStateError } from "../protocol/errors.js";
import type { ReceiveEvent, ResponseHeaders, SendEvent, WebSocketChannel, WebSocketEndpoint } from "../protocol/protocol.js";
import { assertCloseFrame } from "./close-code.js";
import { MessageQueue, type ConsumptionListener, type MessageHandler } from "./message-queue.js";
import type { ReadMode } from "./read-mode.js";
import { quietRejection, RESOLVED } from "./settled-promises.js";
import { MessageBudget } from "../websocket-policy/message-budget.js";
import { Drain } from "./drain.js";
import { MAX_PINGS_WHILE_BACKPRESSURED, MESSAGE_RATE, PING_FLOOD, SENDS_PILED_UP, SHUTTING_DOWN } from "./close-reasons.js";
import type { WebSocketLimits } from "../websocket-policy/websocket-options.js";

const CONNECTING = 0;
const ACCEPTING = 1;
const OPEN = 2;
/** We closed, or refused the handshake. */
const CLOSED = 3;
/** The peer closed, the transport died, or the client left mid-handshake. */
const GONE = 4;
const DROPPED_BY_PEER = "Client went away during the handshake";

function noop(): void {}

/**
 * One WebSocket connection's state and policies, between the user-facing
 * {@link WebSocket} and the adapter's {@link WebSocketChannel}.
 *
 * @example
 * ```ts
 * const engine = new WebSocketEngine(channel, options); // attaches to the channel
 * await engine.accept(undefined, undefined);
 * await engine.send("hello", false);
 * ```
 */
export class WebSocketEngine implements WebSocketEndpoint {
  readonly #channel: WebSocketChannel;
  readonly #options: WebSocketLimits;
  /** Received messages waiting for the handler (composition: the engine has a queue). */
  readonly #inbound: MessageQueue;
  #state = CONNECTING;
  #drain: Drain | undefined;
  #pingsWhileBackpressured = 0;
  /** Created at the first message when `messageRate` is set. */
  #budget: MessageBudget | undefined;
  /** Set by {@link WebSocketEngine.shutdown} during the handshake: accepting is refused. */
  #shuttingDown = false;

  /**
   * @param channel - the adapter's side; it delivers every event to this engine from now on.
   * @param options - the app's resolved WebSocket options (queue bounds, backpressure limits).
   */
  constructor(channel: WebSocketChannel, options: WebSocketLimits) {
    this.#channel = channel;
    this.#options = options;
    this.#inbound = new MessageQueue(options);
    channel.attach(this);
  }

  /** True while nobody answered the handshake and the client is still there. */
  get pending(): boolean {
    return this.#state === CONNECTING;
  }

  /** True once the handshake was answered with 101. */
  get open(): boolean {
    return this.#state === OPEN;
  }

  /** True once either side closed (or the handshake was refused, or the client left). */
  get closed(): boolean {
    return this.#state >= CLOSED;
  }

  /** Messages waiting unread. */
  get queued(): number {
    return this.#inbound.size;
  }

  // ---- events from the adapter -------------------------------------------

  /**
   * An event from the peer or the transport, in order.
   *
   * @param event - `websocket.receive`, `.drain`, `.ping` or `.disconnect` (others are ignored).
   */
  deliver(event: ReceiveEvent): void {
    switch (event.type) {
      case "websocket.receive": {
        const message = event.text ?? event.bytes;
        if (message !== undefined) this.#received(message, event.size ?? (typeof message === "string" ? Buffer.byteLength(message) : message.byteLength));
        return;
      }
      case "websocket.drain":
        return this.#drained();
      case "websocket.ping":
        return this.#pinged();
      case "websocket.disconnect":
        return this.#disconnected(event.code, event.reason ?? "");
      default:
        return;
    }
  }

  /** After a publish reached it: a subscriber too far behind is closed with 1013 rather than skipped. */
  checkSubscriber(): void {
    if (this.#state === OPEN && this.#buffered() > this.#options.maxSubscriberBackpressure) {
      const { status, message } = ERRORS.WS_SLOW_SUBSCRIBER;
      this.#closeNow(status, message, false);
    }
  }

  /**
   * The server is stopping: an open socket is closed with `code`; a pending
   * handshake is refused (503) when the handler tries to accept it.
   */
  shutdown(code: number = SHUTTING_DOWN.code, reason: string = SHUTTING_DOWN.reason): void {
    if (this.#state === OPEN) this.#closeNow(code, reason, false);
    else this.#shuttingDown = true;
  }

  #received(message: string | Uint8Array, size: number): void {
    if (this.#state >= CLOSED) return;
    const rate = this.#options.messageRate;
    if (rate !== undefined && !(this.#budget ??= new MessageBudget(rate, performance.now())).take(performance.now())) {
      this.#closeNow(MESSAGE_RATE.code, MESSAGE_RATE.reason, false);
      return;
    }
    if (!this.#inbound.push(message, size)) {
      const { status, message: reason } = ERRORS.WS_QUEUE_OVERFLOW;
      this.#closeNow(status, reason, false);
    }
  }

  #drained(): void {
    if (this.#buffered() > this.#options.maxBackpressure) return;
    this.#pingsWhileBackpressured = 0;
    const drain = this.#drain;
    if (drain === undefined) return;
    this.#drain = undefined;
    drain.resolve();
  }

  #pinged(): void {
    if (this.#state !== OPEN || this.#buffered() <= this.#options.maxBackpressure) return;
    if (++this.#pingsWhileBackpressured <= MAX_PINGS_WHILE_BACKPRESSURED) return;
    // It does not read, so a close frame would never reach it: drop the connection now.
    this.#closeNow(PING_FLOOD.code, PING_FLOOD.reason, true);
  }

  /** The peer closed, the transport died, or the client left mid-handshake. */
  #disconnected(code: number, reason: string): void {
    // GONE, not CLOSED: an accept() still to come must learn that the client left
    // (ConnectionClosed), not that it misused the socket.
    const wasPending = this.#state === CONNECTING || this.#state === ACCEPTING;
    if (this.#state < CLOSED) this.#state = GONE;
    this.#inbound.end(code, wasPending && reason === "" ? DROPPED_BY_PEER : reason, false);
    this.#failDrain(code, reason);
  }

  // ---- what the handler asks for -----------------------------------------

  /**
   * Starts answering the handshake (before any await of the accept).
   *
   * @throws {@link WebSocketStateError} when accepted twice or after close;
   *   {@link ConnectionClosed} when the client already left.
   */
  beginAccept(): void {
    if (this.#state === GONE) throw this.#closedError();
    if (this.#state !== CONNECTING) throw new WebSocketStateError(this.#state === CLOSED ? "WebSocket already closed" : "WebSocket already accepted");
    this.#state = ACCEPTING;
  }

  /**
   * Answers the handshake with 101.
   *
   * @param subprotocol - echoed to the client.
   * @param headers - extra handshake response headers (cookies).
   * @returns resolves once upgraded; rejects with {@link ConnectionClosed} when
   *   the client left, or (1001) when the server is shutting down.
   */
  accept(subprotocol: string | undefined, headers: ResponseHeaders | undefined): Promise<void> {
    if (this.#state !== ACCEPTING) return this.acceptFailed(this.#closedError());
    if (this.#shuttingDown) {
      this.refuse(503, "Server shutting down");
      return quietRejection(new ConnectionClosed(SHUTTING_DOWN.code, SHUTTING_DOWN.reason));
    }
    let sent: Promise<void> | void;
    try {
      sent = this.#channel.send({ type: "websocket.accept", subprotocol, headers });
    } catch (error) {
      return this.acceptFailed(error);
    }
    if (sent === undefined) return this.#accepted();
    return sent.then(
      () => this.#accepted(),
      (error: unknown) => this.acceptFailed(error),
    );
  }

  #accepted(): Promise<void> {
    // close() during an async accept keeps CLOSED; the client leaving rejects.
    if (this.#state === ACCEPTING) this.#state = OPEN;
    if (this.#state === GONE) return quietRejection(this.#closedError());
    return RESOLVED;
  }

  /**
   * The accept could not complete: back to pending (the handler may refuse or
   * retry), or closed when the client is gone.
   *
   * @param error - why.
   * @returns a rejection with `error`.
   */
  acceptFailed(error: unknown): Promise<never> {
    if (this.#state === ACCEPTING) this.#state = error instanceof ConnectionClosed ? CLOSED : CONNECTING;
    return quietRejection(error);
  }

  /**
   * Refuses the handshake with a plain HTTP response (nothing happens once answered).
   *
   * @param status - the HTTP status.
   * @param body - the response body (text).
   * @returns once handed to the adapter.
   */
  refuse(status: number, body: string): Promise<void> {
    if (this.#state !== CONNECTING && this.#state !== ACCEPTING) return RESOLVED;
    this.#state = CLOSED;
    this.#inbound.end(1006, "WebSocket handshake refused", true);
    return this.#post({ type: "websocket.http.response", status, headers: { "content-type": "text/plain; charset=utf-8" }, body }).catch(ignoreClosed);
  }

  /**
   * Reads the next message.
   *
   * @param mode - how to hand it over.
   * @throws {@link WebSocketStateError} before `accept()` (unless the client already left).
   */
  read(mode: ReadMode): Promise<unknown> {
    this.assertReadable();
    return this.#inbound.read(mode);
  }

  /**
   * The inbound queue as a `for await` iterator (text messages).
   *
   * @throws {@link WebSocketStateError} before `accept()`.
   */
  iterator(): AsyncIterator<string> {
    this.assertReadable();
    return this.#inbound;
  }

  /**
   * Hands every message to `handler` as a call, in order (the fast path).
   *
   * @param handler - called once per message; when it returns a promise, the
   *   next message waits for it (queued meanwhile, within the queue's bounds).
   * @returns resolves once the connection closed and every delivered call
   *   settled; rejects with what `handler` threw.
   * @throws {@link WebSocketStateError} before `accept()`, or when messages are already being read.
   */
  consume(handler: MessageHandler): Promise<void> {
    this.assertReadable();
    return this.#inbound.consume(handler);
  }

  /**
   * While messages are delivered as calls, `listener` is told when that is over.
   *
   * @returns false when no messages are delivered as calls.
   */
  whenConsumed(listener: ConsumptionListener): boolean {
    return this.#inbound.whenConsumed(listener);
  }

  /** @throws {@link WebSocketStateError} while the handshake is not answered and the client is there. */
  assertReadable(): void {
    if (this.#state === CONNECTING || this.#state === ACCEPTING) throw new WebSocketStateError("Call accept() before receiving");
  }

  /**
   * Sends one message: resolves at once while the transport's buffer is under
   * `maxBackpressure`, else once it drained. Never dropped: the adapter writes
   * or buffers everything it is handed.
   *
   * It may be left unawaited: the promise it returns is already marked as
   * handled (a later rejection is no unhandled rejection), and sends made
   * without waiting for a drain may pile up to `maxSubscriberBackpressure`,
   * past which the connection closes with 1013 and they reject.
   *
   * @param data - text or bytes.
   * @param isBinary - true for a binary frame.
   * @returns the shared resolved promise when nothing has to wait (no
   *   allocation); rejects with {@link ConnectionClosed} once closed.
   * @throws {@link WebSocketStateError} before `accept()`.
   */
  send(data: string | Uint8Array, isBinary: boolean): Promise<void> {
    if (this.#state !== OPEN) return this.#notOpen();
    const sent = this.#channel.send(isBinary ? { type: "websocket.send", bytes: data as Uint8Array } : { type: "websocket.send", text: data as string });
    if (sent === undefined) return this.#backpressure();
    const waited = sent.then(() => this.#backpressure());
    waited.catch(noop); // an unawaited send must not become an unhandled rejection
    return waited;
  }

  #backpressure(): Promise<void> {
    const drain = this.#drain;
    if (drain !== undefined) {
      // Sent while a drain was pending: its caller did not wait. Bounded.
      if (this.#buffered() > this.#options.maxSubscriberBackpressure) this.#closeNow(SENDS_PILED_UP.code, SENDS_PILED_UP.reason, false);
      return drain.promise;
    }
    if (this.#buffered() <= this.#options.maxBackpressure) return RESOLVED;
    return (this.#drain = new Drain()).promise;
  }

  /**
   * Subscribes to (or leaves) a topic.
   *
   * @param subscribe - true to subscribe.
   * @param topic - a non-empty string.
   * @returns rejects with {@link ConnectionClosed} once closed.
   * @throws {@link WebSocketStateError} before `accept()`.
   */
  subscription(subscribe: boolean, topic: string): Promise<void> {
    if (this.#state !== OPEN) return this.#notOpen();
    return this.#post({ type: subscribe ? "websocket.subscribe" : "websocket.unsubscribe", topic });
  }

  /**
   * Closes the connection (validated, idempotent). Before `accept()` it refuses the handshake with 403.
   *
   * @param code - a sendable close code (RFC 6455 §7.4).
   * @param reason - at most 123 bytes of UTF-8.
   * @returns once the close frame is handed to the adapter.
   * @throws `ArgumentRangeError` / `InvalidArgumentError` for a code or reason that may not be sent.
   */
  close(code: number, reason: string): Promise<void> {
    assertCloseFrame(code, reason);
    // Closed already, or the peer is gone: nothing to send.
    if (this.#state >= CLOSED) return RESOLVED;
    if (this.#state === CONNECTING) return this.refuse(403, "Forbidden");
    return this.#closeNow(code, reason, false);
  }

  /** Closes from our side: readers end now (unread messages dropped), the adapter sends the frame. */
  #closeNow(code: number, reason: string, abort: boolean): Promise<void> {
    this.#state = CLOSED;
    this.#inbound.end(code, reason, true);
    this.#failDrain(code, reason);
    return this.#post(abort ? { type: "websocket.close", code, reason, abort } : { type: "websocket.close", code, reason }).catch(ignoreClosed);
  }

  #failDrain(code: number, reason: string): void {
    const drain = this.#drain;
    if (drain === undefined) return;
    this.#drain = undefined;
    drain.reject(new ConnectionClosed(code, reason));
  }

  #buffered(): number {
    return this.#channel.bufferedAmount ?? 0;
  }

  /** Before accept: a programming error (throws). After close: a rejection with the close code. */
  #notOpen(): Promise<never> {
    if (this.#state === CONNECTING || this.#state === ACCEPTING) throw new WebSocketStateError("Call accept() before sending");
    return quietRejection(this.#closedError());
  }

  #closedError(): ConnectionClosed {
    return new ConnectionClosed(this.#inbound.closeCode || 1006, this.#inbound.closeReason);
  }

  #post(event: SendEvent): Promise<void> {
    return this.#channel.send(event) ?? RESOLVED;
  }
}

function ignoreClosed(error: unknown): void {
  if (!(error instanceof ConnectionClosed)) throw error;
}
