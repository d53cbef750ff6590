/**
 * Compresses text responses with brotli or gzip (`node:zlib`), chosen from
 * the request's `Accept-Encoding` (RFC 9110 §12.5.3). Off unless added.
 *
 * Compressed: bodies of a compressible type (text, JSON, JavaScript, XML,
 * SVG…) at least `threshold` bytes long, whole or streamed with a known
 * `content-length` (static files). Left alone: small bodies, other types,
 * `text/event-stream` (events must not wait in a compressor's buffer),
 * streams of unknown length (progressive output stays progressive), partial
 * (206) and bodiless responses, responses that already have a
 * `Content-Encoding`, and `Cache-Control: no-transform`. Every response the
 * choice depended on gets `Vary: Accept-Encoding`, so caches keep the variants apart.
 *
 * @module
 */
import { pipeline, Readable } from "node:stream";
import { promisify } from "node:util";
import * as zlib from "node:zlib";

import { InvalidOptionError } from "../protocol/errors.js";
import { HttpMiddleware } from "../core/middleware.js";
import type { Request } from "../core/request.js";
import type { ResponseInit } from "../core/response.js";
import { appendVary } from "./vary.js";

/** The encodings this middleware can produce. */
export type CompressionEncoding = "br" | "gzip";

/** Options for {@link Compression}. */
export interface CompressionOptions {
  /** Smallest body (bytes) worth compressing: below it, framing overhead eats the gain. Default 1024. */
  threshold?: number;
  /** Encodings offered, preferred first. Default `["br", "gzip"]`. */
  encodings?: readonly CompressionEncoding[];
}

// Brotli's default quality (11) is meant for build-time compression and is
// far too slow per request; 4 compresses better than gzip -6 at similar speed.
const BROTLI_QUALITY = 4;
const COMPRESSIBLE = /^(?:text\/(?!event-stream)|application\/(?:json|javascript|ecmascript|xml|xhtml\+xml|rss\+xml|atom\+xml|manifest\+json|ld\+json|wasm|x-www-form-urlencoded|graphql)|image\/svg\+xml|[a-z]+\/[^;]*\+(?:json|xml))/i;
const NO_TRANSFORM = /(?:^|,)\s*no-transform\s*(?:,|$)/i;
const ENCODINGS: ReadonlySet<string> = new Set(["br", "gzip"]);
/** Distinct Accept-Encoding values remembered; browsers send a handful. */
const MEMO_SIZE = 64;

const gzip = promisify(zlib.gzip);
const brotli = promisify(zlib.brotliCompress);

/**
 * Response compression middleware.
 *
 * @example
 * ```ts
 * app.middlewares.push(new Compression({ threshold: 1024, encodings: ["br", "gzip"] }));
 * ```
 */
export class Compression extends HttpMiddleware {
  readonly #threshold: number;
  readonly #encodings: readonly CompressionEncoding[];
  /** Accept-Encoding header → chosen encoding (or null for identity). */
  readonly #memo = new Map<string, CompressionEncoding | null>();

  /**
   * @param options - size threshold and offered encodings; see {@link CompressionOptions}.
   * @throws {@link InvalidOptionError} for a negative threshold or an unknown encoding.
   */
  constructor(options: CompressionOptions = {}) {
    super();
    const { threshold = 1024, encodings = ["br", "gzip"] } = options;
    if (!Number.isSafeInteger(threshold) || threshold < 0) throw new InvalidOptionError(`Compression threshold must be whole bytes >= 0, got ${String(threshold)}`);
    if (!Array.isArray(encodings) || encodings.length === 0 || encodings.some((e) => !ENCODINGS.has(e))) {
      throw new InvalidOptionError(`Compression encodings must be a non-empty list of "br" and "gzip"`);
    }
    this.#threshold = threshold;
    this.#encodings = [...encodings];
  }

