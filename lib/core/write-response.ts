/**
 * Writes a normalised response through the protocol's `send`, and decides
 * its framing once: the start event carries the body's length, or `null`
 * for a stream of unknown length. An app's own `content-length` and
 * `transfer-encoding` never reach an adapter (uWS writes its own; a second
 * copy would corrupt the framing): a valid `content-length` on a stream,
 * or on an empty HEAD body, becomes its length; anything else is dropped.
 *
 * @module
 */
import type { Channel, ResponseHeaders } from "../protocol/protocol.js";
import type { ResponseInit } from "./response.js";

const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();
/** A plain decimal Content-Length that stays exact in a double. */
const DECIMAL_LENGTH = /^\d{1,15}$/;

/** Chunks an async iterable may yield: text and bytes as they are, anything else as text. */
function toChunk(value: unknown): string | Uint8Array {
  if (typeof value === "string" || value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (value === undefined || value === null) return EMPTY;
  return encoder.encode(String(value));
}

/**
 * Takes the framing headers out of `headers`.
 *
 * @returns the app's `content-length` when it is a valid length, else null.
 */
function takeFraming(headers: ResponseHeaders): number | null {
  const length = headers["content-length"];
  // The common case, with neither header: no deletes (they would turn the object into a slow dictionary).
  if (length === undefined && headers["transfer-encoding"] === undefined) return null;
  delete headers["content-length"];
  delete headers["transfer-encoding"];
  return typeof length === "string" && DECIMAL_LENGTH.test(length) ? Number(length) : null;
}

/**
 * Sends the start event and the body. A whole body goes out synchronously
 * when the adapter takes it so (the result is then undefined). A streamed
 * body is pulled one chunk at a time and each chunk awaits the adapter
 * (backpressure); when the client is gone `send` rejects, and the iterator's
 * `return()` runs (a generator's `finally`, a ReadableStream's cancel). Its
 * first chunk is pulled before the start event: if that fails, nothing is
 * sent and the promise rejects with {@link StreamStartError}.
 *
 * The body of a HEAD response is passed along too (adapters drop it); its
 * length is in the start event. A streamed body is not started for HEAD.
 */
export function writeResponse(response: ResponseInit, channel: Channel, head: boolean): Promise<void> | undefined {
  const { status, body, headers } = response;
  const declared = takeFraming(headers);
  const bodiless = status === 204 || status === 304 || status < 200;
  if (bodiless || body === null || typeof body === "string" || body instanceof Uint8Array) {
    const whole = bodiless || body === null ? EMPTY : (body as string | Uint8Array);
    const size = typeof whole === "string" ? Buffer.byteLength(whole) : whole.byteLength;
    // A whole body is framed by its own length, whatever the app declared; except an empty HEAD
    // body: the app skipped building it (StaticFiles does) and declares what a GET would send.
    const length = head && size === 0 && declared !== null ? declared : size;
    const started = channel.send({ type: "http.response.start", status, headers, length });
    if (started !== undefined) return started.then(() => channel.send({ type: "http.response.body", body: whole, more: false }));
    return channel.send({ type: "http.response.body", body: whole, more: false }) ?? undefined;
  }
  return stream(body, channel, status, headers, declared, head);
}

/**
 * Thrown by {@link writeResponse} when a streamed body fails before its first
 * chunk: nothing was sent yet, so the caller can still answer with an error
 * response (a generator that throws at once is a failed handler, a 500).
 */
export class StreamStartError extends Error {
  constructor(cause: unknown) {
    super("the streamed body failed before its first chunk", { cause });
  }
}

async function stream(body: AsyncIterable<unknown>, channel: Channel, status: number, headers: ResponseHeaders, length: number | null, head: boolean): Promise<void> {
  if (head) {
    await channel.send({ type: "http.response.start", status, headers, length });
    await (body as { cancel?: () => unknown }).cancel?.(); // an unread ReadableStream: release its source
    await channel.send({ type: "http.response.body", body: EMPTY, more: false });
    return;
  }
  const iterator = body[Symbol.asyncIterator]();
  let step: IteratorResult<unknown>;
  try {
    step = await iterator.next(); // before the status goes out
  } catch (error) {
    throw new StreamStartError(error);
  }
  let sending = false;
  try {
    await channel.send({ type: "http.response.start", status, headers, length });
    for (; step.done !== true; step = await iterator.next()) {
      sending = true;
      await channel.send({ type: "http.response.body", body: toChunk(step.value), more: true });
      sending = false;
    }
  } catch (error) {
    // As `for await` does when its body throws: close the source (a generator's `finally`, a stream's cancel).
    if (sending) await iterator.return?.();
    throw error;
  }
  await channel.send({ type: "http.response.body", body: EMPTY, more: false });
}
