/**
 * The error for a request whose client went away while upie was still
 * reading its body.
 *
 * @module
 */

import { catalogueError, ERRORS } from "../protocol/errors.js";

/**
 * Thrown when an `http.disconnect` event arrives while a body is being read,
 * and by `send` for a streamed chunk after the client left.
 *
 * Nothing is sent for it (there is nobody left to answer): it exists so the
 * code reading the body can stop, clean up (temp files, half-parsed state)
 * and let the request end quietly instead of logging a 500. No response is
 * ever written for its code (499 is nginx's "client closed request").
 */
export class ClientGoneError extends catalogueError(Error, "ClientGoneError", ERRORS.CLIENT_GONE) {
  constructor(message: string = ERRORS.CLIENT_GONE.message) {
    super(message);
  }
}
