/**
 * The request a handler sees as `this.request`.
 *
 * Everything costly (query parsing, cookie parsing) is computed on first
 * use, so a handler that reads nothing pays for nothing.
 *
 * @module
 */
import type { UploadedFile } from "../body/uploaded-file.js";
import { parseParams, type Params } from "../body/params.js";
import { parseCookies, parseSignedCookies, serializeCookie, deleteCookieHeader, type CookieOptions } from "../cookies/cookies.js";
import { InvalidOptionError } from "../protocol/errors.js";
import { signCookie } from "../cookies/signing.js";
import type { Headers, HttpScope, WebSocketScope } from "../protocol/protocol.js";
import type { SessionData } from "../session/backend.js";
import type { SessionState } from "../session/session-state.js";

const EMPTY_PARAMS: Params = Object.freeze(Object.create(null));
/** The `files` of a request without uploads (nothing to dispose of). */
export const NO_FILES: Record<string, UploadedFile[]> = Object.freeze(Object.create(null));

/**
 * The fields of a {@link Request} the core fills in (path parameters, the parsed
 * body, the session's bookkeeping): read-only to users, written by the core
 * through {@link requestFields} only.
 *
 * @internal
 */
export type RequestFields = {
  -readonly [K in "pathParams" | "bodyParams" | "files" | "body" | "jsonBody" | "sessionRegenerated" | "sessionState"]: Request[K];
};

/**
 * The core's write access to a request's read-only fields.
 *
 * @internal
 */
export function requestFields(request: Request): RequestFields {
  return request;
}

