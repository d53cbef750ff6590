/**
 * Shared fixtures for the body tests: a scripted `receive`, hand-built
 * multipart bodies, and a private temp folder to check for leftovers.
 */

import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ReceiveEvent, Receive } from "../../lib/protocol/protocol.js";

/** A `receive` that plays `events` in order and counts how many were pulled. */
export interface ScriptedReceive {
  receive: Receive;
  /** How many events have been pulled so far. */
  readonly pulls: number;
}

/** Plays `events`; pulling past the end throws, so an over-reading parser fails loudly instead of hanging. */
export function scriptedReceive(events: ReceiveEvent[]): ScriptedReceive {
  let index = 0;
  return {
    receive: async () => {
      const event = events[index++];
      if (event === undefined) throw new Error("scripted receive: no more events");
      return event;
    },
    get pulls() {
      return index;
    },
  };
}

/** `http.request` events carrying `chunks`, `more` false on the last one. */
export function bodyEvents(chunks: Array<string | Uint8Array>): ReceiveEvent[] {
  if (chunks.length === 0) return [{ type: "http.request", body: new Uint8Array(0), more: false }];
  return chunks.map((chunk, i) => ({
    type: "http.request",
    body: typeof chunk === "string" ? Buffer.from(chunk) : chunk,
    more: i < chunks.length - 1,
  }));
}

/** Splits `data` into pieces of at most `size` bytes (copies: the parser may keep them). */
export function split(data: Uint8Array, size: number): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  for (let offset = 0; offset < data.byteLength; offset += size) {
    pieces.push(Uint8Array.prototype.slice.call(data, offset, offset + size));
  }
  return pieces;
}

/** An async iterable over `chunks`, counting pulls, optionally failing after them. */
export function chunkSource(chunks: Uint8Array[], failWith?: Error): AsyncIterable<Uint8Array> & { pulls: number } {
  const source = {
    pulls: 0,
    async *[Symbol.asyncIterator]() {
      for (const chunk of chunks) {
        source.pulls++;
        yield chunk;
      }
      if (failWith) throw failWith;
    },
  };
  return source;
}

export const BOUNDARY = "----upieTestBoundary7MA4YWxk";

/** One part of a hand-built multipart body. */
export interface Part {
  name: string;
  /** Present for a file part. */
  filename?: string;
  contentType?: string;
  data: string | Uint8Array;
  /** Extra raw header lines, e.g. to omit Content-Disposition. */
  rawHeaders?: string;
}

/** Builds a multipart/form-data body, optionally without its closing boundary. */
export function multipartBody(parts: Part[], { close = true, boundary = BOUNDARY } = {}): Buffer {
  const pieces: Buffer[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\n`;
    if (part.rawHeaders !== undefined) head += part.rawHeaders;
    else {
      head += `Content-Disposition: form-data; name="${part.name}"`;
      if (part.filename !== undefined) head += `; filename="${part.filename}"`;
      head += "\r\n";
      if (part.contentType !== undefined) head += `Content-Type: ${part.contentType}\r\n`;
    }
    pieces.push(Buffer.from(`${head}\r\n`), Buffer.from(part.data), Buffer.from("\r\n"));
  }
  if (close) pieces.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(pieces);
}

/** Request headers for a multipart body with {@link BOUNDARY}. */
export function multipartHeaders(boundary = BOUNDARY): Record<string, string> {
  return { "content-type": `multipart/form-data; boundary=${boundary}` };
}

/**
 * Points `os.tmpdir()` at a fresh folder for this test file (node --test runs
 * each file in its own process), so leftover checks see only our files.
 */
export function isolateTmpdir(): { dir: string; leftovers: () => string[]; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "upie-body-test-"));
  process.env.TMPDIR = dir;
  return {
    dir,
    leftovers: () => readdirSync(dir).filter((name) => name.startsWith("upie-")),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
