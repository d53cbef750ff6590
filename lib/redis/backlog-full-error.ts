/**
 * The error `RedisBroker.publish` rejects with when Redis has been away so
 * long that the messages held for it reached their bound.
 *
 * @module
 */
import { ERRORS } from "../protocol/errors.js";

/**
 * Redis is unreachable and the broker already holds as many unsent
 * messages as it may. The message was not taken; nothing held was dropped.
 *
 * @example
 * ```ts
 * try { await app.publish("news", text); }
 * catch (error) { if (error instanceof BacklogFullError) return [503, "try again later"]; throw error; }
 * ```
 */
export class BacklogFullError extends Error {
  override name = "BacklogFullError";
  /** `UPIE_ERR_BROKER_BACKLOG_FULL`. */
  readonly code = ERRORS.BROKER_BACKLOG_FULL.code;
  /** 503: what to answer a client whose request could not publish (`throw new HttpError(error.status)`). */
  readonly status = ERRORS.BROKER_BACKLOG_FULL.status;

  /**
   * @param held - messages held when this one was refused.
   * @param bytes - their payload bytes.
   */
  constructor(held: number, bytes: number) {
    super(`${ERRORS.BROKER_BACKLOG_FULL.message}: ${held} messages (${bytes} bytes) wait for Redis`);
  }
}
