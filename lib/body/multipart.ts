/**
 * Streaming `multipart/form-data` parsing with busboy: fields in memory,
 * files spooled to private temp files, every limit enforced while the bytes
 * arrive, and no temp file left behind when anything goes wrong.
 *
 * @module
 */

import { once } from "node:events";
import type { Readable } from "node:stream";
import busboy from "busboy";
import { ERRORS, HttpError } from "../protocol/errors.js";
import type { Limits } from "./limits.js";
import { mediaType } from "./media-type.js";
import { emptyParams, FORBIDDEN_KEYS, type Params } from "./params.js";
import { Spool } from "./spool.js";
import { UploadedFile } from "./uploaded-file.js";
import type { UploadLease } from "./upload-budget.js";

/** What a multipart body holds: text fields, and files by field name. */
export interface MultipartResult {
  fields: Params;
  /** Null-prototype; each field name maps to its files in arrival order. */
  files: Record<string, UploadedFile[]>;
}

/** Room per part for its headers (busboy caps them at 16 KiB) and boundary line. */
const PART_OVERHEAD = 17 * 1024;

/**
 * The most bytes a multipart body may have in total under `limits`.
 *
 * busboy discards what it does not keep (an oversized field's tail, the
 * preamble, parts past a limit) without counting it, so without this cap a
 * client could keep one request busy forever with bytes that are read and
 * dropped.
 */
export function maxMultipartBytes(limits: Limits): number {
  return (
    limits.bodySize + limits.files * limits.fileSize + limits.fields * limits.fieldSize + limits.parts * PART_OVERHEAD
  );
}

/**
 * Parses a `multipart/form-data` body as it streams in.
 *
 * Chunks are written into busboy honouring its backpressure, and each file
 * is written to its spool one chunk at a time, so a slow disk slows the
 * reading of the body rather than filling memory.
 *
 * On any failure (a limit, a malformed body, an error from `chunks` such as
 * `ClientGoneError`), reading stops at once, every temp file created so
 * far is deleted, and only then does the promise reject.
 *
 * Field and file names `__proto__`, `constructor` and `prototype` are dropped
 * (they still count towards the limits).
 *
 * @param headers - request headers, lower-case names; `content-type` carries the boundary.
 * @param chunks - the body, e.g. `bodyChunks(receive)`.
 * @param limits - `fileSize`, `files`, `fields`, `parts`, `fieldSize` (and a total from {@link maxMultipartBytes}).
 * @param lease - counts file bytes against the app's `limits.spoolBytes` as they are kept.
 * @returns the fields and files; the caller must eventually `disposeFiles(result.files)`.
 * @throws {HttpError} 413 `UPIE_ERR_MULTIPART_LIMIT` for any limit; 400 `UPIE_ERR_MALFORMED_MULTIPART`
 *   for a missing boundary, a body that is not multipart, a malformed or truncated body.
 *
 * @example
 * ```ts
 * const { fields, files } = await parseMultipart(scope.headers, bodyChunks(receive), limits);
 * ```
 */
export async function parseMultipart(
  headers: Readonly<Record<string, string>>,
  chunks: AsyncIterable<Uint8Array>,
  limits: Limits,
  lease?: UploadLease,
): Promise<MultipartResult> {
  const contentType = headers["content-type"];
  if (mediaType(contentType) !== "multipart/form-data") {
    throw HttpError.of(ERRORS.MALFORMED_MULTIPART, "Expected a multipart/form-data body");
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { "content-type": contentType },
      // Browsers send raw UTF-8 in `filename="…"`; busboy's latin1 default would garble it.
      defParamCharset: "utf8",
      limits: {
        // busboy reports a file or field as truncated when it *reaches* its
        // limit, so one of exactly `fileSize` bytes would be refused: give it
        // one byte more and only a larger one trips it.
        fileSize: limits.fileSize + 1,
        fieldSize: limits.fieldSize + 1,
        files: limits.files,
        fields: limits.fields,
        // Likewise busboy signals `parts` after the last allowed part even if
        // nothing follows. Parts are counted exactly below; this is the
        // backstop for parts busboy skips without an event.
        parts: limits.parts + 1,
      },
    });
  } catch {
    // busboy throws synchronously only for a content type it cannot use,
    // which for multipart/form-data means the boundary is missing or unparsable.
    throw HttpError.of(ERRORS.MALFORMED_MULTIPART, "Missing or invalid multipart boundary");
  }
  return new MultipartParse(parser, limits, lease).run(chunks);
}

