/**
 * Inbound messages on their way to `handle`: one at a time, in arrival
 * order (the Moobius SDK ran each in its own task), a throw logged and the
 * next message handled. While `handle` is behind, the socket stops reading
 * (where the transport can), so a slow handler slows the server instead of
 * growing memory.
 *
 * @module
 */
import type { Frame } from "./transport.js";

/** Messages waiting for `handle` before the socket is paused; it resumes at half. */
const HIGH_WATER = 1000;

/** What the inbox needs of the connection: stop and restart reading. */
export interface FlowControl {
  pause(): void;
  resume(): void;
}

/** The ordered, one-at-a-time queue in front of `handle`. */
export class Inbox {
  readonly #handle: (message: string | Uint8Array) => unknown;
  readonly #onError: (error: unknown) => void;
  readonly #items: Frame[] = [];
  #draining = false;
  #flow: FlowControl | undefined;
  #paused = false;

  /**
   * @param handle - called with each message; awaited when it returns a promise.
   * @param onError - told about each throw (or rejection) of `handle`.
   */
  constructor(handle: (message: string | Uint8Array) => unknown, onError: (error: unknown) => void) {
    this.#handle = handle;
    this.#onError = onError;
  }

  /** The connection that delivers from now on (or none): a new socket starts unpaused. */
  attach(flow: FlowControl | undefined): void {
    this.#flow = flow;
    this.#paused = false;
  }

  /** One arrived message. */
  push(data: Frame): void {
    if (this.#draining) {
      this.#items.push(data);
      if (this.#items.length > HIGH_WATER && !this.#paused && this.#flow !== undefined) {
        this.#paused = true;
        this.#flow.pause();
      }
      return;
    }
    // Nothing waiting: run it now; only a handle that returns a promise makes later messages queue.
    const pending = this.#run(data);
    if (pending !== undefined) void this.#drain(pending);
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
        while (next === undefined && this.#items.length > 0) {
          next = this.#run(this.#items.shift()!);
          if (this.#paused && this.#items.length < HIGH_WATER / 2) {
            this.#paused = false;
            this.#flow?.resume();
          }
        }
        if (next === undefined) return;
        pending = next;
      }
    } finally {
      this.#draining = false;
    }
  }
}
