/**
 * Server-Sent Events: a handler returns `sse(source)` and every value the
 * source yields becomes one event of a `text/event-stream` response
 * (WHATWG HTML §9.2, "Server-sent events").
 *
 * The stream is an ordinary streamed body, so it inherits the core's
 * backpressure and its cancellation when the client leaves. The core learns
 * that the client left when a write fails, so while the source is quiet the
 * heartbeat comments do double duty: they keep proxies and load balancers
 * from closing a connection that looks idle, and they bound how long a gone
 * client goes unnoticed (one heartbeat interval). Then the `AbortSignal`
 * handed to the source is aborted, so a source blocked on "wait for the
 * next chat message" stops waiting, and its iterator is returned.
 *
 * @module
 */
import { currentRequest } from "../core/context.js";
import { InvalidOptionError, InvalidArgumentError } from "../protocol/errors.js";
import type { ResponseTuple } from "../core/response.js";

/** One event. Every field is optional; a bare string is shorthand for `{ data }`. */
export interface SseEvent {
  /** The payload. Strings are sent as they are (one `data:` line per line); anything else as JSON. */
  data?: unknown;
  /** The event type (`addEventListener(type, …)` on the client); default "message". */
  event?: string;
  /** Sets the client's last event id, sent back as `Last-Event-ID` when it reconnects. */
  id?: string | number;
  /** How long the client waits before reconnecting, in milliseconds. */
  retry?: number;
  /** A comment line: ignored by clients, useful for debugging. */
  comment?: string;
}

/** What a source function receives. */
export interface SseContext {
  /** Aborted when the client disconnects (or the stream ends): stop waiting for new events. */
  signal: AbortSignal;
  /** The `Last-Event-ID` request header of a reconnecting client, if any. */
  lastEventId: string | undefined;
}

/** Events, or a function that makes them once the stream starts. */
export type SseSource =
  | AsyncIterable<SseEvent | string>
  | ((context: SseContext) => AsyncIterable<SseEvent | string>);

/** Options for {@link sse}. */
export interface SseOptions {
  /** Send a comment after this many quiet milliseconds; 0 turns heartbeats off. Default 15 000. */
  heartbeatMs?: number;
  /** A `retry:` (reconnect delay, ms) sent first. Default: none (clients use their own, ~3 s). */
  retry?: number;
}

/** Default heartbeat: below the 30–60 s idle timeouts common in proxies. */
export const DEFAULT_HEARTBEAT_MS = 15_000;

const HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "content-type": "text/event-stream; charset=utf-8",
  // Events are live: a cache must never answer with an old stream.
  "cache-control": "no-cache",
  // nginx buffers proxied responses unless told not to, which would hold events back.
  "x-accel-buffering": "no",
});
// A first comment makes the adapter send the status line and headers now, so
// the client's EventSource opens before the first real event.
const OPENING = ":ok\n\n";
const HEARTBEAT = ": ping\n\n";
const LINE_BREAK = /\r\n|\r|\n/;
const BAD_FIELD = /[\r\n\0]/;
const TIMEOUT = Symbol("timeout");

/**
 * Turns a source of events into a `text/event-stream` response.
 *
 * @param source - an async iterable (e.g. an async generator) of events or
 *   strings, or a function `({ signal, lastEventId }) => iterable`, called
 *   when streaming starts. When the client has gone (noticed at the next event
 *   or heartbeat), `signal` aborts and the iterator's `return()` runs (a
 *   generator's `finally`); a generator blocked on an `await` only reaches its
 *   `finally` once that await settles, so pass the signal to whatever it waits on.
 * @param options - heartbeat interval and an initial `retry`. With heartbeats off
 *   and a quiet source, a disconnect is noticed only at the next event.
 * @returns `[200, stream, headers]`, to return from a handler.
 * @throws {@link InvalidOptionError} for a negative or non-finite `heartbeatMs` or `retry`.
 * @example
 * ```ts
 * async clock() {
 *   return sse(async function* ({ signal, lastEventId }) {
 *     let n = Number(lastEventId ?? 0);
 *     while (!signal.aborted) {
 *       yield { id: ++n, event: "tick", data: { now: Date.now() } };
 *       await setTimeout(1000, undefined, { signal }).catch(() => {});
 *     }
 *   });
 * }
 * ```
 */
export function sse(source: SseSource, options: SseOptions = {}): ResponseTuple {
  const { heartbeatMs = DEFAULT_HEARTBEAT_MS, retry } = options;
  if (typeof heartbeatMs !== "number" || !Number.isFinite(heartbeatMs) || heartbeatMs < 0) {
    throw new InvalidOptionError(`sse heartbeatMs must be a finite number >= 0, got ${String(heartbeatMs)}`);
  }
  if (retry !== undefined && (!Number.isSafeInteger(retry) || retry < 0)) {
    throw new InvalidOptionError(`sse retry must be a whole number of ms >= 0, got ${String(retry)}`);
  }
  const opening = retry === undefined ? OPENING : formatSseEvent({ retry });
  const lastEventId = currentRequest()?.headers["last-event-id"];
  return [200, stream(source, heartbeatMs, opening, lastEventId), { ...HEADERS }];
}

