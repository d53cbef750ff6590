/**
 * Inbound messages on their way to `handle`: one at a time, in arrival
 * order (the Moobius SDK ran each in its own task), a throw logged and the
 * next message handled. While `handle` is behind, the connection stops
 * reading (issue 22.6: a slow handler and a server pushing 90 MiB messages
 * grew a client to 2 GiB), so a slow handler slows the server instead of
 * growing memory.
 *
 * @module
 */
import type { Frame } from "./transport.js";

/** How much may wait for `handle` before the connection stops reading; it reads again below half of both. */
export interface InboxLimits {
  /** Messages waiting. */
  maxMessages: number;
  /** Their bytes. */
  maxBytes: number;
}

/** What the inbox needs of the connection: stop and restart reading. */
export interface FlowControl {
  pause(): void;
  resume(): void;
}

/** The ordered, one-at-a-time queue in front of `handle`. */
export class Inbox {
  readonly #handle: (message: string | Uint8Array) => unknown;
  readonly #onError: (error: unknown) => void;
  readonly #limits: InboxLimits;
  /** Waiting messages and their sizes; `#head` is the next one (no `shift()` per message). */
  #items: Frame[] = [];
  #sizes: number[] = [];
  #head = 0;
  #bytes = 0;
  #draining = false;
  #flow: FlowControl | undefined;
  #paused = false;
  #caughtUp: Array<() => void> = [];

  /**
   * @param handle - called with each message; awaited when it returns a promise.
   * @param onError - told about each throw (or rejection) of `handle`.
   * @param limits - when to stop reading.
   */
  constructor(handle: (message: string | Uint8Array) => unknown, onError: (error: unknown) => void, limits: InboxLimits) {
    this.#handle = handle;
    this.#onError = onError;
    this.#limits = limits;
  }

  /** True while the connection is paused because `handle` is behind. */
  get paused(): boolean {
    return this.#paused;
  }

  /** Messages waiting for `handle` (not counting the one it is working on). */
  get waiting(): number {
    return this.#items.length - this.#head;
  }

  /** Bytes of the messages waiting for `handle`. */
  get waitingBytes(): number {
    return this.#bytes;
  }

  /** The connection that delivers from now on (or none): a new socket starts unpaused. */
  attach(flow: FlowControl | undefined): void {
    this.#flow = flow;
    this.#paused = false;
    if (flow !== undefined && this.#over()) this.#pause();
  }

  /** Resolves once what waits is below half of the limits (at once when it already is): when reading again is worth it. */
  caughtUp(): Promise<void> {
    if (!this.#behind()) return Promise.resolve();
    return new Promise((resolve) => this.#caughtUp.push(resolve));
  }

  /**
   * One arrived message.
   *
   * @param data - the message.
   * @param bytes - its size, counted against `maxBytes`.
   */
  push(data: Frame, bytes: number): void {
    if (this.#draining) {
      this.#items.push(data);
      this.#sizes.push(bytes);
      this.#bytes += bytes;
      if (!this.#paused && this.#over()) this.#pause();
      return;
    }
    // Nothing waiting: run it now; only a handle that returns a promise makes later messages queue.
    const pending = this.#run(data);
    if (pending !== undefined) void this.#drain(pending);
  }

  #over(): boolean {
    return this.waiting > this.#limits.maxMessages || this.#bytes > this.#limits.maxBytes;
  }

  /** Still at or above half of a limit: resuming now would pause again at once. */
  #behind(): boolean {
    return this.waiting >= this.#limits.maxMessages / 2 || this.#bytes >= this.#limits.maxBytes / 2;
  }

  #pause(): void {
    if (this.#flow === undefined) return;
    this.#paused = true;
    this.#flow.pause();
  }

  /** The next waiting message, taken off the queue. */
  #take(): Frame {
    const data = this.#items[this.#head]!;
    this.#bytes -= this.#sizes[this.#head]!;
    this.#items[this.#head] = "";
    this.#head++;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#sizes = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#sizes = this.#sizes.slice(this.#head);
      this.#head = 0;
    }
    if (!this.#behind()) {
      if (this.#paused) {
        this.#paused = false;
        this.#flow?.resume();
      }
      for (const resolve of this.#caughtUp.splice(0)) resolve();
    }
    return data;
  }

  /** Runs `handle` on one message; returns its promise if it gave one. */
  #run(data: Frame): PromiseLike<unknown> | undefined {
    try {
      const result = this.#handle(data) as PromiseLike<unknown> | undefined;
      return typeof result?.then === "function" ? result : undefined;
    } catch (error) {
      this.#onError(error);
      return undefined;
    }
  }

  /** Waits for `pending`, then runs the waiting messages in order, awaiting each promise. */
  async #drain(pending: PromiseLike<unknown>): Promise<void> {
    this.#draining = true;
    try {
      for (;;) {
        try {
          await pending;
        } catch (error) {
          this.#onError(error);
        }
        let next: PromiseLike<unknown> | undefined;
        while (next === undefined && this.waiting > 0) next = this.#run(this.#take());
        if (next === undefined) return;
        pending = next;
      }
    } finally {
      this.#draining = false;
    }
  }
}
