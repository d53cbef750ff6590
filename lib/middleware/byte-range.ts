/**
 * Parsing the `Range` request header for byte ranges (RFC 9110 §14).
 *
 * One range is served as 206. A header that does not parse is ignored (the
 * whole file is sent, as §14.2 allows); one whose every range lies outside
 * the file is unsatisfiable (416). Several satisfiable ranges are also
 * answered with the whole file rather than a multipart/byteranges body,
 * which §14.2 permits and which spares the server a response that costs
 * more than the file when ranges overlap.
 *
 * @module
 */

/** A satisfiable range: inclusive byte offsets. */
export interface ByteRange {
  start: number;
  end: number;
}

/** Longer headers are ignored: real clients send a few ranges, floods send thousands. */
const MAX_HEADER_LENGTH = 1024;
/** 15 digits stay below 2^53: longer numbers are malformed (and bigger than any file). */
const SPEC = /^[ \t]*(\d{0,15})[ \t]*-[ \t]*(\d{0,15})[ \t]*$/;
const UNIT = /^bytes=/i;

/**
 * Reads a `Range` header against a file of `size` bytes.
 *
 * @param header - the untrusted header value.
 * @param size - the file's length in bytes.
 * @returns the one range to serve; `"unsatisfiable"` (answer 416 with
 *   `Content-Range: bytes *\/size`); or `undefined` to ignore the header and
 *   serve the whole file (malformed, another unit, or several ranges).
 * @example
 * ```ts
 * parseRange("bytes=0-99", 1000);   // { start: 0, end: 99 }
 * parseRange("bytes=-100", 1000);   // { start: 900, end: 999 }
 * parseRange("bytes=2000-", 1000);  // "unsatisfiable"
 * parseRange("bytes=oops", 1000);   // undefined
 * ```
 */
export function parseRange(header: string, size: number): ByteRange | "unsatisfiable" | undefined {
  if (header.length > MAX_HEADER_LENGTH || !UNIT.test(header)) return undefined;
  let found: ByteRange | undefined;
  let satisfiable = 0;
  for (const spec of header.slice(6).split(",")) {
    const match = SPEC.exec(spec);
    if (match === null) return undefined;
    const [, first = "", last = ""] = match;
    if (first === "" && last === "") return undefined;
    let range: ByteRange | undefined;
    if (first === "") {
      // "-N": the last N bytes. A zero-length suffix, or any suffix of an empty file, selects nothing.
      const suffix = Number(last);
      if (suffix > 0 && size > 0) range = { start: Math.max(0, size - suffix), end: size - 1 };
    } else {
      const start = Number(first);
      if (last !== "" && Number(last) < start) return undefined; // "5-2" is invalid: the whole header is ignored (§14.1.1)
      if (start < size) range = { start, end: last === "" ? size - 1 : Math.min(Number(last), size - 1) };
    }
    if (range !== undefined) {
      satisfiable++;
      found = range;
    }
  }
  if (satisfiable === 0) return "unsatisfiable";
  return satisfiable === 1 ? found : undefined;
}
