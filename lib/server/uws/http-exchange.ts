/**
 * One HTTP request/response on uWS, spoken as the protocol's receive/send.
 *
 * uWS lifetime rules encoded here:
 * - `onAborted` is registered before anything is awaited, and after it fires
 *   `res` is never touched again (it is freed).
 * - every write made after an `await` is wrapped in `res.cork()`.
 * - each `onData` chunk is copied before returning: uWS neuters the buffer.
 * - `write()` returning false means backpressure: wait for `onWritable`.
 *
 * @module
 */
import { InvalidStateError, ProtocolViolationError } from "../../protocol/errors.js";
import type { HttpResponse } from "uWebSockets.js";
import { ClientGoneError } from "../../body/client-gone-error.js";
import type { Channel, HttpRequestEvent, ReceiveEvent, ResponseHeaders, SendEvent } from "../../protocol/protocol.js";
import { readRemoteAddress } from "./read-request.js";
import { statusLine } from "./status-line.js";

const EMPTY = new Uint8Array(0);
const LAST_EMPTY_CHUNK = Object.freeze({ type: "http.request", body: EMPTY, more: false }) as HttpRequestEvent;
const DISCONNECT = Object.freeze({ type: "http.disconnect" }) as ReceiveEvent;
/**
 * Unread request bytes buffered before the socket is paused (upload backpressure).
 * Small on purpose: past it the body waits in the kernel's socket buffer, which
 * costs the process nothing, instead of here. Eight held-back uploads kept
 * 9.7 MiB here with a 1 MiB window, 1.0 MiB with this one, and upload
 * throughput did not move (bench/history/2026-12-06.md).
 */
const PAUSE_ABOVE = 64 * 1024;

/** What every exchange of one server shares: in-flight count and the closing flag. */
export class ServerState {
  inFlight = 0;
  /** Set by `close()`: responses ask clients to close their connections. */
  closing = false;
  #whenIdle: (() => void) | undefined;

  done(): void {
    this.inFlight--;
    if (this.closing && this.inFlight === 0) this.#whenIdle?.();
  }

  /** Resolves once no request is in flight (checked as requests finish while `closing`). */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => (this.#whenIdle = resolve));
  }
}

export class HttpExchange implements Channel {
  readonly #res: HttpResponse;
  readonly #head: boolean;
  readonly #server: ServerState;
  #aborted = false;
  #finished = false;
  #started = false;
  #status = 200;
  #headers: ResponseHeaders | undefined;
  /** Request body chunks not yet received (allocated when the first one arrives unread). */
  #chunks: Uint8Array[] | undefined;
  #buffered = 0;
  #paused = false;
  #bodyDone: boolean;
  #waitingReader: ((event: ReceiveEvent) => void) | undefined;
  #waitingWritable: (() => void) | undefined;
  #remoteAddress: string | undefined;
  /** The body's length as the core decided it (`http.response.start`), or -1 when unknown: HEAD reports it, streams are sent with it (not chunked). */
  #declaredLength = -1;
  /** True once `receive()` has handed out the last body chunk: later calls wait for a disconnect. */
  #bodyDelivered = false;
  /** Still inside uWS's route callback, which uWS corks itself (see {@link HttpExchange.callbackReturned}). */
  #inCallback = true;
  /** The response is complete (or cut) and uWS has released `res`. */
  #released = false;
  #watchingAbort = false;

