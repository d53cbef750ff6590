/**
 * Messages a harness client received, in order, for `next()`.
 *
 * @module
 */
import { InvalidStateError, TimedOutError } from "../protocol/errors.js";

/** A FIFO of received messages with one waiting reader at a time. */
export class MessageInbox {
  readonly #messages: Array<string | Uint8Array> = [];
  #waiter: (() => void) | undefined;
  #ended = false;

  push(message: string | Uint8Array): void {
    this.#messages.push(message);
    this.#wake();
  }

  /** No more messages will come. */
  end(): void {
    this.#ended = true;
    this.#wake();
  }

  /**
   * The next message.
   *
   * @param timeoutMs - rejects after this long.
   * @throws {@link InvalidStateError} when the connection closed with nothing left;
   *   {@link TimedOutError} on time-out.
   */
  async next(timeoutMs = 5000): Promise<string | Uint8Array> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const message = this.#messages.shift();
      if (message !== undefined) return message;
      if (this.#ended) throw new InvalidStateError("the connection closed with no message left");
      const left = deadline - Date.now();
      if (left <= 0) throw new TimedOutError(`no message within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  #wake(): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.();
  }
}
