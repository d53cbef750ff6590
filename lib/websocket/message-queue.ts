/**
 * The inbound side of one WebSocket: messages wait here, in order, until
 * the handler reads them.
 *
 * Adapters feed it ({@link MessageQueue.push} from the uWS `message`
 * callback, or from `websocket.receive` events); the {@link WebSocket}
 * reads it. A read that finds a message gets it at once; a read that finds
 * none parks one resolver, which the next push settles directly, so a
 * handler blocked in `receive()` costs one promise and no queue at all.
 *
 * @module
 */
import { ConnectionClosed, WebSocketStateError } from "../protocol/errors.js";
import { isThenable } from "../protocol/is-thenable.js";
import { asRead, READ_ITERATION, READ_MESSAGE, type Message, type ReadMode } from "./read-mode.js";
import { quietRejection, RESOLVED } from "./settled-promises.js";

/**
 * The fast path's receiver: called once per message, in order. When it
 * returns a promise, later messages wait (queued) until it settles.
 */
export type MessageHandler = (message: Message) => unknown;

/** Told once when message delivery by calls is over: the queue ended, or a call threw `failure`. */
export interface ConsumptionListener {
  consumed(failed: boolean, failure: unknown): void;
}

function noop(): void {}

// `new Promise(capture)` hands its resolve function over without a closure per read.
let capturedResolve: (value: unknown) => void = noop;
function capture(resolve: (value: unknown) => void): void {
  capturedResolve = resolve;
}

/** The one consumer of a queue that delivers by calls (see {@link MessageQueue.consume}). */
class Consumer {
  readonly handler: MessageHandler;
  listener: ConsumptionListener | undefined;
  /** A call returned a promise that has not settled: later messages queue. */
  busy = false;
  readonly done: Promise<void>;
  // Only `done`'s resolve is kept, taken without a closure: a rejection is a
  // resolve with a rejected promise (one function less on every socket).
  readonly #settle: (value: unknown) => void;

  constructor(handler: MessageHandler) {
    this.handler = handler;
    this.done = new Promise(capture) as Promise<void>;
    this.#settle = capturedResolve;
  }

  resolve(): void {
    this.#settle(undefined);
  }

  reject(error: unknown): void {
    this.#settle(quietRejection(error));
  }
}

/** How many messages and bytes may wait unread. */
export interface QueueLimits {
  readonly maxQueuedMessages: number;
  readonly maxQueuedBytes: number;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });
/** Compact the backing array once this many slots at its head are spent. */
const COMPACT_AFTER = 2048;

interface Waiter {
  resolve: (value: unknown) => void;
  promise: Promise<unknown>;
  mode: ReadMode;
}

/** Unread messages: [message, byte size] pairs from `head` on. Exists only while something waits unread. */
class Backlog {
  items: Array<Message | number | undefined> = [];
  head = 0;
  bytes = 0;
}

/** How the queue ended. */
interface Ending {
  readonly code: number;
  readonly reason: string;
}

/**
 * A bounded FIFO of received messages with at most a few parked readers.
 * Kept small on purpose (one per connection): the backlog, the extra
 * readers and the ending are objects allocated only when needed.
 *
 * @example
 * ```ts
 * const queue = new MessageQueue({ maxQueuedMessages: 2, maxQueuedBytes: 1024 });
 * queue.push("a", 1);                   // true
 * await queue.read(READ_TEXT);          // "a"
 * queue.end(1000, "bye", false);
 * await queue.read(READ_TEXT);          // rejects with ConnectionClosed(1000, "bye")
 * ```
 */
export class MessageQueue implements AsyncIterator<string> {
  readonly #limits: QueueLimits;
  #backlog: Backlog | undefined;
  // The first parked reader lives inline: the common case allocates nothing more.
  // Only its resolve function is kept (a reject is done by resolving with a rejection).
  #resolve: ((value: unknown) => void) | undefined;
  #promise: Promise<unknown> | undefined;
  #mode: ReadMode = READ_MESSAGE;
  /** Further concurrent readers, rare. */
  #more: Waiter[] | undefined;
  #ending: Ending | undefined;
  /** Set by {@link MessageQueue.consume}: messages go to calls, not reads. */
  #consumer: Consumer | undefined;

