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
import type { HttpResponse } from "uWebSockets.js";
import { ClientGoneError } from "../../body/client-gone-error.js";
import type { HttpRequestEvent, ReceiveEvent, ResponseHeaders, SendEvent } from "../../core/protocol.js";
import { statusLine } from "./status-line.js";

const EMPTY = new Uint8Array(0);
const LAST_EMPTY_CHUNK: HttpRequestEvent = Object.freeze({ type: "http.request", body: EMPTY, more: false }) as HttpRequestEvent;
const DISCONNECT = Object.freeze({ type: "http.disconnect" }) as ReceiveEvent;
const DONE = Promise.resolve();
/** Unread request bytes buffered before the socket is paused (upload backpressure). */
const PAUSE_ABOVE = 1024 * 1024;

/** Headers uWS writes itself; a second copy from the app would corrupt framing. */
const FRAMING_HEADERS = new Set(["content-length", "transfer-encoding"]);

export class HttpExchange {
  readonly #res: HttpResponse;
  readonly #head: boolean;
  #aborted = false;
  #finished = false;
  #started = false;
  #status = 200;
  #headers: ResponseHeaders | undefined;
  /** Request body: chunks not yet received, whether the last one arrived. */
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #paused = false;
  #bodyDone: boolean;
  #waitingReader: ((event: ReceiveEvent) => void) | undefined;
  #waitingWritable: (() => void) | undefined;
  /** Set when the server is closing: responses ask the client to close the connection. */
  closeConnection = false;
  /** Called once when the response is finished or aborted. */
  onDone: (() => void) | undefined;

  constructor(res: HttpResponse, head: boolean, expectBody: boolean) {
    this.#res = res;
    this.#head = head;
    this.#bodyDone = !expectBody;
    res.onAborted(() => this.#abort());
    if (expectBody) res.onData((chunk, isLast) => this.#data(chunk, isLast));
  }

  get finished(): boolean {
    return this.#finished || this.#aborted;
  }

  #abort(): void {
    this.#aborted = true;
    this.#waitingReader?.(DISCONNECT);
    this.#waitingReader = undefined;
    this.#waitingWritable?.();
    this.#waitingWritable = undefined;
    this.#done();
  }

  #done(): void {
    const onDone = this.onDone;
    this.onDone = undefined;
    onDone?.();
  }

  #data(chunk: ArrayBuffer, isLast: boolean): void {
    // uWS neuters `chunk` when this callback returns: copy it now.
    const copy = new Uint8Array(chunk.slice(0));
    if (isLast) this.#bodyDone = true;
    const reader = this.#waitingReader;
    if (reader !== undefined) {
      this.#waitingReader = undefined;
      reader({ type: "http.request", body: copy, more: !isLast });
      return;
    }
    this.#chunks.push(copy);
    this.#buffered += copy.byteLength;
    if (this.#buffered > PAUSE_ABOVE && !isLast && !this.#paused) {
      this.#paused = true;
      this.#res.pause();
    }
  }

  /** The protocol's `receive`: request body chunks, then `http.disconnect` if the client leaves. */
  readonly receive = (): Promise<ReceiveEvent> => {
    if (this.#aborted) return Promise.resolve(DISCONNECT);
    const chunk = this.#chunks.shift();
    if (chunk !== undefined) {
      this.#buffered -= chunk.byteLength;
      if (this.#paused && this.#buffered <= PAUSE_ABOVE / 2) {
        this.#paused = false;
        this.#res.resume();
      }
      return Promise.resolve({ type: "http.request", body: chunk, more: this.#chunks.length > 0 || !this.#bodyDone });
    }
    if (this.#bodyDone) return Promise.resolve(LAST_EMPTY_CHUNK);
    return new Promise((resolve) => (this.#waitingReader = resolve));
  };

  /** The protocol's `send`. Body chunks resolve after drain; after an abort they reject with ClientGoneError. */
  readonly send = (event: SendEvent): Promise<void> => {
    if (event.type === "http.response.start") {
      this.#status = event.status;
      this.#headers = event.headers;
      return DONE;
    }
    if (event.type !== "http.response.body") return Promise.reject(new TypeError(`unexpected event ${event.type}`));
    if (this.#aborted) return event.more ? Promise.reject(new ClientGoneError()) : DONE;
    if (this.#finished) return Promise.reject(new TypeError("response already finished"));
    if (!event.more) {
      this.#end(event.body);
      return DONE;
    }
    return this.#write(event.body);
  };

  #writeHead(): void {
    const res = this.#res;
    res.writeStatus(statusLine(this.#status));
    const headers = this.#headers;
    if (headers !== undefined) {
      for (const name in headers) {
        if (FRAMING_HEADERS.has(name)) continue;
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
    res.cork(() => {
      if (!this.#started) this.#writeHead();
      if (this.#head) res.endWithoutBody(typeof body === "string" ? Buffer.byteLength(body) : body.byteLength, this.closeConnection);
      else res.end(body, this.closeConnection);
    });
    this.#done();
  }

  #write(chunk: Uint8Array | string): Promise<void> {
    const res = this.#res;
    let ok = true;
    res.cork(() => {
      if (!this.#started) this.#writeHead();
      if (!this.#head && (typeof chunk === "string" ? chunk.length > 0 : chunk.byteLength > 0)) ok = res.write(chunk);
    });
    if (ok) return DONE;
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

  /** Ends the response abruptly (an error after the status line was sent). */
  abort(): void {
    if (this.#aborted || this.#finished) return;
    this.#finished = true;
    this.#res.close();
    this.#done();
  }
}
