/**
 * A file uploaded in a multipart body, as handlers receive it.
 *
 * @module
 */

import { InvalidArgumentError, InvalidStateError } from "../protocol/errors.js";
import { createReadStream, createWriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { ReadableStream } from "node:stream/web";
import { removeFile } from "./spool.js";

/** How an {@link UploadedFile} is made: its metadata plus either its bytes or the temp file holding them. */
export interface UploadedFileInit {
  fieldName: string;
  filename: string;
  contentType: string;
  /** The bytes, for a small upload kept in memory. */
  data?: Uint8Array;
  /** A temp file upie owns and deletes on {@link UploadedFile.dispose}. */
  path?: string;
  /** Byte count; required with `path`, taken from `data` otherwise. */
  size?: number;
}

/**
 * An uploaded file. Large uploads live in a private temp file (mode 0600 in
 * `os.tmpdir()`), not in memory; read them as a stream when you can.
 *
 * The file is only valid while the request is being handled: upie deletes
 * the temp file afterwards. Call {@link UploadedFile.saveTo} to keep it.
 *
 * @example
 * ```ts
 * class MyApp extends App {
 *   async upload(file: UploadedFile) {
 *     await file.saveTo(`/srv/uploads/${crypto.randomUUID()}`);
 *     return { name: file.filename, bytes: file.size };
 *   }
 * }
 * ```
 */
export class UploadedFile {
  /** The form field the file came in. */
  readonly fieldName: string;
  /**
   * The name the client gave (basename only, possibly empty). Untrusted
   * text: never use it as a path.
   */
  readonly filename: string;
  /** The part's declared media type; `text/plain` when it declares none (RFC 7578 §4.4). Untrusted. */
  readonly contentType: string;
  /** Size in bytes. */
  readonly size: number;
  #data: Buffer | undefined;
  #path: string | undefined;
  #disposed = false;

  /**
   * Built by the multipart parser; public so tests of handlers can make one
   * from bytes: `new UploadedFile({ fieldName, filename, contentType, data })`.
   */
  constructor(init: UploadedFileInit) {
    if ((init.data === undefined) === (init.path === undefined)) {
      throw new InvalidArgumentError("UploadedFile needs exactly one of `data` or `path`");
    }
    this.fieldName = init.fieldName;
    this.filename = init.filename;
    this.contentType = init.contentType;
    if (init.data !== undefined) {
      const { data } = init;
      this.#data = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      this.size = data.byteLength;
    } else {
      if (init.size === undefined) throw new InvalidArgumentError("UploadedFile with a `path` needs its `size`");
      this.#path = init.path;
      this.size = init.size;
    }
  }

  /** The contents as a web stream, read lazily (pull-based, so it follows the consumer's pace). */
  stream(): ReadableStream<Uint8Array> {
    const chunks = this[Symbol.asyncIterator]();
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { value, done } = await chunks.next();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      async cancel() {
        await chunks.return(undefined);
      },
    });
  }

  /** Yields the contents in chunks (from disk for large files). */
  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    const source = this.#source();
    if (source instanceof Buffer) {
      if (source.byteLength > 0) yield source;
      return;
    }
    // Breaking out of the loop destroys the read stream, closing the fd.
    for await (const chunk of createReadStream(source)) yield chunk as Buffer;
  }

  /** Reads the whole file as UTF-8 text (into memory: mind the size). */
  async text(): Promise<string> {
    const source = this.#source();
    return source instanceof Buffer ? source.toString("utf8") : readFile(source, "utf8");
  }

  /** Reads the whole file into a fresh ArrayBuffer (into memory: mind the size). */
  async arrayBuffer(): Promise<ArrayBuffer> {
    const source = this.#source();
    const bytes = source instanceof Buffer ? source : await readFile(source);
    // A copy the caller owns outright (Buffers may share a pooled ArrayBuffer).
    const copy = new ArrayBuffer(bytes.byteLength);
    new Uint8Array(copy).set(bytes);
    return copy;
  }

  /**
   * Writes the file to `path` (created or replaced). The temp file is copied,
   * not moved, so this can be called more than once and the file stays
   * readable; the copy gets ordinary permissions, not the temp file's 0600.
   */
  async saveTo(path: string): Promise<void> {
    const source = this.#source();
    const input = source instanceof Buffer ? Readable.from([source]) : createReadStream(source);
    await pipeline(input, createWriteStream(path));
  }

  /**
   * Deletes the temp file and drops the bytes. Idempotent. upie calls it when
   * the request is done; afterwards every read method throws.
   *
   * @internal
   */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#data = undefined;
    const path = this.#path;
    this.#path = undefined;
    if (path !== undefined) await removeFile(path);
  }

  /** The bytes in memory, or the path of the temp file; throws once disposed. */
  #source(): Buffer | string {
    if (this.#disposed) throw new InvalidStateError(`UploadedFile '${this.fieldName}' was disposed (the request is over)`);
    return this.#data ?? this.#path!;
  }
}
