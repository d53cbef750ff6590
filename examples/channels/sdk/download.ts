/**
 * `download`: seed 001's `download`: a file from a URL (or a platform path,
 * or a message that carries one) to a local file or to bytes, with a size
 * bound so a large answer cannot fill memory.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, extname, join } from "node:path";

/** How {@link download} saves. */
export interface DownloadOptions {
  /** Where to save; default: `autoDir`/<time>_<random><the URL's extension>. */
  filePath?: string;
  /** The folder for a generated name. Default `./downloads`. */
  autoDir?: string;
  /** Replace an existing file. Default true; false throws on a collision. */
  overwrite?: boolean;
  /** Return the bytes instead of saving. */
  bytes?: boolean;
  /** Request headers (authentication). */
  headers?: Record<string, string>;
  /** Largest download (bytes). Default 64 MiB. */
  maxBytes?: number;
}

/** A URL, or something with `content.path` (a message). */
export type DownloadSource = string | { content?: { path?: string } };

/**
 * Downloads `source` (resolved against `baseUrl` when relative).
 *
 * @returns the saved file's path, or the bytes with `bytes: true`.
 */
export async function download(baseUrl: string, source: DownloadSource, options: DownloadOptions = {}): Promise<string | Uint8Array> {
  const where = typeof source === "string" ? source : source.content?.path;
  if (where === undefined || where === "") throw new TypeError("download: nothing to download (no URL or content.path)");
  const url = new URL(where, baseUrl);
  const res = await fetch(url, { headers: options.headers ?? {} });
  if (!res.ok) throw new Error(`download ${url}: HTTP ${res.status}`);
  const bytes = await readBounded(res, options.maxBytes ?? 64 * 1024 * 1024);
  if (options.bytes === true) return bytes;
  const filePath = options.filePath ?? join(options.autoDir ?? "./downloads", `${Date.now()}_${Math.floor(Math.random() * 1e9)}${extname(url.pathname)}`);
  if (options.overwrite === false && existsSync(filePath)) throw new Error(`download: ${filePath} exists`);
  await mkdir(dirname(filePath), { recursive: true });
  await writeFile(filePath, bytes);
  return filePath;
}

async function readBounded(res: Response, maxBytes: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of res.body ?? []) {
    total += chunk.byteLength;
    if (total > maxBytes) throw new Error(`download: more than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