  constructor(res: HttpResponse, head: boolean, expectBody: boolean, server: ServerState) {
    this.#res = res;
    this.#head = head;
    this.#bodyDone = !expectBody;
    this.#server = server;
    server.inFlight++;
    if (expectBody) {
      this.#watchAbort();
      res.onData((chunk, isLast) => this.#data(chunk, isLast));
    }
  }

  /**
   * uWS's route callback returned. A response still pending must have told
   * uWS it is in use (uWS frees `res` on abort, and terminates the process if
   * a callback returns with neither). One answered inside the callback, the
   * common case of a plain method, needs nothing: no closure, no native call.
   */
  callbackReturned(): void {
    this.#inCallback = false;
    if (!this.#released) this.#watchAbort();
  }

  #watchAbort(): void {
    if (this.#watchingAbort) return;
    this.#watchingAbort = true;
    this.#res.onAborted(() => this.#abort());
  }

  get finished(): boolean {
    return this.#finished || this.#aborted;
  }

  /** The peer's address, read from uWS on first use (decoding it costs more than most requests need). */
  get remoteAddress(): string {
    if (this.#remoteAddress === undefined) {
      // `res` is freed once the response ends or aborts (or a sized stream sent its last byte):
      // after that, the address is unknown.
      const released = this.finished || (this.#sentViaTryEnd && this.#sentLength === this.#declaredLength);
      this.#remoteAddress = released ? "" : readRemoteAddress(this.#res);
    }
    return this.#remoteAddress;
  }

  #abort(): void {
    if (this.#aborted) return;
    const wasFinished = this.#finished;
    this.#aborted = true;
    this.#waitingReader?.(DISCONNECT);
    this.#waitingReader = undefined;
    this.#waitingWritable?.();
    this.#waitingWritable = undefined;
    if (!wasFinished) this.#server.done();
  }

  #data(chunk: ArrayBuffer, isLast: boolean): void {
    if (isLast) this.#bodyDone = true;
    // uWS keeps delivering a body the response was sent without reading (a 413, a 404):
    // drop it unread, and leave `res` alone, it may already be freed.
    if (this.#finished) return;
    // uWS neuters `chunk` when this callback returns: copy it now.
    const copy = new Uint8Array(chunk).slice(); // (ArrayBuffer#slice is ~8x slower here)
    const reader = this.#waitingReader;
    if (reader !== undefined) {
      this.#waitingReader = undefined;
      reader({ type: "http.request", body: copy, more: !isLast });
      return;
    }
    (this.#chunks ??= []).push(copy);
    this.#buffered += copy.byteLength;
    if (this.#buffered > PAUSE_ABOVE && !isLast && !this.#paused) {
      this.#paused = true;
      this.#res.pause();
    }
  }

  /** The protocol's `receive`: request body chunks, then `http.disconnect` if the client leaves. */
  receive(): Promise<ReceiveEvent> {
    if (this.#aborted) return Promise.resolve(DISCONNECT);
    const chunk = this.#chunks?.shift();
    if (chunk !== undefined) {
      this.#buffered -= chunk.byteLength;
      if (this.#paused && this.#buffered <= PAUSE_ABOVE / 2) {
        this.#paused = false;
        this.#res.resume();
      }
      const more = this.#chunks!.length > 0 || !this.#bodyDone;
      if (!more) this.#bodyDelivered = true;
      return Promise.resolve({ type: "http.request", body: chunk, more });
    }
    if (this.#bodyDone && !this.#bodyDelivered) {
      this.#bodyDelivered = true;
      return Promise.resolve(LAST_EMPTY_CHUNK);
    }
    // As in ASGI: once the body is read, the next receive resolves only when the client leaves.
    return new Promise((resolve) => (this.#waitingReader = resolve));
  }

  /**
   * The protocol's `send`. Synchronous (no promise) except for a streamed
   * chunk under backpressure, which resolves after drain; after an abort a
   * streamed chunk rejects with ClientGoneError.
   */
  send(event: SendEvent): Promise<void> | undefined {
    if (event.type === "http.response.start") {
      this.#status = event.status;
      this.#headers = event.headers;
      this.#declaredLength = event.length ?? -1;
      return undefined;
    }
    if (event.type !== "http.response.body") return Promise.reject(new ProtocolViolationError(`unexpected event ${event.type}`));
    if (this.#aborted) return event.more ? Promise.reject(new ClientGoneError()) : undefined;
    if (this.#finished) return Promise.reject(new InvalidStateError("response already finished"));
    if (!event.more) {
      this.#end(event.body);
      return undefined;
    }
    return this.#write(event.body);
  }

  #writeHead(): void {
    const res = this.#res;
    // uWS writes "200 OK" itself when no status was written.
    if (this.#status !== 200) res.writeStatus(statusLine(this.#status));
    const headers = this.#headers;
    if (headers !== undefined) {
      // Framing headers are not among them (the core keeps them out): uWS writes its own.
      for (const name in headers) {
        const value = headers[name]!;
        if (typeof value === "string") res.writeHeader(name, value);
        else for (const v of value) res.writeHeader(name, v);
      }
    }
    this.#started = true;
  }

  #end(body: Uint8Array | string): void {
    this.#finished = true;
    const res = this.#res;
    // An unread request body would be the next request's bytes: close the connection instead.
    const close = this.#server.closing || !this.#bodyDone;
    this.#chunks = undefined;
    this.#server.done();
    if (this.#sentViaTryEnd) {
      // The last tryEnd() completed the response and uWS released `res`: touch it only if it fell short,
      // to cut the connection, so the client cannot take a short body as whole.
      if (this.#sentLength !== this.#declaredLength) res.close();
      this.#released = true;
      return;
    }
    if (!this.#head && this.#declaredLength > 0 && (typeof body === "string" ? body.length === 0 : body.byteLength === 0)) {
      // A stream with a Content-Length that ended before its first byte: nothing went out yet, and a
      // complete-looking empty response would be a lie. Cut the connection (onAborted sees it finished).
      res.close();
      this.#released = true;
      return;
    }
    if (this.#head || close) {
      // Corked: after an await we are outside uWS's own corked callback.
      res.cork(() => {
        if (!this.#started) this.#writeHead();
        if (this.#head) this.#endHead(close);
        else res.end(body, close);
      });
      this.#released = true;
      return;
    }
    // The core measured a whole body already (a stream's empty end has no length: measure that).
    const total = this.#declaredLength >= 0 ? this.#declaredLength : typeof body === "string" ? Buffer.byteLength(body) : body.byteLength;
    // Inside uWS's callback the socket is corked already: no cork, and no closure for it.
    if (this.#inCallback) this.#endBounded(body, total);
    else res.cork(() => this.#endBounded(body, total));
  }

  /**
   * Sends a whole body with `tryEnd()`, not `end()`: `end()` buffers whatever
   * the socket cannot take, and uWS then parses the connection's next pipelined
   * request, so a client that pipelines and never reads grew memory response
   * after response (5000 × 64 KiB → +320 MiB). With `tryEnd()` the unsent rest
   * stays here and the response stays pending until `onWritable`; uWS reads no
   * further request meanwhile, so a connection holds at most one response.
   */
  #endBounded(body: Uint8Array | string, total: number): void {
    const res = this.#res;
    let startOffset = 0;
    // Nothing written yet (the common case): the body starts at offset 0, no need to ask uWS.
    if (!this.#started) this.#writeHead();
    else startOffset = res.getWriteOffset();
    // Indexed, not destructured: destructuring walks the array's iterator.
    const result = res.tryEnd(body, total);
    if (result[0] || result[1]) {
      this.#released = true;
      return;
    }
    this.#sentViaTryEnd = true;
    this.#declaredLength = total;
    this.#sentLength = total;
    this.#unsent = typeof body === "string" ? Buffer.from(body) : body;
    this.#unsentStart = startOffset;
    res.onWritable((offset) => this.#retryTryEnd(offset));
  }

  /** Bytes sent with tryEnd() for a declared-length stream. */
  #sentLength = 0;
  #sentViaTryEnd = false;
  /** The chunk tryEnd() could not take whole, and the write offset it started at. */
  #unsent: Uint8Array | undefined;
  #unsentStart = 0;

  /**
   * Writes a chunk of a stream whose length the app declared: uWS writes the
   * Content-Length itself from `total` (a second, app-written copy would clash
   * with chunked encoding). Under backpressure, uWS takes part of the chunk;
   * the rest is retried from `onWritable`, at the offset uWS reports.
   */
  #tryEnd(chunk: Uint8Array): Promise<void> | undefined {
    const res = this.#res;
    const total = this.#declaredLength;
    if (this.#sentLength + chunk.byteLength > total) return Promise.reject(new ProtocolViolationError("stream is longer than its content-length"));
    if (chunk.byteLength === 0) return undefined; // nothing to send, and `res` is gone once the last byte went out
    this.#sentViaTryEnd = true;
    let ok = false;
    let startOffset = 0;
    res.cork(() => {
      if (!this.#started) this.#writeHead();
      startOffset = res.getWriteOffset();
      [ok] = res.tryEnd(chunk, total);
    });
    this.#sentLength += chunk.byteLength;
    if (ok && this.#sentLength === total) this.#released = true; // the last byte went out: uWS released `res`
    if (ok) return undefined;
    this.#unsent = chunk;
    this.#unsentStart = startOffset;
    return new Promise((resolve, reject) => {
      this.#waitingWritable = () => (this.#aborted ? reject(new ClientGoneError()) : resolve());
      // The handler reads the pending chunk from `this`, not from a closure: a handler registered
      // while uWS runs the previous one (the next chunk's write happens in its microtasks) is
      // replaced by that previous one when it returns, so whichever runs must see the current chunk.
      res.onWritable((offset) => this.#retryTryEnd(offset));
    });
  }

  /** onWritable for a declared-length stream: sends the rest of the pending chunk. */
  #retryTryEnd(offset: number): boolean {
    const chunk = this.#unsent;
    if (chunk === undefined) return true;
    const [written, done] = this.#res.tryEnd(chunk.subarray(offset - this.#unsentStart), this.#declaredLength);
    if (done) this.#released = true;
    if (written || done) {
      this.#unsent = undefined;
      const waiting = this.#waitingWritable;
      this.#waitingWritable = undefined;
      waiting?.();
    }
    return written;
  }

  /**
   * Ends a HEAD response with the Content-Length a GET would have. Not with
   * `endWithoutBody(length)`: uWS then waits for `length` body bytes that never
   * come, so the response never completes and the connection's next request is
   * dropped. Only the no-argument form completes it (any argument, even
   * `undefined`, is taken as a length), so `close` travels as a header.
   */
  #endHead(close: boolean): void {
    const res = this.#res;
    // A GET would stream a body of unknown length chunked: say so, rather than let the empty HEAD body pass for a length of 0.
    if (this.#declaredLength < 0) res.writeHeader("transfer-encoding", "chunked");
    else res.writeHeader("content-length", String(this.#declaredLength));
    if (close) res.writeHeader("connection", "close");
    res.endWithoutBody();
  }

  #write(chunk: Uint8Array | string): Promise<void> | undefined {
    if (this.#declaredLength >= 0 && !this.#head) return this.#tryEnd(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
    const res = this.#res;
    let ok = true;
    res.cork(() => {
      if (!this.#started) this.#writeHead();
      if (!this.#head && (typeof chunk === "string" ? chunk.length > 0 : chunk.byteLength > 0)) ok = res.write(chunk);
    });
    if (ok) return undefined;
    // write() buffered the chunk but the socket is full: wait until it drains.
    return new Promise((resolve, reject) => {
      this.#waitingWritable = () => (this.#aborted ? reject(new ClientGoneError()) : resolve());
      res.onWritable(() => {
        const waiting = this.#waitingWritable;
        this.#waitingWritable = undefined;
        waiting?.();
        return true;
      });
    });
  }

  /** Ends the response abruptly (an error after the status line was sent, or a handler that never answered). */
  abort(): void {
    if (this.#aborted || this.#finished) return;
    this.#finished = true;
    this.#server.done();
    // A sized stream whose last byte went out is complete, and uWS has released `res`.
    if (this.#sentViaTryEnd && this.#sentLength === this.#declaredLength) return;
    this.#res.close(); // runs onAborted, which leaves `res` alone from now on
    this.#released = true;
  }
}