  /** Compresses the response when it qualifies and the client accepts an offered encoding. */
  override afterRequest(request: Request, response: ResponseInit): void | Promise<void> {
    const { status, body, headers } = response;
    if (body === null || status < 200 || status === 204 || status === 206 || status === 304) return;
    const type = headers["content-type"];
    if (typeof type !== "string" || !COMPRESSIBLE.test(type)) return;
    if (headers["content-encoding"] !== undefined) return;
    const cacheControl = headers["cache-control"];
    if (cacheControl !== undefined && NO_TRANSFORM.test(String(cacheControl))) return;
    const size = typeof body === "string" ? Buffer.byteLength(body) : body instanceof Uint8Array ? body.byteLength : declaredLength(headers);
    if (size === undefined || size < this.#threshold) return;
    appendVary(headers, "Accept-Encoding");
    const encoding = this.#negotiate(request.headers["accept-encoding"]);
    if (encoding === null) return;
    headers["content-encoding"] = encoding;
    delete headers["content-length"];
    // The compressed bytes differ: a strong validator would be a lie (RFC 9110 §8.8.1).
    const etag = headers.etag;
    if (typeof etag === "string" && etag.startsWith('"')) headers.etag = `W/${etag}`;
    if (typeof body === "string" || body instanceof Uint8Array) {
      return compressWhole(body, encoding, size).then((compressed) => {
        response.body = compressed;
      });
    }
    response.body = compressStream(body, encoding, size);
  }

  /** The preferred offered encoding the client accepts, or null (identity). */
  #negotiate(header: string | undefined): CompressionEncoding | null {
    if (header === undefined || header === "") return null;
    const memo = this.#memo;
    const known = memo.get(header);
    if (known !== undefined) return known;
    const chosen = pickEncoding(header, this.#encodings);
    if (memo.size >= MEMO_SIZE) memo.delete(memo.keys().next().value!);
    memo.set(header, chosen);
    return chosen;
  }
}

/**
 * Picks the encoding with the highest q-value among `offered`, preferring
 * the earlier one on a tie; `*` stands for any encoding not listed; `q=0`
 * refuses.
 *
 * @param header - the request's `Accept-Encoding` value (untrusted).
 * @param offered - encodings the server can produce, preferred first.
 * @returns the chosen encoding, or null when none is acceptable.
 * @example
 * ```ts
 * pickEncoding("gzip, br;q=0.5", ["br", "gzip"]); // "gzip"
 * ```
 */
export function pickEncoding(header: string, offered: readonly CompressionEncoding[]): CompressionEncoding | null {
  const weights = new Map<string, number>();
  for (const part of header.split(",")) {
    const [name = "", ...params] = part.split(";");
    const coding = name.trim().toLowerCase();
    if (coding === "") continue;
    let q = 1;
    for (const param of params) {
      const [key = "", value = ""] = param.split("=");
      if (key.trim().toLowerCase() === "q") q = Number(value.trim());
    }
    if (!Number.isFinite(q) || q < 0 || q > 1) q = 0; // a malformed weight accepts nothing
    if (!weights.has(coding)) weights.set(coding, q);
  }
  const wildcard = weights.get("*") ?? 0;
  let best: CompressionEncoding | null = null;
  let bestQ = 0;
  for (const encoding of offered) {
    const q = weights.get(encoding) ?? wildcard;
    if (q > bestQ) {
      best = encoding;
      bestQ = q;
    }
  }
  return best;
}

function declaredLength(headers: ResponseInit["headers"]): number | undefined {
  const value = headers["content-length"];
  if (typeof value !== "string" || !/^\d{1,15}$/.test(value)) return undefined;
  return Number(value);
}

function compressWhole(body: string | Uint8Array, encoding: CompressionEncoding, size: number): Promise<Buffer> {
  // The async zlib functions run on the thread pool: a large body never blocks the event loop.
  return encoding === "br"
    ? brotli(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: size } })
    : gzip(body);
}

/**
 * Compresses a streamed body. The compressor pulls from the source only as
 * fast as the core pulls from it (stream backpressure end to end); when the
 * core stops early (client gone), the `finally` destroys the pipeline, which
 * ends the source's iteration too (its `return()`: a file is closed).
 */
async function* compressStream(source: AsyncIterable<unknown>, encoding: CompressionEncoding, size: number): AsyncGenerator<Buffer> {
  const compressor = encoding === "br"
    ? zlib.createBrotliCompress({ params: { [zlib.constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: size } })
    : zlib.createGzip();
  const input = Readable.from(asBytes(source), { objectMode: false });
  // pipeline destroys every stream when one fails or is destroyed; its callback reports what iteration already throws.
  pipeline(input, compressor, () => {});
  try {
    for await (const chunk of compressor) yield chunk as Buffer;
  } finally {
    compressor.destroy();
    input.destroy();
  }
}

/** The chunks a zlib stream accepts: text and bytes as they are, anything else as its text (as the core writes it). */
async function* asBytes(source: AsyncIterable<unknown>): AsyncGenerator<string | Uint8Array> {
  for await (const value of source) {
    if (typeof value === "string" || value instanceof Uint8Array) yield value;
    else if (value instanceof ArrayBuffer) yield new Uint8Array(value);
    else if (value !== undefined && value !== null) yield String(value);
  }
}
