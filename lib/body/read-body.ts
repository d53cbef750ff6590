/**
 * Pulling a request body out of the protocol's `receive()`.
 *
 * @module
 */

import { ERRORS, HttpError } from "../protocol/errors.js";
import type { Receive } from "../protocol/protocol.js";
import { ClientGoneError } from "./client-gone-error.js";

/**
 * Reads the whole body into one Buffer, refusing it as soon as it would pass
 * `limit`.
 *
 * The limit is checked before each chunk is kept, so an oversized body costs
 * at most `limit` bytes of memory and no further `receive()` calls: the
 * caller answers 413 and the adapter can drop the rest.
 *
 * @param receive - the request's receive function.
 * @param limit - the largest body accepted, in bytes.
 * @returns the body (possibly empty).
 * @throws {HttpError} 413 `UPIE_ERR_BODY_TOO_LARGE` past `limit`.
 * @throws {ClientGoneError} if the client disconnects first.
 *
 * @example
 * ```ts
 * const body = await readBody(receive, limits.bodySize);
 * ```
 */
export async function readBody(receive: Receive, limit: number): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const event = await receive();
    if (event.type === "http.disconnect") throw new ClientGoneError();
    // Anything else is not part of an HTTP body; skip it.
    if (event.type !== "http.request") continue;
    const { body } = event;
    if (body.byteLength > 0) {
      total += body.byteLength;
      if (total > limit) {
        throw HttpError.of(ERRORS.BODY_TOO_LARGE, `Request body larger than ${limit} bytes`);
      }
      chunks.push(body);
    }
    if (!event.more) break;
  }
  // A body in a single chunk (the common case) is wrapped, not copied.
  if (chunks.length === 1) {
    const only = chunks[0]!;
    return Buffer.from(only.buffer, only.byteOffset, only.byteLength);
  }
  return Buffer.concat(chunks, total);
}

/**
 * Yields the body's chunks as they arrive, for streaming parsers.
 *
 * Stopping early (`break`, or `return()` on the iterator) stops pulling from
 * `receive()`: nothing more is read or buffered.
 *
 * @param receive - the request's receive function.
 * @throws {ClientGoneError} if the client disconnects before the last chunk.
 *
 * @example
 * ```ts
 * for await (const chunk of bodyChunks(receive)) hash.update(chunk);
 * ```
 */
export async function* bodyChunks(receive: Receive): AsyncGenerator<Uint8Array, void, undefined> {
  for (;;) {
    const event = await receive();
    if (event.type === "http.disconnect") throw new ClientGoneError();
    if (event.type !== "http.request") continue;
    if (event.body.byteLength > 0) yield event.body;
    if (!event.more) return;
  }
}
