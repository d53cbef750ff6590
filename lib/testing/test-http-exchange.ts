/**
 * One in-process HTTP request/response, spoken as the protocol's
 * receive/send: the TestClient's counterpart of the uWS adapter's
 * `HttpExchange`, with the same framing on the way out.
 *
 * @module
 */
import { ClientGoneError } from "../body/client-gone-error.js";
import type { Channel, HttpResponseStartEvent, ReceiveEvent, SendEvent } from "../protocol/protocol.js";

const EMPTY = new Uint8Array(0);
const DISCONNECT: ReceiveEvent = Object.freeze({ type: "http.disconnect" });
const encoder = new TextEncoder();

/** A request body: whole (delivered in pieces of `chunkSize`), or streamed as an iterable yields it. */
export type TestRequestBody = Uint8Array | AsyncIterable<string | Uint8Array>;

/** The response as a client sees it on the wire. */
export interface CollectedResponse {
  status: number;
  /** The app's headers plus the framing headers uWS would write (`content-length` or `transfer-encoding`). */
  headers: Record<string, string | string[]>;
  body: Uint8Array;
}

export class TestHttpExchange implements Channel {
  readonly #head: boolean;
  readonly #chunkSize: number;
  #whole: Uint8Array | undefined;
  #pieces: AsyncIterator<string | Uint8Array> | undefined;
  #offset = 0;
  #delivered = false;
  #gone = false;
  /** Resolves with a disconnect once the client leaves (never, without a signal). */
  readonly #left: Promise<ReceiveEvent>;
  #start: HttpResponseStartEvent | undefined;
  readonly #chunks: Uint8Array[] = [];
  /** A non-empty piece went out before the end: uWS then frames the body chunked. */
  #streamed = false;

  /**
   * @param head - a HEAD request: the body is framed but not kept.
   * @param body - what the client sends.
   * @param chunkSize - the pieces a whole body is delivered in.
   * @param signal - the client leaves when it aborts.
   */
  constructor(head: boolean, body: TestRequestBody, chunkSize: number, signal: AbortSignal | undefined) {
    this.#head = head;
    this.#chunkSize = chunkSize;
    if (body instanceof Uint8Array) this.#whole = body;
    else this.#pieces = body[Symbol.asyncIterator]();
    this.#left = new Promise((resolve) => signal?.addEventListener("abort", () => {
      this.#gone = true;
      resolve(DISCONNECT);
    }, { once: true }));
  }

  /** A promise that resolves once the client leaves. */
  get left(): Promise<ReceiveEvent> {
    return this.#left;
  }

  /** The protocol's `receive`: the body's pieces, then (like a real client) nothing until the client leaves. */
  async receive(): Promise<ReceiveEvent> {
    if (this.#gone) return DISCONNECT;
    if (this.#delivered) return this.#left;
    if (this.#whole !== undefined) {
      const piece = this.#whole.subarray(this.#offset, this.#offset + this.#chunkSize);
      this.#offset += piece.byteLength;
      this.#delivered = this.#offset >= this.#whole.byteLength;
      return { type: "http.request", body: piece, more: !this.#delivered };
    }
    const step = await Promise.race([this.#pieces!.next(), this.#left]);
    if ("type" in step) return step; // the client left while the next piece was on its way
    if (step.done === true) {
      this.#delivered = true;
      return { type: "http.request", body: EMPTY, more: false };
    }
    return { type: "http.request", body: typeof step.value === "string" ? encoder.encode(step.value) : step.value, more: true };
  }

  /** The protocol's `send`: collects the response as a client would read it. */
  async send(event: SendEvent): Promise<void> {
    if (this.#gone) {
      // As on uWS: a streamed chunk learns the client is gone; the last one is dropped.
      if (event.type === "http.response.body" && event.more) throw new ClientGoneError();
      return;
    }
    if (event.type === "http.response.start") {
      this.#start = event;
    } else if (event.type === "http.response.body") {
      const body = typeof event.body === "string" ? encoder.encode(event.body) : event.body;
      if (event.more && body.byteLength > 0) this.#streamed = true;
      if (!this.#head) this.#chunks.push(body);
    }
  }

  /**
   * The response, framed as uWS frames it: a known length is sent as
   * `content-length` (for HEAD too: what a GET would send); a stream of
   * unknown length is chunked, unless it ended before its first non-empty
   * piece (uWS then sends `content-length: 0`); HEAD of one says chunked.
   */
  response(): CollectedResponse {
    const start = this.#start;
    const headers: Record<string, string | string[]> = { ...start?.headers };
    const body = Buffer.concat(this.#chunks);
    const length = start?.length ?? null;
    if (length !== null) headers["content-length"] = String(length);
    else if (this.#head || this.#streamed) headers["transfer-encoding"] = "chunked";
    else headers["content-length"] = String(body.byteLength);
    return { status: start?.status ?? 0, headers, body };
  }
}
