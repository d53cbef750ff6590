/**
 * `WSClient`: a WebSocket client that stays connected. It queues sends while
 * the connection is down and delivers them in call order, reconnects with
 * backoff forever (until `close()`), re-runs `onConnect` (the login) after
 * every connect, detects dead sockets, and hands messages to `handle` one at
 * a time. The Moobius SDK's `WSClient`, without its bugs: see
 * `../shared/protocols/moobius.md`.
 *
 * @module
 */
import { Backoff } from "./backoff.js";
import { ClientEvents, type ClientEventMap, type ClientListener } from "./client-events.js";
import { checkClientOptions, DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_MAX_UNHANDLED_BYTES, DEFAULT_MAX_UNHANDLED_MESSAGES, type ClientLogger, type ClientOptions } from "./client-options.js";
import { encode, type SendValue } from "./encode.js";
import { ConnectionClosed } from "./errors.js";
import { Inbox } from "./inbox.js";
import { effectiveReceiveTimeout, startLiveness } from "./liveness.js";
import { Outbox } from "./outbox.js";
import { openTransport, type Frame, type Transport } from "./transport.js";

export type { AckOptions, ClientLogger } from "./client-options.js";

/** Everything about a {@link WSClient}; all optional. */
export type WSClientOptions = ClientOptions<WSClient>;
export type { HeartbeatOptions } from "./liveness.js";
export type { SendValue };

/**
 * A WebSocket client that reconnects by itself and never loses or reorders
 * what you send.
 *
 * @example
 * ```ts
 * import { WSClient } from "upie/client";
 * const client = new WSClient("ws://127.0.0.1:8000/chat", {
 *   onConnect: (c) => c.send({ type: "login", token }),
 *   handle: (message) => console.log(message),
 * });
 * await client.connect();
 * await client.send({ type: "hello" });
 * await client.close();
 * ```
 */
export class WSClient {
  readonly url: string;
  readonly #options: WSClientOptions;
  readonly #timeoutMs: number;
  readonly #healthyAfterMs: number;
  readonly #logger: ClientLogger;
  readonly #backoff: Backoff;
  readonly #outbox: Outbox;
  readonly #events: ClientEvents;
  readonly #inbox: Inbox | undefined;
  readonly #maxMessageBytes: number;
  #started = false;
  #closed = false;
  #closeDone: Promise<void> | undefined;
  #transport: Transport | undefined;
  /** Counts connections that opened; entries remember which one they were written on. */
  #connection = 0;
  #connected = false;
  #inOnConnect = false;
  #lastAlive = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #wakeRetry: (() => void) | undefined;
  #endConnection: (() => void) | undefined;
  #connectWaiters: Array<{ resolve(): void; reject(error: Error): void }> = [];

  /**
   * @param url - `ws://` or `wss://` URL.
   * @throws `InvalidOptionError` (a `TypeError`) on a bad option (checked here, not at the first failure).
   */
  constructor(url: string, options: WSClientOptions = {}) {
    checkClientOptions(url, options);
    this.url = url;
    this.#options = options;
    this.#timeoutMs = options.timeoutMs ?? 16_000;
    this.#healthyAfterMs = options.reconnect?.healthyAfterMs ?? 5_000;
    this.#logger = options.logger ?? console;
    const initial = options.reconnect?.initialDelayMs ?? 100;
    this.#backoff = new Backoff(initial, Math.max(initial, options.reconnect?.maxDelayMs ?? 30_000));
    const client = this;
    this.#outbox = new Outbox(
      { maxQueue: options.maxQueue ?? 10_000, sendTimeoutMs: options.sendTimeoutMs ?? this.#timeoutMs, acks: options.acks, logger: this.#logger },
      {
        get transport() {
          return client.#transport;
        },
        get connection() {
          return client.#connection;
        },
        get connected() {
          return client.#connected;
        },
        get inOnConnect() {
          return client.#inOnConnect;
        },
        get closed() {
          return client.#closed;
        },
      },
    );
    this.#events = new ClientEvents((error) => this.#logger.error("WSClient: an event listener threw", error));
    const handle = options.handle;
    this.#maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    const limits = { maxBytes: options.maxUnhandledBytes ?? DEFAULT_MAX_UNHANDLED_BYTES, maxMessages: options.maxUnhandledMessages ?? DEFAULT_MAX_UNHANDLED_MESSAGES };
    this.#inbox = handle && new Inbox(handle, (error) => this.#logger.error("WSClient: handle threw; going on with the next message", error), limits);
  }

  /** True while a connection is open and `onConnect` has finished on it. */
  get connected(): boolean {
    return this.#connected;
  }

