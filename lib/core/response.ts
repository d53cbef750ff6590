/**
 * Turns whatever a handler returns into one response shape, the one
 * `afterRequest` middleware sees and the writer sends.
 *
 * @module
 */
import { ERRORS, HttpError } from "../protocol/errors.js";
import { Html } from "../templates/html.js";

/** What a response body can be once normalised. `null` is an empty body. */
export type ResponseBody = string | Uint8Array | AsyncIterable<unknown> | null;

/** A response before it is written; `headers` has lower-case names. */
export interface ResponseInit {
  status: number;
  body: ResponseBody;
  headers: Record<string, string | string[]>;
}

/** `[status, body, headers?]`: the tuple a handler may return. */
export type ResponseTuple = [number, unknown] | [number, unknown, Record<string, string | string[]>];

export const HTML = "text/html; charset=utf-8";
export const TEXT = "text/plain; charset=utf-8";
export const JSON_TYPE = "application/json; charset=utf-8";
export const OCTETS = "application/octet-stream";

/**
 * A redirect response.
 *
 * @param status - 301, 302 (default), 303, 307 or 308.
 * @example
 * ```ts
 * async old() { return redirect("/new", 301); }
 * ```
 */
export function redirect(location: string, status = 302): ResponseTuple {
  return [status, "", { location }];
}

function isTuple(value: unknown[]): value is ResponseTuple {
  const status = value[0];
  return (
    (value.length === 2 || value.length === 3) &&
    typeof status === "number" && Number.isInteger(status) && status >= 100 && status <= 599 &&
    (value.length === 2 || (typeof value[2] === "object" && value[2] !== null && !Array.isArray(value[2])))
  );
}

function isAsyncIterable(value: object): value is AsyncIterable<unknown> {
  return typeof (value as any)[Symbol.asyncIterator] === "function";
}

/** Normalises a handler's return value. */
export function toResponse(result: unknown): ResponseInit {
  if (typeof result === "string") return { status: 200, body: result, headers: { "content-type": HTML } };
  if (Array.isArray(result) && isTuple(result)) {
    const init = bodyResponse(result[0], result[1]);
    if (result.length === 3) mergeHeaders(init.headers, result[2]);
    return init;
  }
  return bodyResponse(200, result);
}

function bodyResponse(status: number, body: unknown): ResponseInit {
  if (body === undefined || body === null) {
    return { status: status === 200 ? 204 : status, body: null, headers: {} };
  }
  if (typeof body === "string") return { status, body, headers: { "content-type": HTML } };
  if (body instanceof Uint8Array) return { status, body, headers: { "content-type": OCTETS } };
  if (body instanceof Html) return { status, body: body.value, headers: { "content-type": HTML } };
  if (body instanceof ArrayBuffer) return { status, body: new Uint8Array(body), headers: { "content-type": OCTETS } };
  if (typeof body === "object" && isAsyncIterable(body)) return { status, body, headers: { "content-type": HTML } };
  return { status, body: JSON.stringify(body), headers: { "content-type": JSON_TYPE } };
}

/** Copies user headers in with lower-case names; a user content-type replaces the default. */
function mergeHeaders(target: Record<string, string | string[]>, source: Record<string, string | string[]>): void {
  for (const name of Object.keys(source)) {
    const value = source[name];
    if (value === undefined || value === null) continue;
    target[name.toLowerCase()] = Array.isArray(value) ? value.map(String) : String(value);
  }
}

/** The response for an error: its own status for an {@link HttpError}, a generic 500 otherwise. */
export function errorResponse(error: unknown): ResponseInit {
  const e = error instanceof HttpError ? error : HttpError.of(ERRORS.INTERNAL);
  const headers: Record<string, string | string[]> = { "content-type": TEXT };
  mergeHeaders(headers, e.headers);
  return { status: e.status, body: e.message, headers };
}

// RFC 9110 token characters for header names. Values may hold no control
// character but HTAB (RFC 9110 §5.5: field-vchar, obs-text, SP, HTAB): uWS writes
// headers raw, so CR/LF/NUL would split the response, and VT, FF, DEL or ESC are
// read differently by different proxies (a smuggling foothold).
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_VALUE = /[\x00-\x08\x0A-\x1F\x7F]/;
const KNOWN_TYPES = new Set([HTML, TEXT, JSON_TYPE, OCTETS]);

/**
 * Checks every header; uWS writes them as given.
 *
 * @throws HttpError 500 `UPIE_ERR_INVALID_HEADER` naming the bad header.
 */
export function validateHeaders(headers: Record<string, string | string[]>): void {
  for (const name in headers) {
    if (name === "content-type" && KNOWN_TYPES.has(headers[name] as string)) continue; // upie's own defaults
    if (!TOKEN.test(name)) throw HttpError.of(ERRORS.INVALID_HEADER, `Invalid response header name ${JSON.stringify(name)}`);
    const value = headers[name]!;
    if (typeof value === "string") {
      if (BAD_VALUE.test(value)) throw HttpError.of(ERRORS.INVALID_HEADER, `Invalid value for response header "${name}"`);
    } else {
      for (const v of value) {
        if (BAD_VALUE.test(v)) throw HttpError.of(ERRORS.INVALID_HEADER, `Invalid value for response header "${name}"`);
      }
    }
  }
}
