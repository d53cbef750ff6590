/**
 * The error for a request whose client went away while upie was still
 * reading its body.
 *
 * @module
 */

/**
 * Thrown when an `http.disconnect` event arrives while a body is being read.
 *
 * Nothing is sent for it (there is nobody left to answer): it exists so the
 * code reading the body can stop, clean up (temp files, half-parsed state)
 * and let the request end quietly instead of logging a 500.
 */
export class ClientGoneError extends Error {
  override name = "ClientGoneError";
  /** Stable code; not in the HTTP error table because no response is ever written for it. */
  readonly code = "UPIE_ERR_CLIENT_GONE";

  constructor(message = "Client disconnected before the request body was read") {
    super(message);
  }
}
