/**
 * Request framing a server must refuse (RFC 9112 §6.3): a request that says
 * two things about where its body ends. A proxy in front may believe one and
 * the server the other, and the difference is a smuggled request.
 *
 * uWS already refuses Content-Length together with Transfer-Encoding, a
 * malformed length and codings other than chunked (20.57 with a 400, 20.30 by
 * closing), but it frames a request with two Content-Length headers by one of
 * them and parses the rest as a second request. Only that case is left here.
 *
 * @module
 */
import type { Headers } from "../protocol/protocol.js";

/**
 * Why a request's framing is ambiguous, or undefined when it is not.
 *
 * Headers arrive with repeats joined by ", ", so two `Content-Length` headers
 * (even equal ones) show up as a list, which is never a valid length.
 *
 * @param headers - the request headers, lower-case names.
 * @returns a short reason for the 400, or undefined.
 * @example
 * ```ts
 * framingProblem({ "content-length": "1, 5" }); // "Conflicting Content-Length"
 * ```
 */
export function framingProblem(headers: Headers): string | undefined {
  const length = headers["content-length"];
  if (length !== undefined && !/^\d{1,15}$/.test(length)) return length.includes(",") ? "Conflicting Content-Length" : "Malformed Content-Length";
  return undefined;
}
