/**
 * The error for a request whose client went away while upie was still
 * reading its body.
 *
 * @module
 */

import { ERRORS } from "../protocol/errors.js";

/**
 * Thrown when an `http.disconnect` event arrives while a body is being read,
 * and by `send` for a streamed chunk after the client left.
 *
 * Nothing is sent for it (there is nobody left to answer): it exists so the
 * code reading the body can stop, clean up (temp files, half-parsed state)
 * and let the request end quietly instead of logging a 500.
 */
export class ClientGoneError extends Error {
  override name = "ClientGoneError";
  /** Stable code; no response is ever written for it (499 is nginx's "client closed request"). */
  readonly code: string = ERRORS.CLIENT_GONE.code;

  constructor(message: string = ERRORS.CLIENT_GONE.message) {
    super(message);
  }
}