/** One parse: the state shared by busboy's event handlers and the feeding loop. */
class MultipartParse {
  readonly #parser: busboy.Busboy;
  readonly #limits: Limits;
  readonly #fields = emptyParams();
  /** One slot per kept file, in arrival order; filled when its spool finishes. */
  readonly #fileSlots: Array<{ name: string; file?: UploadedFile }> = [];
  readonly #spools: Spool[] = [];
  readonly #tasks: Promise<void>[] = [];
  readonly #activeStreams = new Set<Readable>();
  readonly #closed: Promise<void>;
  #parts = 0;
  #failed = false;
  #failure: unknown;
  /**
   * Rejects the one wait in progress (input, drain, close) on the first
   * failure. Not a long-lived "failed" promise raced once per chunk: every
   * `Promise.race` adds a reaction to the never-settling signal that keeps
   * its result, the chunk, reachable until the request ends (issue 10: a
   * 64 MiB upload held 32 MiB half way).
   */
  #abortWait: ((error: unknown) => void) | undefined;

  readonly #lease: UploadLease | undefined;

  constructor(parser: busboy.Busboy, limits: Limits, lease: UploadLease | undefined) {
    this.#parser = parser;
    this.#limits = limits;
    this.#lease = lease;
    this.#closed = new Promise((resolve) => parser.once("close", () => resolve()));
    parser.on("field", (name, value, info) => this.#onField(name, value, info));
    parser.on("file", (name, stream, info) => this.#onFile(name, stream, info));
    parser.on("fieldsLimit", () => this.#fail(tooMuch(`Too many fields (limit ${limits.fields})`)));
    parser.on("filesLimit", () => this.#fail(tooMuch(`Too many files (limit ${limits.files})`)));
    parser.on("partsLimit", () => this.#fail(tooMuch(`Too many parts (limit ${limits.parts})`)));
    parser.on("error", (error) => this.#fail(malformed(error)));
  }

  async run(chunks: AsyncIterable<Uint8Array>): Promise<MultipartResult> {
    try {
      await this.#feed(chunks);
      if (!this.#failed) {
        // end() makes busboy check the closing boundary; 'close' follows
        // 'finish' (all good) or 'error' (truncated body).
        this.#parser.end();
        await this.#untilFailure(this.#closed);
      }
    } catch (error) {
      this.#fail(error);
    }
    // Tasks never reject (they report through #fail). Waiting for them
    // before cleaning up means no spool can create a file after cleanup.
    await Promise.all(this.#tasks);
    if (this.#failed) {
      await Promise.all(this.#spools.map((spool) => spool.discard()));
      throw this.#failure;
    }
    return { fields: this.#fields, files: this.#collectFiles() };
  }

  /** Writes the input into busboy until it ends or something fails. */
  async #feed(chunks: AsyncIterable<Uint8Array>): Promise<void> {
    const iterator = chunks[Symbol.asyncIterator]();
    const maxBytes = maxMultipartBytes(this.#limits);
    let received = 0;
    let exhausted = false;
    try {
      while (!this.#failed) {
        const next = iterator.next();
        // A limit hit while we wait for the client's next chunk must not
        // wait for that chunk.
        const step = await this.#untilFailure(next);
        if (step.done) {
          exhausted = true;
          return;
        }
        const chunk = step.value;
        received += chunk.byteLength;
        if (received > maxBytes) throw tooMuch(`Multipart body larger than ${maxBytes} bytes`);
        if (!this.#parser.write(chunk)) {
          await this.#untilFailure(once(this.#parser, "drain"));
        }
      }
    } finally {
      // Stop pulling input. Not awaited: a generator parked in receive()
      // only returns once its pending receive settles.
      if (!exhausted) iterator.return?.().catch(() => {});
    }
  }

  /**
   * Settles like `promise`, or rejects with the failure as soon as one
   * happens. Holds nothing once settled: the only reaction is on `promise`.
   */
  #untilFailure<T>(promise: Promise<T>): Promise<T> {
    if (this.#failed) {
      promise.catch(() => {}); // e.g. once(parser, "drain") rejecting as the parser is torn down
      return Promise.reject(this.#failure);
    }
    return new Promise<T>((resolve, reject) => {
      this.#abortWait = reject;
      promise.then(
        (value) => {
          this.#abortWait = undefined;
          resolve(value);
        },
        (error: unknown) => {
          this.#abortWait = undefined;
          reject(error);
        },
      );
    });
  }

  #onField(name: string | undefined, value: string, info: busboy.FieldInfo): void {
    if (this.#failed || !this.#countPart()) return;
    if (info.valueTruncated) {
      this.#fail(tooMuch(`Field value larger than ${this.#limits.fieldSize} bytes`));
      return;
    }
    if (typeof name !== "string" || FORBIDDEN_KEYS.has(name)) return;
    const values = this.#fields[name];
    if (values === undefined) this.#fields[name] = [value];
    else values.push(value);
  }

  #onFile(name: string | undefined, stream: Readable & { truncated?: boolean }, info: busboy.FileInfo): void {
    // busboy destroys an unfinished file stream with an error when the parse
    // is torn down; with no listener that error would crash the process.
    // The failure itself is already reported through #fail.
    stream.on("error", () => {});
    if (this.#failed || !this.#countPart() || typeof name !== "string" || FORBIDDEN_KEYS.has(name)) {
      // busboy only moves on once every file stream is drained.
      stream.resume();
      return;
    }
    const fileSize = this.#limits.fileSize;
    stream.once("limit", () => this.#fail(tooMuch(`File larger than ${fileSize} bytes`)));
    const spool = new Spool();
    this.#spools.push(spool);
    const slot: { name: string; file?: UploadedFile } = { name };
    this.#fileSlots.push(slot);
    this.#activeStreams.add(stream);
    const task = (async () => {
      // Async iteration reads one chunk at a time, and busboy holds its
      // input while the stream is full: disk speed paces the upload.
      for await (const chunk of stream) {
        this.#lease?.reserve((chunk as Buffer).byteLength);
        await spool.write(chunk as Buffer);
      }
      if (stream.truncated) throw tooMuch(`File larger than ${fileSize} bytes`);
      const content = await spool.finish();
      slot.file = new UploadedFile({
        fieldName: name,
        filename: info.filename ?? "",
        contentType: info.mimeType,
        ...content,
      });
    })();
    this.#tasks.push(
      task.catch((error: unknown) => this.#fail(error)).finally(() => this.#activeStreams.delete(stream)),
    );
  }

  /** Counts a part the application sees; false (after failing) once past `limits.parts`. */
  #countPart(): boolean {
    if (++this.#parts <= this.#limits.parts) return true;
    this.#fail(tooMuch(`Too many parts (limit ${this.#limits.parts})`));
    return false;
  }

  /** Records the first failure and tears the parse down; later failures are consequences, ignored. */
  #fail(error: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#failure = error;
    const abort = this.#abortWait;
    this.#abortWait = undefined;
    abort?.(error);
    // Deferred: this often runs inside busboy's own write (from an event it
    // emits), and destroying it mid-write would pull the state from under it.
    process.nextTick(() => {
      for (const stream of this.#activeStreams) stream.destroy();
      this.#parser.destroy();
    });
  }

  #collectFiles(): Record<string, UploadedFile[]> {
    const files = Object.create(null) as Record<string, UploadedFile[]>;
    for (const { name, file } of this.#fileSlots) {
      if (file === undefined) continue;
      const list = files[name];
      if (list === undefined) files[name] = [file];
      else list.push(file);
    }
    return files;
  }
}

function tooMuch(message: string): HttpError {
  return HttpError.of(ERRORS.MULTIPART_LIMIT, message);
}

/** Turns busboy's error into a 400 with a message that says what was wrong. */
function malformed(error: unknown): HttpError {
  const reason = error instanceof Error ? error.message : "";
  if (reason === "Unexpected end of form" || reason === "Unexpected end of file") {
    return HttpError.of(ERRORS.MALFORMED_MULTIPART, "Multipart body ended before its closing boundary");
  }
  if (reason === "Malformed part header") {
    return HttpError.of(ERRORS.MALFORMED_MULTIPART, "Malformed multipart part header");
  }
  return HttpError.of(ERRORS.MALFORMED_MULTIPART);
}
