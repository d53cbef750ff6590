/**
 * Copies what upie needs out of a uWS `HttpRequest`. It is stack-allocated:
 * every read must happen synchronously, inside the route callback.
 *
 * @module
 */
import type { HttpRequest, HttpResponse } from "uWebSockets.js";
import type { Headers } from "../../core/protocol.js";

const decoder = new TextDecoder();

/** All headers, lower-case names; repeats joined as RFC 9110 §5.3 says ("; " for cookies, RFC 6265). */
export function readHeaders(req: HttpRequest): Headers {
  // Null prototype: a client may send a header called `__proto__` or `constructor`.
  const headers: Headers = Object.create(null);
  req.forEach((key, value) => {
    const previous = headers[key];
    headers[key] = previous === undefined ? value : `${previous}${key === "cookie" ? "; " : ", "}${value}`;
  });
  return headers;
}

/** The peer's address as text. */
export function readRemoteAddress(res: HttpResponse): string {
  return decoder.decode(res.getRemoteAddressAsText());
}
