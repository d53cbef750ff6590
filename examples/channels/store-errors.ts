/**
 * The store's refusals: a per-account quota reached (HTTP 403), or the
 * platform as a whole full (HTTP 507). Either way nothing that belongs to
 * someone else is evicted to make room.
 *
 * @module
 */
import { ProtocolError } from "./protocol.js";

/** The platform as a whole is full (a global bound of the store). */
export class StoreFullError extends ProtocolError {
  override name = "StoreFullError";
}

/** One account reached its own quota. */
export class QuotaError extends ProtocolError {
  override name = "QuotaError";
}
