/**
 * The error `RedisBroker.publish` rejects with when a message is over the
 * broker's `maxMessageBytes`.
 *
 * @module
 */
import { ERRORS } from "../protocol/errors.js";

/**
 * The message (with its topic) is bigger than `maxMessageBytes`: it was not
 * taken, and no process will see it. Readers skip bigger entries too, so
 * raising the bound means raising it in every process.
 *
 * @example
 * ```ts
 * try { await app.publish("files", bytes); }
 * catch (error) { if (error instanceof MessageTooLargeError) return [413, "too large to share"]; throw error; }
 * ```
 */
export class MessageTooLargeError extends Error {
  override name = "MessageTooLargeError";
  /** `UPIE_ERR_BROKER_MESSAGE_TOO_LARGE`. */
  readonly code = ERRORS.BROKER_MESSAGE_TOO_LARGE.code;
  /** 413: what to answer a client whose request tried to publish it. */
  readonly status = ERRORS.BROKER_MESSAGE_TOO_LARGE.status;

  /**
   * @param bytes - the message's and its topic's bytes.
   * @param max - the broker's `maxMessageBytes`.
   */
  constructor(bytes: number, max: number) {
    super(`${ERRORS.BROKER_MESSAGE_TOO_LARGE.message}: ${bytes} bytes, at most ${max}`);
  }
}
