/**
 * Request bodies the HTTP scenarios POST, written once per run under
 * bench/output/bodies/ for wrk's Lua script to read.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL("../output/bodies/", import.meta.url));

/** A body on disk and the Content-Type it is sent with. */
export interface BodyFile {
  file: string;
  contentType: string;
  bytes: number;
}

let json: BodyFile | undefined;
const uploads = new Map<number, BodyFile>();

/** A 1 KiB JSON document: `name` (which every server answers with) and a list of small records. */
export function jsonBody(): BodyFile {
  if (json !== undefined) return json;
  const doc: { name: string; items: Array<{ id: number; label: string; tags: string[]; price: number }>; pad: string } = {
    name: "bench",
    items: [],
    pad: "",
  };
  for (let id = 0; JSON.stringify(doc).length < 960; id++) {
    doc.items.push({ id, label: `item-${String(id).padStart(4, "0")}`, tags: ["a", "b"], price: id + 0.5 });
  }
  doc.pad = "x".repeat(Math.max(0, 1024 - JSON.stringify(doc).length));
  const text = JSON.stringify(doc);
  mkdirSync(dir, { recursive: true });
  const file = `${dir}post.json`;
  writeFileSync(file, text);
  json = { file, contentType: "application/json", bytes: Buffer.byteLength(text) };
  return json;
}

/** The multipart boundary of {@link uploadBody}. */
export const BOUNDARY = "----upie-bench-7d6f1c2a9b";

/** A multipart/form-data body with one file field `file` of `fileBytes` random bytes. */
export function uploadBody(fileBytes: number): BodyFile {
  const cached = uploads.get(fileBytes);
  if (cached !== undefined) return cached;
  const head = Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="blob.bin"\r\n` +
      "Content-Type: application/octet-stream\r\n\r\n",
  );
  const tail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
  const body = Buffer.concat([head, randomBytes(fileBytes), tail]);
  mkdirSync(dir, { recursive: true });
  const file = `${dir}upload-${fileBytes}.multipart`;
  writeFileSync(file, body);
  const entry = { file, contentType: `multipart/form-data; boundary=${BOUNDARY}`, bytes: body.length };
  uploads.set(fileBytes, entry);
  return entry;
}
