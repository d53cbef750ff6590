/**
 * Request framing a server must refuse (RFC 9112 §6.1, §6.3): a request that
 * says two things about where its body ends, or something the server cannot
 * decode. A proxy in front may believe one reading and the server another,
 * and the difference is a smuggled request.
 *
 * uWS frames requests itself, and both builds let some of these through to
 * the handler (20.57 frames two `Content-Length` headers by the first, both
 * builds read any `Transfer-Encoding` that mentions chunked as chunked).
 * Everything here is decided from the headers alone, before a body byte is
 * read; the adapter then closes the connection (see `refuse-framing.ts`).
 *
 * @module
 */
import type { Headers } from "../protocol/protocol.js";

/** A plain decimal length: what RFC 9110 §8.6 allows, and small enough to stay exact in a double. */
const DECIMAL_LENGTH = /^\d{1,15}$/;
/** The one transfer coding upie decodes (coding names are case-insensitive, RFC 9112 §7). */
const CHUNKED = /^chunked$/i;

/**
 * Why a request's framing is bad, or undefined when it is not.
 *
 * Headers arrive with repeats joined by ", ", so two `Content-Length`
 * headers (even equal ones) show up as a list, which is never a valid
 * length; two `Transfer-Encoding` headers likewise show up as a list.
 *
 * Refused: conflicting or repeated `Content-Length`; a `Content-Length`
 * that is not a plain decimal number; `Content-Length` together with
 * `Transfer-Encoding`; a `Transfer-Encoding` other than a lone `chunked`
 * (upie decodes no other coding, and chunked applied twice is invalid).
 *
 * @param headers - the request headers, lower-case names.
 * @returns a short reason for the 400, or undefined.
 * @example
 * ```ts
 * framingProblem({ "content-length": "1, 5" }); // "Conflicting Content-Length"
 * framingProblem({ "transfer-encoding": "gzip, chunked" }); // "Unsupported Transfer-Encoding"
 * framingProblem({ "content-length": "5" }); // undefined
 * ```
 */
export function framingProblem(headers: Headers): string | undefined {
  const length = headers["content-length"];
  const coding = headers["transfer-encoding"];
  if (length === undefined && coding === undefined) return undefined;
  if (length !== undefined && coding !== undefined) return "Content-Length with Transfer-Encoding";
  if (length !== undefined) {
    if (DECIMAL_LENGTH.test(length)) return undefined;
    return length.includes(",") ? "Conflicting Content-Length" : "Malformed Content-Length";
  }
  return CHUNKED.test(coding!) ? undefined : "Unsupported Transfer-Encoding";
}
