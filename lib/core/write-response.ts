/**
 * Writes a normalised response through the protocol's `send`.
 *
 * @module
 */
import type { Channel } from "./protocol.js";
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
 * Sends the start event and the body. A whole body goes out synchronously
 * when the adapter takes it so (the result is then undefined). A streamed
 * body is pulled one chunk at a time and each chunk awaits the adapter
 * (backpressure); when the client is gone `send` rejects, which ends the
 * `for await` and so runs the iterator's `return()` (a generator's
 * `finally`, a ReadableStream's cancel).
 *
 * The body of a HEAD response is passed along too: adapters drop it but use
 * its length. A streamed body is not started for HEAD.
 */
export function writeResponse(response: ResponseInit, channel: Channel, head: boolean): Promise<void> | undefined {
  const { status, body, headers } = response;
  const bodiless = status === 204 || status === 304 || status < 200;
  if (bodiless || body === null || typeof body === "string" || body instanceof Uint8Array) {
    const started = channel.send({ type: "http.response.start", status, headers });
    const whole = bodiless || body === null ? EMPTY : (body as string | Uint8Array);
    if (started !== undefined) return started.then(() => channel.send({ type: "http.response.body", body: whole, more: false }));
    return channel.send({ type: "http.response.body", body: whole, more: false }) ?? undefined;
  }
  return stream(body, channel, status, headers, head);
}

async function stream(body: AsyncIterable<unknown>, channel: Channel, status: number, headers: ResponseInit["headers"], head: boolean): Promise<void> {
  await channel.send({ type: "http.response.start", status, headers });
  if (head) {
    await (body as { cancel?: () => unknown }).cancel?.(); // an unread ReadableStream: release its source
  } else {
    for await (const value of body) {
      await channel.send({ type: "http.response.body", body: toChunk(value), more: true });
    }
  }
  await channel.send({ type: "http.response.body", body: EMPTY, more: false });
}