/** The current HTTP request (or WebSocket handshake). */
export class Request {
  /** Upper-case method (`GET` for WebSocket handshakes). */
  readonly method: string;
  /** The raw, percent-encoded path without the query string. */
  readonly path: string;
  /** Request headers, lower-case names. */
  readonly headers: Headers;
  /** The scope the adapter described this request with. */
  readonly scope: HttpScope | WebSocketScope;
  /** Path parameters by handler parameter name (or pattern name). */
  readonly pathParams: Record<string, string> = EMPTY_PARAMS as unknown as Record<string, string>;
  /** Urlencoded or multipart fields, every value of repeated keys in order. */
  readonly bodyParams: Params = EMPTY_PARAMS;
  /** Uploaded files by field name. */
  readonly files: Record<string, UploadedFile[]> = NO_FILES;
  /** The raw body for content types upie doesn't parse (undefined otherwise). */
  readonly body: Buffer | undefined;
  /** The parsed JSON body (undefined when the body was not JSON). */
  readonly jsonBody: unknown;
  /** Set-Cookie header values added by {@link setCookie}/{@link deleteCookie} (allocated on first use: most requests set none). */
  get outgoingCookies(): string[] {
    return (this.#outgoingCookies ??= []);
  }

  /**
   * True when a Set-Cookie header is waiting, without allocating the list.
   *
   * @internal
   */
  get hasOutgoingCookies(): boolean {
    return this.#outgoingCookies !== undefined && this.#outgoingCookies.length > 0;
  }
  /** Set by {@link regenerateSession}; read when the session is committed. */
  readonly sessionRegenerated: boolean = false;
  /** The session as loaded from its cookie, for the session manager's commit. */
  readonly sessionState: SessionState | undefined = undefined;

  #outgoingCookies: string[] | undefined;
  #queryParams: Params | undefined;
  #session: SessionData | undefined;
  #cookies: Record<string, string> | undefined;
  /** The app's signing secrets, normalised once at app construction (the first signs). */
  readonly #secrets: readonly string[] | undefined;
  #signedCookies: Record<string, string> | undefined;


  constructor(scope: HttpScope | WebSocketScope, secrets?: readonly string[]) {
    this.scope = scope;
    this.#secrets = secrets;
    this.method = scope.method;
    this.path = scope.path;
    this.headers = scope.headers;
  }

  /** The peer's IP address as text ("" when unknown). */
  get remoteAddress(): string {
    return this.scope.client;
  }

  /** The session: a plain object. Store to create one, empty it (or assign `{}`) to log out. */
  get session(): SessionData {
    return (this.#session ??= {});
  }

  set session(data: SessionData) {
    this.#session = data;
  }

  /** True once the session was loaded or touched: nothing else needs committing. */
  get hasSession(): boolean {
    return this.#session !== undefined;
  }

  /** Query string parameters, every value of repeated keys in order. */
  get queryParams(): Params {
    return (this.#queryParams ??= this.scope.rawQuery === "" ? EMPTY_PARAMS : parseParams(this.scope.rawQuery));
  }

  /** Request cookies by name (first occurrence wins). */
  get cookies(): Record<string, string> {
    return (this.#cookies ??= parseCookies(this.headers.cookie));
  }

  /**
   * Cookies set with `setCookie(name, value, { signed: true })` whose
   * signature verifies with the app's `secret` (any of them, for rotation).
   * A tampered, forged or unsigned cookie is simply absent.
   *
   * @throws InvalidOptionError when the app has no `secret`.
   * @example
   * ```ts
   * const theme = this.request.signedCookies.theme ?? "light";
   * ```
   */
  get signedCookies(): Record<string, string> {
    return (this.#signedCookies ??= parseSignedCookies(this.headers.cookie, this.#signingSecrets()));
  }

  /** True when the app has a `secret`, so `setCookie(..., { signed: true })` and {@link signedCookies} work. */
  get signsCookies(): boolean {
    return this.#secrets !== undefined;
  }

  #signingSecrets(): readonly string[] {
    if (this.#secrets === undefined) throw new InvalidOptionError("signed cookies need the app's `secret` option");
    return this.#secrets;
  }

  /** The first value of query parameter `name`, or `fallback`. */
  query(name: string): string | undefined;
  query<T>(name: string, fallback: T): string | T;
  query(name: string, fallback?: unknown): unknown {
    return this.queryParams[name]?.[0] ?? fallback;
  }

  /** The first value of form field `name` (urlencoded or multipart), or `fallback`. */
  form(name: string): string | undefined;
  form<T>(name: string, fallback: T): string | T;
  form(name: string, fallback?: unknown): unknown {
    return this.bodyParams[name]?.[0] ?? fallback;
  }

  /** The JSON body, or its top-level key `name`, or `fallback` when absent. */
  json(name?: string, fallback?: unknown): unknown {
    const body = this.jsonBody;
    if (name === undefined) return body ?? fallback;
    if (body === null || typeof body !== "object" || !Object.hasOwn(body, name)) return fallback;
    return (body as Record<string, unknown>)[name];
  }

  /**
   * Sets a cookie on the response. Secure defaults: HttpOnly, SameSite=Lax, Path=/.
   * With `{ signed: true }` the value is signed with the app's first `secret`
   * (HMAC-SHA256) and reads back through {@link signedCookies}.
   *
   * @throws HttpError 500 for a name or value that would corrupt the header.
   * @throws InvalidOptionError for `signed: true` when the app has no `secret`.
   */
  setCookie(name: string, value: string, options?: CookieOptions): void {
    // The signature covers the name and the value exactly as written: signedCookies checks it before decoding.
    const written = options?.signed === true && typeof value === "string" ? signCookie(name, value, this.#signingSecrets()[0]!) : value;
    this.outgoingCookies.push(serializeCookie(name, written, options));
  }

  /** Expires a cookie on the client. */
  deleteCookie(name: string, options?: CookieOptions): void {
    this.outgoingCookies.push(deleteCookieHeader(name, options));
  }

  /**
   * Issues a new session id for the current session data (call it on login,
   * against session fixation). The old id is deleted from the backend.
   */
  regenerateSession(): void {
    requestFields(this).sessionRegenerated = true;
  }
}
