/**
 * Copies what upie needs out of a uWS `HttpRequest`. It is stack-allocated:
 * every read must happen synchronously, inside the route callback.
 *
 * @module
 */
import type { HttpRequest, HttpResponse } from "uWebSockets.js";
import type { Headers } from "../../protocol/protocol.js";

const decoder = new TextDecoder();

/**
 * A header bag whose prototype has no `Object.prototype` behind it: a client
 * may send headers named `__proto__` or `constructor`. Unlike
 * `Object.create(null)`, instances stay in V8's fast-property mode.
 */
const HeaderBag = function HeaderBag() {} as unknown as { new (): Headers };
HeaderBag.prototype = Object.create(null);

// One module-level callback instead of a closure per request.
let target: Headers;
function collect(key: string, value: string): void {
  const previous = target[key];
  // RFC 9110 §5.3 joins repeats with ", "; cookies use "; " (RFC 6265 §5.4).
  target[key] = previous === undefined ? value : `${previous}${key === "cookie" ? "; " : ", "}${value}`;
}

/** All headers, lower-case names; repeated headers joined. */
export function readHeaders(req: HttpRequest): Headers {
  const headers = new HeaderBag();
  target = headers;
  req.forEach(collect);
  return headers;
}

/** The peer's address as text. */
export function readRemoteAddress(res: HttpResponse): string {
  return decoder.decode(res.getRemoteAddressAsText());
}
