/**
 * Where an upload's bytes wait while the request is handled: in memory while
 * small, in a private temp file once they grow.
 *
 * @module
 */

import { InvalidStateError } from "../protocol/errors.js";
import { randomBytes } from "node:crypto";
import { open, unlink, type FileHandle } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Uploads up to this many bytes stay in memory; a temp file costs more than it saves for them. */
export const MEMORY_THRESHOLD = 64 * 1024;

/** Prefix of every temp file upie creates, so leftovers are easy to spot. */
export const TEMP_PREFIX = "upie-";

/** What a finished spool holds: either the bytes, or the path of the temp file holding them. */
export type SpoolContent = { data: Buffer; path?: undefined; size: number } | { data?: undefined; path: string; size: number };

/**
 * Accumulates one upload. Writes must be awaited one at a time (the
 * multipart parser does), which is also what gives disk backpressure.
 *
 * @internal
 */
export class Spool {
  readonly #threshold: number;
  #chunks: Uint8Array[] = [];
  #size = 0;
  #handle: FileHandle | undefined;
  #path: string | undefined;
  #discarded = false;
  #finished = false;
  /** The operation in flight, so discard() never races a half-done open or write. */
  #pending: Promise<unknown> = Promise.resolve();

  /** @param threshold - bytes kept in memory before spilling to disk. */
  constructor(threshold = MEMORY_THRESHOLD) {
    this.#threshold = threshold;
  }

  /** Bytes written so far. */
  get size(): number {
    return this.#size;
  }

  /** Appends a chunk; the chunk must not be modified afterwards (it may be kept, not copied). */
  write(chunk: Uint8Array): Promise<void> {
    const op = this.#write(chunk);
    this.#pending = op.catch(() => {});
    return op;
  }

  async #write(chunk: Uint8Array): Promise<void> {
    if (this.#discarded || this.#finished) throw new InvalidStateError("Spool is closed");
    this.#size += chunk.byteLength;
    if (this.#handle === undefined) {
      if (this.#size <= this.#threshold) {
        this.#chunks.push(chunk);
        return;
      }
      await this.#spill();
    }
    await writeAll(this.#handle!, chunk);
  }

  /** Moves what is in memory into a fresh temp file, which later writes append to. */
  async #spill(): Promise<void> {
    const path = join(tmpdir(), TEMP_PREFIX + randomBytes(16).toString("hex"));
    // "wx" = O_CREAT|O_EXCL: never open a file (or symlink) planted at a
    // guessed name; 0o600: other local users cannot read the upload.
    this.#handle = await open(path, "wx", 0o600);
    // Only once the file is ours: on EEXIST the path belongs to someone else.
    this.#path = path;
    const buffered = this.#chunks;
    this.#chunks = [];
    for (const chunk of buffered) await writeAll(this.#handle, chunk);
  }

  /**
   * Closes the spool and hands over its content; after this the spool no longer
   * owns the temp file (except that {@link Spool.discard} still removes it).
   */
  async finish(): Promise<SpoolContent> {
    await this.#pending;
    if (this.#discarded) throw new InvalidStateError("Spool was discarded");
    this.#finished = true;
    if (this.#handle === undefined) {
      // Always a copy: the chunks may be small slices of large input
      // buffers, which would otherwise stay alive as long as the upload.
      const data = Buffer.concat(this.#chunks, this.#size);
      this.#chunks = [];
      return { data, size: this.#size };
    }
    const handle = this.#handle;
    this.#handle = undefined;
    await handle.close();
    return { path: this.#path!, size: this.#size };
  }

  /** Forgets the bytes and deletes the temp file, if any. Idempotent; never throws. */
  async discard(): Promise<void> {
    this.#discarded = true;
    this.#chunks = [];
    await this.#pending;
    const handle = this.#handle;
    this.#handle = undefined;
    if (handle !== undefined) await handle.close().catch(() => {});
    const path = this.#path;
    this.#path = undefined;
    // Cleanup runs on error paths; a failed unlink must not hide the real error.
    if (path !== undefined) await removeFile(path).catch(() => {});
  }
}

/** Deletes a file, treating "already gone" as success. */
export async function removeFile(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}

/** FileHandle.write may write less than asked; loop until the chunk is on disk. */
async function writeAll(handle: FileHandle, chunk: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < chunk.byteLength) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.byteLength - offset);
    offset += bytesWritten;
  }
}
