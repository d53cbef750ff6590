/**
 * Writes a normalised response through the protocol's `send`.
 *
 * @module
 */
import type { Send } from "./protocol.js";
import type { ResponseInit } from "./response.js";

const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();

/** Chunks an async iterable may yield: text and bytes as they are, anything else as text. */
function toChunk(value: unknown): string | Uint8Array {
  if (typeof value === "string" || value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (value === undefined || value === null) return EMPTY;
  return encoder.encode(String(value));
}

/**
 * Sends the start event and the body. A streamed body is pulled one chunk at
 * a time and each chunk awaits the adapter (backpressure); when the client is
 * gone `send` rejects, which ends the `for await` and so runs the iterator's
 * `return()` (a generator's `finally`, a ReadableStream's cancel).
 *
 * The body of a HEAD response is passed along too: adapters drop it but use
 * its length. A streamed body is not started for HEAD.
 */
export async function writeResponse(response: ResponseInit, send: Send, head: boolean): Promise<void> {
  const { status, body, headers } = response;
  if (status === 204 || status === 304 || (status >= 100 && status < 200)) {
    await send({ type: "http.response.start", status, headers });
    await send({ type: "http.response.body", body: EMPTY, more: false });
    return;
  }
  if (body === null || typeof body === "string" || body instanceof Uint8Array) {
    await send({ type: "http.response.start", status, headers });
    await send({ type: "http.response.body", body: body ?? EMPTY, more: false });
    return;
  }
  await send({ type: "http.response.start", status, headers });
  if (head) {
    await (body as any).cancel?.(); // an unread ReadableStream: release its source
  } else {
    for await (const value of body) {
      await send({ type: "http.response.body", body: toChunk(value), more: true });
    }
  }
  await send({ type: "http.response.body", body: EMPTY, more: false });
}
