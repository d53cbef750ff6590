/**
 * `WSClient`'s sending side: stamps and encodes each send, queues it, writes
 * what may go on the current connection (with backpressure), settles sends
 * as the transport or the server's acknowledgements confirm them, and
 * rejects the ones that waited too long. The client owns the connection and
 * tells the outbox, through an {@link OutboxLink}, where sends may go.
 *
 * @module
 */
import type { AckOptions, ClientLogger } from "./client-options.js";
import { encode, type SendValue } from "./encode.js";
import { ClientTimeoutError } from "./errors.js";
import { SendQueue, type Outgoing } from "./send-queue.js";
import type { Frame, Transport } from "./transport.js";

/** Frames written before waiting for the transport to confirm some; and the bytes buffered. */
const MAX_INFLIGHT = 65_536;
const HIGH_WATER_BYTES = 1 << 20;

/** What the outbox reads of its client's connection, each time it may write. */
export interface OutboxLink {
  /** The open transport, while there is one. */
  readonly transport: Transport | undefined;
  /** The current connection's number (entries remember the one they were written on). */
  readonly connection: number;
  /** True once `onConnect` has finished on the open connection: every send may go. */
  readonly connected: boolean;
  /** True while `onConnect` runs: only the sends it makes may go. */
  readonly inOnConnect: boolean;
  /** True once `close()` was called. */
  readonly closed: boolean;
}

/** How an {@link Outbox} sends. */
export interface OutboxOptions {
  maxQueue: number;
  /** A send still unsettled after this long rejects with {@link ClientTimeoutError}. */
  sendTimeoutMs: number;
  acks: AckOptions | undefined;
  logger: ClientLogger;
}

/** The queue of a {@link WSClient}'s sends and the writing of them, in call order. */
export class Outbox {
  readonly #queue: SendQueue;
  readonly #options: OutboxOptions;
  readonly #link: OutboxLink;
  #pumping = false;
  #drainTimer: ReturnType<typeof setTimeout> | undefined;
  #onWritten: (error?: Error) => void = () => {};
  #ackSeq = 0;
  readonly #ackPrefix = Math.random().toString(36).slice(2, 10);
  #expiryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: OutboxOptions, link: OutboxLink) {
    this.#options = options;
    this.#link = link;
    this.#queue = new SendQueue(options.maxQueue);
  }

  /** Sends not yet settled: waiting to be written, or written and not yet confirmed. */
  get queued(): number {
    return this.#queue.waiting + this.#queue.inflight;
  }

  /** Queues `value` (see `WSClient.send`) and writes what may go. */
  send(value: SendValue): Promise<void> {
    const { acks } = this.#options;
    let data: Frame;
    let id: string | undefined;
    try {
      if (acks !== undefined) {
        id = `${this.#ackPrefix}-${++this.#ackSeq}`;
        value = acks.stamp(value, id) as SendValue;
      }
      data = encode(value);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<void>((resolve, reject) => {
      const entry: Outgoing = {
        data,
        id,
        first: this.#link.inOnConnect,
        deadline: Date.now() + this.#options.sendTimeoutMs,
        state: "waiting",
        connection: 0,
        resolve,
        reject,
      };
      try {
        this.#queue.push(entry);
      } catch (error) {
        return reject(error);
      }
      this.pump();
      if (entry.state === "waiting" || acks !== undefined) this.#armExpiry();
    });
  }

  /** A connection opened: its write confirmations settle sends from now on. */
  attach(transport: Transport): void {
    this.#onWritten = this.#confirmer(transport);
  }

  /**
   * Writes what may go now: `onConnect`'s sends, then (once connected) the
   * queue, until the socket holds `HIGH_WATER_BYTES` unwritten (as a bare
   * `ws` client would, so bursts become few large writes) or `MAX_INFLIGHT`
   * frames await confirmation. Confirmations call it again.
   */
  pump(): void {
    const link = this.#link;
    const transport = link.transport;
    if (transport === undefined || this.#pumping) return;
    if (!link.connected && !link.inOnConnect) return;
    const connection = link.connection;
    const onWritten = this.#onWritten;
    // A browser transport confirms inside send(): without this guard, pump → confirm → pump would recurse per frame.
    this.#pumping = true;
    try {
      while (this.#queue.inflight < MAX_INFLIGHT) {
        if (transport.bufferedAmount > HIGH_WATER_BYTES) {
          // Browsers never say when their buffer drains; look again shortly (one timer at a time).
          if (!transport.canPing && this.#drainTimer === undefined) {
            this.#drainTimer = setTimeout(() => {
              this.#drainTimer = undefined;
              this.pump();
            }, 20);
          }
          return;
        }
        const entry = this.#queue.take(connection, !link.connected);
        if (entry === undefined) return;
        transport.send(entry.data, onWritten);
      }
    } finally {
      this.#pumping = false;
    }
  }

  /** The connection ended while the client goes on: unsent and unconfirmed sends wait for the next one, within their `sendTimeoutMs`. */
  requeue(error: Error): void {
    this.#queue.requeue(error);
    this.#armExpiry();
  }

  /**
   * Rejects the sends still waiting with `error`; with `includeInflight`, the
   * written ones too (those already confirmed resolve).
   */
  rejectAll(error: Error, includeInflight: boolean): void {
    this.#queue.rejectAll(error, includeInflight);
  }

  /** `close()` was called: nothing waits any longer, so nothing expires. */
  stopExpiry(): void {
    clearTimeout(this.#expiryTimer);
  }

  /**
   * Settles the send that `data` acknowledges, when acknowledgements are on.
   *
   * @returns true when `data` was an acknowledgement (it is not a message for `handle`).
   */
  acknowledged(data: Frame): boolean {
    const acks = this.#options.acks;
    if (acks === undefined) return false;
    let id: string | undefined;
    try {
      id = acks.match(data);
    } catch (error) {
      this.#options.logger.error("WSClient: acks.match threw", error);
    }
    if (id === undefined) return false;
    const entry = this.#queue.findInflight(id);
    if (entry !== undefined) {
      this.#queue.confirm(entry);
      this.pump();
    }
    return true;
  }

  /**
   * The write confirmation of one connection: transports confirm frames in
   * the order they were written, so each confirmation is the oldest frame's.
   * One function per connection, not one closure per frame.
   */
  #confirmer(transport: Transport): (error?: Error) => void {
    return (error) => {
      if (this.#link.transport !== transport) return; // a late word from a connection already given up
      if (error !== undefined) {
        // The socket is dying; its end moves the unconfirmed frames back to the front of the queue.
        transport.terminate();
        return;
      }
      if (this.#options.acks === undefined) this.#queue.confirmOldest();
      if (this.#queue.waiting > 0 && transport.bufferedAmount < HIGH_WATER_BYTES / 2) this.pump();
    };
  }

  /** Schedules the check that rejects sends older than `sendTimeoutMs`. */
  #armExpiry(): void {
    if (this.#expiryTimer !== undefined || this.#link.closed) return;
    const next = this.#queue.expire(Date.now(), this.#options.acks !== undefined, () => this.#timeoutError());
    if (next === undefined) return;
    this.#expiryTimer = setTimeout(() => {
      this.#expiryTimer = undefined;
      this.#armExpiry();
    }, Math.max(1, next - Date.now()));
  }

  #timeoutError(): ClientTimeoutError {
    return new ClientTimeoutError(
      this.#options.acks === undefined
        ? `WSClient: send not written within ${this.#options.sendTimeoutMs} ms (not connected)`
        : `WSClient: send not acknowledged within ${this.#options.sendTimeoutMs} ms (it may have arrived)`,
    );
  }
}