/**
 * Serialises one event in the `text/event-stream` format.
 *
 * @param event - an event, or a string sent as its data.
 * @returns the event's lines, ending with the blank line that dispatches it.
 * @throws {@link InvalidArgumentError} (a `TypeError`) when `event` or `id` contains a line break or NUL (it
 *   would split into a different event), or `retry` is not a whole number >= 0.
 * @example
 * ```ts
 * formatSseEvent({ event: "chat", data: "hi\nthere" }); // "event: chat\ndata: hi\ndata: there\n\n"
 * ```
 */
export function formatSseEvent(event: SseEvent | string): string {
  if (typeof event === "string") return dataLines(event) + "\n";
  let out = "";
  if (event.comment !== undefined) {
    for (const line of String(event.comment).split(LINE_BREAK)) out += `: ${line}\n`;
  }
  if (event.event !== undefined) out += `event: ${field("event", event.event)}\n`;
  if (event.id !== undefined) out += `id: ${field("id", event.id)}\n`;
  if (event.retry !== undefined) {
    if (!Number.isSafeInteger(event.retry) || event.retry < 0) throw new InvalidArgumentError(`SSE retry must be a whole number of ms >= 0, got ${String(event.retry)}`);
    out += `retry: ${event.retry}\n`;
  }
  if (event.data !== undefined) out += dataLines(typeof event.data === "string" ? event.data : JSON.stringify(event.data));
  return out + "\n";
}

function field(name: string, value: unknown): string {
  const text = String(value);
  if (BAD_FIELD.test(text)) throw new InvalidArgumentError(`SSE ${name} must not contain CR, LF or NUL`);
  return text;
}

/** One `data:` line per line: the client joins them back with "\n" (any of CRLF, CR, LF splits). */
function dataLines(data: string): string {
  let out = "";
  for (const line of data.split(LINE_BREAK)) out += `data: ${line}\n`;
  return out;
}

async function* stream(source: SseSource, heartbeatMs: number, opening: string, lastEventId: string | undefined): AsyncGenerator<string> {
  const controller = new AbortController();
  let iterator: AsyncIterator<SseEvent | string> | undefined;
  let done = false;
  try {
    yield opening;
    const iterable = typeof source === "function" ? source({ signal: controller.signal, lastEventId }) : source;
    iterator = iterable[Symbol.asyncIterator]();
    const puller = new Puller(iterator);
    for (;;) {
      const result = await puller.next(heartbeatMs);
      if (result === TIMEOUT) {
        yield HEARTBEAT;
        continue;
      }
      if (result.done) {
        done = true;
        return;
      }
      yield formatSseEvent(result.value);
    }
  } catch (error) {
    done = true; // a source that threw is finished; the error aborts the response
    throw error;
  } finally {
    controller.abort();
    // Not awaited: a generator suspended on its own await answers return()
    // only after that await settles, and the core must not wait for it.
    if (!done) iterator?.return?.()?.then(undefined, () => {});
  }
}

/**
 * Waits for the source's next value or a heartbeat timeout, whichever comes
 * first, keeping one `next()` in flight across timeouts (racing the same
 * promise again and again would pile reactions onto it while the source is quiet).
 */
class Puller<T> {
  readonly #iterator: AsyncIterator<T>;
  #settled: { result: IteratorResult<T> } | { error: unknown } | undefined;
  #pending = false;
  #wake: (() => void) | undefined;

  constructor(iterator: AsyncIterator<T>) {
    this.#iterator = iterator;
  }

  async next(timeoutMs: number): Promise<IteratorResult<T> | typeof TIMEOUT> {
    if (!this.#pending && this.#settled === undefined) this.#pull();
    if (this.#settled === undefined) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        if (timeoutMs > 0) timer = setTimeout(resolve, timeoutMs);
      });
      clearTimeout(timer);
      this.#wake = undefined;
    }
    const settled = this.#settled;
    if (settled === undefined) return TIMEOUT;
    this.#settled = undefined;
    if ("error" in settled) throw settled.error;
    return settled.result;
  }

  #pull(): void {
    this.#pending = true;
    this.#iterator.next().then(
      (result) => this.#settle({ result }),
      (error: unknown) => this.#settle({ error }),
    );
  }

  #settle(settled: { result: IteratorResult<T> } | { error: unknown }): void {
    this.#pending = false;
    this.#settled = settled;
    this.#wake?.();
  }
}
