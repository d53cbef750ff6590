/**
 * A file (or a byte range of it) as a streamed response body.
 *
 * The core pulls one chunk at a time and waits for the socket to drain
 * before pulling the next, so a file is never read faster than the client
 * takes it, nor held whole in memory. When the client leaves, the core ends
 * the iteration (`return()`), which runs the `finally` below and closes the
 * file descriptor at once instead of leaving it to garbage collection.
 *
 * @module
 */
import { createReadStream } from "node:fs";

/** Bytes per read: 64 KiB balances syscalls against memory per connection. */
export const CHUNK_SIZE = 64 * 1024;

/**
 * Streams bytes `start..end` (inclusive) of the file at `path`. Nothing is
 * opened until the first chunk is pulled, so an unread body costs nothing.
 *
 * @param path - the file, already checked to be inside the served folder.
 * @param start - first byte offset.
 * @param end - last byte offset, inclusive; must be >= start.
 * @returns an async iterable of Buffers.
 * @throws (while iterating) the file system's error, e.g. when the file disappeared.
 * @example
 * ```ts
 * return [206, fileBody("/srv/video.mp4", 0, 1023), { "content-range": "bytes 0-1023/5000" }];
 * ```
 */
export async function* fileBody(path: string, start: number, end: number): AsyncGenerator<Buffer> {
  const stream = createReadStream(path, { start, end, highWaterMark: CHUNK_SIZE });
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } finally {
    stream.destroy();
  }
}