  /**
   * @param limits - count and byte bounds (checked on each push; read live, so a shared object works).
   */
  constructor(limits: QueueLimits) {
    this.#limits = limits;
  }

  /** Messages waiting to be read. */
  get size(): number {
    const backlog = this.#backlog;
    return backlog === undefined ? 0 : (backlog.items.length - backlog.head) / 2;
  }

  /** Bytes of messages waiting to be read. */
  get bytes(): number {
    return this.#backlog?.bytes ?? 0;
  }

  /** True once {@link MessageQueue.end} was called. */
  get ended(): boolean {
    return this.#ending !== undefined;
  }

  /** The close code given to {@link MessageQueue.end} (0 while open). */
  get closeCode(): number {
    return this.#ending?.code ?? 0;
  }

  /** The close reason given to {@link MessageQueue.end} ("" while open). */
  get closeReason(): string {
    return this.#ending?.reason ?? "";
  }

  /**
   * Hands a message to a parked reader, or queues it.
   *
   * @param message - a string or bytes the queue may keep (already copied out of any transport buffer).
   * @param size - its size on the wire, in bytes, for the byte bound.
   * @returns false when the queue is full: nothing was stored, the caller closes the connection (1008).
   */
  push(message: Message, size: number): boolean {
    const consumer = this.#consumer;
    if (consumer !== undefined && !consumer.busy && this.#backlog === undefined && this.#ending === undefined) {
      this.#call(consumer, message);
      return true;
    }
    const resolve = this.#resolve;
    if (resolve !== undefined) {
      // A parked reader means nothing is queued and the queue has not ended.
      const mode = this.#mode;
      this.#shiftWaiter();
      resolve(asRead(message, mode));
      return true;
    }
    if (this.#ending !== undefined) return true;
    const backlog = (this.#backlog ??= new Backlog());
    const limits = this.#limits;
    if ((backlog.items.length - backlog.head) / 2 >= limits.maxQueuedMessages || backlog.bytes + size > limits.maxQueuedBytes) return false;
    backlog.items.push(message, size);
    backlog.bytes += size;
    return true;
  }

  /**
   * Reads the next message; waits for one if none is queued.
   *
   * @param mode - how to hand it over; see {@link ReadMode}.
   * @returns the message; once ended and drained, a rejection with
   *   {@link ConnectionClosed} (or `{ done: true }` for {@link READ_ITERATION}).
   */
  read(mode: ReadMode): Promise<unknown> {
    if (this.#consumer !== undefined) return Promise.reject(new WebSocketStateError("Messages are delivered to onMessage(): there is nothing to read"));
    if (this.#backlog !== undefined) return Promise.resolve(asRead(this.#shift(this.#backlog), mode));
    const ending = this.#ending;
    if (ending !== undefined) {
      return mode === READ_ITERATION ? Promise.resolve(DONE) : quietRejection(new ConnectionClosed(ending.code, ending.reason));
    }
    const promise = new Promise(capture);
    if (this.#resolve === undefined) {
      this.#resolve = capturedResolve;
      this.#promise = promise;
      this.#mode = mode;
    } else {
      (this.#more ??= []).push({ resolve: capturedResolve, promise, mode });
    }
    return promise;
  }

  /**
   * No more messages will come. Parked reads settle now; later reads get
   * what is still queued (unless `discard`), then {@link ConnectionClosed}.
   * Calling it again does nothing.
   *
   * @param code - the close code readers see.
   * @param reason - the close reason readers see.
   * @param discard - drop queued messages (the server closed: nobody will read them).
   */
  end(code: number, reason: string, discard: boolean): void {
    if (this.#ending !== undefined) return;
    this.#ending = { code, reason };
    if (discard) this.#backlog = undefined;
    const consumer = this.#consumer;
    if (consumer !== undefined && !consumer.busy) this.#feed(consumer);
    while (this.#resolve !== undefined) {
      const resolve = this.#resolve;
      const promise = this.#promise!;
      const mode = this.#mode;
      this.#shiftWaiter();
      if (mode === READ_ITERATION) {
        resolve(DONE);
      } else {
        // Resolving with a rejection rejects the read; marking it handled keeps an unawaited read quiet.
        resolve(quietRejection(new ConnectionClosed(code, reason)));
        promise.catch(noop);
      }
    }
  }

  /**
   * Delivers every message to `handler` as a call, from now on, in order:
   * what is already queued first. A call that returns a promise holds the
   * next message back until it settles (the queue's bounds still apply).
   *
   * @param handler - the receiver.
   * @returns resolves once the queue ended and the last call settled; rejects
   *   with what a call threw (later messages are then not delivered).
   * @throws {@link WebSocketStateError} when a read is waiting or a consumer is already set.
   */
  consume(handler: MessageHandler): Promise<void> {
    if (this.#consumer !== undefined || this.#resolve !== undefined) throw new WebSocketStateError("Messages are already being read");
    const consumer = (this.#consumer = new Consumer(handler));
    // A handler that never awaits its onMessage() is closed when it returns: its failure must not kill the process.
    consumer.done.catch(noop);
    this.#feed(consumer);
    return consumer.done;
  }

  /**
   * Hands the rest of the delivery to `listener` (no promise, no closure):
   * it is told once the consumer is over.
   *
   * @param listener - told once the queue ended, or with what a call threw.
   * @returns false when no consumer is running (nothing will be told).
   */
  whenConsumed(listener: ConsumptionListener): boolean {
    const consumer = this.#consumer;
    if (consumer === undefined) return false;
    consumer.listener = listener;
    return true;
  }

  /** One call; a promise it returns makes the consumer busy until it settles. */
  #call(consumer: Consumer, message: Message): void {
    let result: unknown;
    try {
      result = consumer.handler(message);
    } catch (error) {
      return this.#fail(consumer, error);
    }
    if (result === undefined || result === RESOLVED || !isThenable(result)) return;
    consumer.busy = true;
    result.then(
      () => {
        consumer.busy = false;
        this.#feed(consumer);
      },
      (error: unknown) => this.#fail(consumer, error),
    );
  }

  /** Hands queued messages over until one call is pending; settles the consumer once ended and drained. */
  #feed(consumer: Consumer): void {
    while (this.#consumer === consumer && !consumer.busy) {
      const backlog = this.#backlog;
      if (backlog === undefined) {
        if (this.#ending !== undefined) {
          this.#consumer = undefined;
          consumer.resolve();
          consumer.listener?.consumed(false, undefined);
        }
        return;
      }
      this.#call(consumer, this.#shift(backlog));
    }
  }

  #fail(consumer: Consumer, error: unknown): void {
    if (this.#consumer !== consumer) return;
    // Nothing reads after a failed consumer: the handler's own end closes the connection.
    consumer.busy = true;
    consumer.reject(error);
    consumer.listener?.consumed(true, error);
  }

  #shiftWaiter(): void {
    const next = this.#more?.shift();
    if (next === undefined) {
      this.#resolve = this.#promise = undefined;
      return;
    }
    this.#resolve = next.resolve;
    this.#promise = next.promise;
    this.#mode = next.mode;
  }

  /**
   * `for await` support: the next text message (binary decoded as UTF-8),
   * `{ done: true }` once ended and drained.
   *
   * @returns the iteration result.
   */
  next(): Promise<IteratorResult<string>> {
    return this.read(READ_ITERATION) as Promise<IteratorResult<string>>;
  }

  /**
   * Leaving a `for await` loop early (`break`) keeps the connection open.
   *
   * @returns `{ done: true }`.
   */
  return(): Promise<IteratorResult<string>> {
    return Promise.resolve(DONE);
  }

  #shift(backlog: Backlog): Message {
    const items = backlog.items;
    const head = backlog.head;
    const message = items[head] as Message;
    backlog.bytes -= items[head + 1] as number;
    if (head + 2 === items.length) {
      // Drained: drop the backlog, so an idle connection holds no array.
      this.#backlog = undefined;
    } else if (head >= COMPACT_AFTER && head * 2 >= items.length) {
      // Amortised O(1): drop the spent half instead of shift()ing every read.
      items.splice(0, head + 2);
      backlog.head = 0;
    } else {
      items[head] = items[head + 1] = undefined;
      backlog.head = head + 2;
    }
    return message;
  }
}
