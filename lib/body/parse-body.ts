/**
 * Reading and decoding a request body according to its `Content-Type`.
 *
 * @module
 */

import { ERRORS, HttpError } from "../protocol/errors.js";
import type { Receive } from "../protocol/protocol.js";
import { parseJson } from "./json.js";
import type { Limits } from "./limits.js";
import { isJsonMediaType, mediaType } from "./media-type.js";
import { maxMultipartBytes, parseMultipart } from "./multipart.js";
import { emptyParams, parseParams, type Params } from "./params.js";
import { bodyChunks, readBody } from "./read-body.js";
import type { UploadedFile } from "./uploaded-file.js";
import type { UploadLease } from "./upload-budget.js";

/** A decoded request body. Which parts are filled depends on the content type. */
export interface ParsedBody {
  /** Urlencoded or multipart text fields (null-prototype; empty otherwise). */
  fields: Params;
  /** Multipart files by field name (null-prototype; empty otherwise). */
  files: Record<string, UploadedFile[]>;
  /** The parsed value of a JSON body; `undefined` for every other type. */
  json: unknown;
  /** The bytes of a body of any other type (or without a `Content-Type`). */
  raw?: Buffer;
}

const UTF8_BOM = "\uFEFF";

/**
 * Reads the body from `receive` and decodes it by `Content-Type`:
 *
 * | media type | result |
 * |---|---|
 * | `application/json`, `application/*+json` | `json` (limits `bodySize`, `jsonDepth`) |
 * | `application/x-www-form-urlencoded` | `fields` (limits `bodySize`, `fields`) |
 * | `multipart/form-data` | `fields` and `files` (streamed; multipart limits) |
 * | anything else | `raw` (limit `bodySize`) |
 *
 * A declared `Content-Length` over the limit is refused before anything is read.
 *
 * @param headers - request headers, lower-case names.
 * @param receive - the request's receive function; the body is consumed.
 * @param limits - resolved limits.
 * @param lease - the request's share of the app's upload budget; a multipart
 *   body takes a slot and counts its file bytes against it (503 past it).
 * @returns the decoded body; its `files` must be passed to {@link disposeFiles} when the request is done.
 * @throws {HttpError} 400/413 from the parsers (see their docs).
 * @throws {ClientGoneError} if the client disconnects mid-body.
 *
 * @example
 * ```ts
 * const body = await parseBody(scope.headers, receive, limits);
 * try { handle(body); } finally { await disposeFiles(body.files); }
 * ```
 */
export async function parseBody(
  headers: Readonly<Record<string, string>>,
  receive: Receive,
  limits: Limits,
  lease?: UploadLease,
): Promise<ParsedBody> {
  const type = mediaType(headers["content-type"]);
  const fields = emptyParams();
  const files = Object.create(null) as Record<string, UploadedFile[]>;

  if (type === "multipart/form-data") {
    checkDeclaredLength(headers, maxMultipartBytes(limits), ERRORS.MULTIPART_LIMIT);
    lease?.enter();
    return { ...(await parseMultipart(headers, bodyChunks(receive), limits, lease)), json: undefined };
  }

  checkDeclaredLength(headers, limits.bodySize, ERRORS.BODY_TOO_LARGE);
  const bytes = await readBody(receive, limits.bodySize);
  if (isJsonMediaType(type)) {
    let text = bytes.toString("utf8");
    // RFC 8259 §8.1: a parser may ignore a BOM; JSON.parse would reject it.
    if (text.startsWith(UTF8_BOM)) text = text.slice(1);
    return { fields, files, json: parseJson(text, limits.jsonDepth) };
  }
  if (type === "application/x-www-form-urlencoded") {
    return { fields: parseParams(bytes.toString("utf8"), limits.fields), files, json: undefined };
  }
  return { fields, files, json: undefined, raw: bytes };
}

/**
 * Deletes the temp files of every upload in `files`. Never rejects: it runs
 * when the request is over, and one stuck file must not stop the others.
 *
 * @param files - the `files` of a {@link ParsedBody}.
 */
export async function disposeFiles(files: Readonly<Record<string, readonly UploadedFile[]>>): Promise<void> {
  const all = Object.values(files).flat();
  await Promise.allSettled(all.map((file) => file.dispose()));
}

/** Refuses a body whose declared length is already over the limit, without reading it. */
function checkDeclaredLength(
  headers: Readonly<Record<string, string>>,
  limit: number,
  spec: typeof ERRORS.BODY_TOO_LARGE | typeof ERRORS.MULTIPART_LIMIT,
): void {
  const declared = headers["content-length"];
  if (declared === undefined) return;
  const length = Number(declared);
  if (Number.isFinite(length) && length > limit) {
    throw HttpError.of(spec, `Request body larger than ${limit} bytes`);
  }
}