  /** Sends not yet settled: waiting to be written, or written and not yet confirmed. */
  get queued(): number {
    return this.#outbox.queued;
  }

  /** Inbound messages waiting for `handle`, and their bytes (bounded by `maxUnhandledMessages` and `maxUnhandledBytes`, give or take what the socket held when it stopped). */
  get unhandled(): { messages: number; bytes: number } {
    return { messages: this.#inbox?.waiting ?? 0, bytes: this.#inbox?.waitingBytes ?? 0 };
  }

  /** Listens to `connect`, `disconnect`, `reconnecting` or `close`; returns a function that stops listening. */
  on<K extends keyof ClientEventMap>(name: K, listener: ClientListener<K>): () => void {
    return this.#events.on(name, listener);
  }

  off<K extends keyof ClientEventMap>(name: K, listener: ClientListener<K>): void {
    this.#events.off(name, listener);
  }

  /**
   * Starts connecting (once; later calls just wait). Resolves when a
   * connection is open and `onConnect` has run; until then it keeps retrying.
   * @throws {@link ConnectionClosed} when `close()` is called first.
   */
  connect(): Promise<void> {
    if (this.#closed) return Promise.reject(new ConnectionClosed(1000, "client closed"));
    if (this.#connected) return Promise.resolve();
    const waiting = new Promise<void>((resolve, reject) => this.#connectWaiters.push({ resolve, reject }));
    if (!this.#started) {
      this.#started = true;
      this.#run().catch((error) => this.#logger.error("WSClient: the connection loop failed", error));
    }
    return waiting;
  }

  /**
   * Sends `value`: strings as text, `Uint8Array`/`ArrayBuffer` as binary,
   * anything else as JSON text. Resolves, in call order, once the frame is
   * written to an open socket (with acks: once the server acknowledged it).
   * While disconnected it waits in the queue; what a dying socket failed to
   * write goes out again before later sends.
   * @throws {@link QueueFullError} when `maxQueue` sends are unsettled.
   * @throws {@link ClientTimeoutError} when it waited `sendTimeoutMs` (default `timeoutMs`).
   * @throws {@link ConnectionClosed} once `close()` was called.
   */
  send(value: SendValue): Promise<void> {
    if (this.#closed) return Promise.reject(new ConnectionClosed(1000, "client closed"));
    return this.#outbox.send(value);
  }

  /**
   * Closes the connection and stops reconnecting. Sends still queued reject
   * with {@link ConnectionClosed}; frames already written finish. Idempotent.
   */
  close(code = 1000, reason = ""): Promise<void> {
    if (this.#closeDone !== undefined) return this.#closeDone;
    this.#closed = true;
    const closedError = new ConnectionClosed(code, reason || "client closed");
    for (const waiter of this.#connectWaiters.splice(0)) waiter.reject(closedError);
    this.#outbox.rejectAll(closedError, this.#options.acks !== undefined);
    this.#outbox.stopExpiry();
    clearTimeout(this.#retryTimer);
    this.#wakeRetry?.();
    const transport = this.#transport;
    this.#closeDone = (async () => {
      if (transport !== undefined) {
        const ended = new Promise<void>((resolve) => {
          const previous = this.#endConnection;
          this.#endConnection = () => {
            previous?.();
            resolve();
          };
        });
        transport.close(code, reason);
        const timer = setTimeout(() => transport.terminate(), this.#timeoutMs);
        await ended;
        clearTimeout(timer);
      }
      this.#outbox.rejectAll(closedError, true);
      this.#events.emit("close", { code, reason });
    })();
    return this.#closeDone;
  }

  /** The connection loop: connect, run, wait for the end, back off, again; until `close()`. */
  async #run(): Promise<void> {
    let failures = 0;
    while (!this.#closed) {
      let ended!: (value: { code: number; reason: string }) => void;
      const end = new Promise<{ code: number; reason: string }>((resolve) => (ended = resolve));
      let transport: Transport;
      // A new connection would only be paused (or, without pause, dropped) again at once.
      await this.#inbox?.caughtUp();
      if (this.#closed) break;
      try {
        const { protocols, headers, WebSocket } = this.#options;
        transport = await openTransport(
          this.url,
          { protocols, headers, WebSocket, timeoutMs: this.#timeoutMs, maxMessageBytes: this.#maxMessageBytes },
          {
            message: (data, bytes) => this.#receive(data, bytes),
            alive: () => (this.#lastAlive = Date.now()),
            close: (code, reason) => ended({ code, reason }),
          },
        );
      } catch (error) {
        if (this.#closed) break;
        if (failures++ === 0) this.#logger.warn?.(`WSClient: cannot connect to ${this.url}; retrying with backoff`, error);
        await this.#retryAfter(error as Error);
        continue;
      }
      if (this.#closed) {
        transport.close(1000, "client closed");
        break;
      }
      failures = 0;
      const connection = ++this.#connection;
      const openedAt = Date.now();
      await this.#live(transport, connection, end);
      if (Date.now() - openedAt >= this.#healthyAfterMs) this.#backoff.reset();
      if (!this.#closed) await this.#retryAfter(undefined);
    }
  }

  /** One open connection, from `onConnect` to its end; returns how it ended. */
  async #live(transport: Transport, connection: number, end: Promise<{ code: number; reason: string }>): Promise<{ code: number; reason: string }> {
    this.#transport = transport;
    this.#outbox.attach(transport);
    this.#lastAlive = Date.now();
    const stopTimers = this.#watch(transport);
    let connected = false;
    const ended = end.then((result) => this.#ended(result, stopTimers, connected, connection));

    if (this.#options.onConnect !== undefined) {
      this.#inOnConnect = true;
      const setup = (async () => this.#options.onConnect!(this))();
      setup.catch(() => {});
      try {
        const outcome = await Promise.race([setup.then(() => "ok" as const), ended.then(() => "ended" as const)]);
        if (outcome === "ended") return ended;
      } catch (error) {
        this.#inOnConnect = false;
        this.#logger.error("WSClient: onConnect threw; dropping this connection and retrying", error);
        transport.close(1000, "onConnect failed");
        const timer = setTimeout(() => transport.terminate(), this.#timeoutMs);
        await ended;
        clearTimeout(timer);
        return ended;
      }
      this.#inOnConnect = false;
    }
    if (this.#transport !== transport) return ended;
    connected = true;
    this.#connected = true;
    this.#events.emit("connect", { url: this.url, connection });
    for (const waiter of this.#connectWaiters.splice(0)) waiter.resolve();
    this.#outbox.pump();
    return ended;
  }

  /** Reads through the inbox's bound and keeps the connection honest (heartbeat, receive timeout); returns what stops the timers. */
  #watch(transport: Transport): () => void {
    // A standard WebSocket cannot stop reading: past the bound, drop the connection instead of growing memory.
    this.#inbox?.attach(transport.canPause ? transport : { pause: () => transport.close(1008, "too many unhandled messages"), resume() {} });
    const { heartbeat, receiveTimeoutMs } = this.#options;
    return startLiveness(transport, heartbeat, effectiveReceiveTimeout(receiveTimeoutMs, transport.canPing, heartbeat), {
      isOpen: () => this.#connected && this.#transport === transport,
      lastAlive: () => this.#lastAlive,
      paused: () => {
        if (this.#inbox?.paused !== true) return false;
        this.#lastAlive = Date.now(); // the silence is ours: count from when we read again
        return true;
      },
      heartbeatFrame: () => {
        try {
          return encode(heartbeat!.message!() as SendValue);
        } catch (error) {
          this.#logger.error("WSClient: heartbeat.message threw", error);
          return undefined;
        }
      },
      warn: (message) => this.#logger.warn?.(message),
    });
  }

  /** The connection is over: unsent and unconfirmed sends wait for the next one (or reject after close()). */
  #ended(result: { code: number; reason: string }, stopTimers: () => void, connected: boolean, connection: number): { code: number; reason: string } {
    stopTimers();
    this.#transport = undefined;
    this.#connected = false;
    this.#inOnConnect = false;
    this.#inbox?.attach(undefined);
    if (this.#closed) this.#outbox.rejectAll(new ConnectionClosed(result.code, result.reason || "client closed"), true);
    else this.#outbox.requeue(new ConnectionClosed(result.code, result.reason || "connection lost"));
    if (connected) this.#events.emit("disconnect", { ...result, connection });
    this.#endConnection?.();
    this.#endConnection = undefined;
    return result;
  }

  /** Waits the next backoff delay (cut short by `close()`), telling listeners first. */
  #retryAfter(error: Error | undefined): Promise<void> {
    const delayMs = this.#backoff.next();
    this.#events.emit("reconnecting", { attempt: this.#backoff.attempt, delayMs, ...(error ? { error } : {}) });
    return new Promise((resolve) => {
      this.#wakeRetry = resolve;
      this.#retryTimer = setTimeout(resolve, delayMs);
    });
  }

  /** An inbound message: an acknowledgement settles its send; anything else goes to `handle`, in order. */
  #receive(data: Frame, bytes: number): void {
    if (!this.#outbox.acknowledged(data)) this.#inbox?.push(data, bytes);
  }
}
