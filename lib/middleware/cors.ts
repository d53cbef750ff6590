/**
 * Cross-Origin Resource Sharing (WHATWG Fetch §3.2): lets pages from other
 * origins call the app from a browser.
 *
 * Preflights (`OPTIONS` with `Access-Control-Request-Method`) are answered
 * here with 204 and never reach a handler. Other requests run as usual and
 * get CORS headers afterwards, error responses included, so a browser can
 * read a 404 or 429 from an allowed origin. A disallowed origin gets no CORS
 * headers at all: the browser then refuses to hand the response to the page.
 *
 * @module
 */
import { InvalidOptionError } from "../protocol/errors.js";
import { HttpMiddleware } from "../core/middleware.js";
import type { Request } from "../core/request.js";
import type { ResponseInit } from "../core/response.js";
import { appendVary } from "./vary.js";

/** Decides whether an origin (e.g. `https://app.example`) may call the app. */
export type OriginPredicate = (origin: string, request: Request) => boolean | Promise<boolean>;

/** Which origins are allowed: every one (`"*"`), a list of exact origins and patterns, or a function. */
export type CorsOrigins = "*" | string | RegExp | ReadonlyArray<string | RegExp> | OriginPredicate;

/** Options for {@link Cors}. */
export interface CorsOptions {
  /**
   * Allowed origins. Strings are exact origins (`scheme://host[:port]`, no
   * path, no trailing slash); a RegExp is tested against the whole Origin
   * header, so anchor it (`/^https:\/\/[a-z]+\.example\.com$/`). Default `"*"`.
   */
  origins?: CorsOrigins;
  /** Allow cookies and HTTP auth (`Access-Control-Allow-Credentials: true`). Needs explicit origins. Default false. */
  credentials?: boolean;
  /** Response headers a page may read besides the CORS-safelisted ones. */
  exposedHeaders?: readonly string[];
  /** Request headers a page may send. Default: whatever the preflight asks for. */
  allowedHeaders?: readonly string[];
  /** Methods a page may use. Default GET, HEAD, PUT, PATCH, POST, DELETE. */
  methods?: readonly string[];
  /** How long (seconds) a browser may cache a preflight answer. Default 600. */
  maxAge?: number;
}

const DEFAULT_METHODS = ["GET", "HEAD", "PUT", "PATCH", "POST", "DELETE"];
// An origin is scheme "://" host [":" port] (RFC 6454 §6.2), or the opaque "null".
const ORIGIN = /^(?:[a-z][a-z0-9+.-]*:\/\/[^/?#\s]+|null)$/i;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * CORS middleware.
 *
 * @example
 * ```ts
 * app.middlewares.push(new Cors({
 *   origins: ["https://app.example", /^https:\/\/[a-z0-9-]+\.preview\.example$/],
 *   credentials: true,
 *   exposedHeaders: ["X-Request-Id"],
 * }));
 * ```
 */
export class Cors extends HttpMiddleware {
  readonly #any: boolean;
  readonly #exact: ReadonlySet<string>;
  readonly #patterns: readonly RegExp[];
  readonly #predicate: OriginPredicate | undefined;
  readonly #credentials: boolean;
  readonly #exposed: string | undefined;
  readonly #allowedHeaders: string | undefined;
  readonly #methods: string;
  readonly #maxAge: string;

  /**
   * Checks and precomputes every header value once.
   *
   * @param options - origins, credentials, headers, methods, max-age; see {@link CorsOptions}.
   * @throws {@link InvalidOptionError} for an origin that is not `scheme://host[:port]`
   *   (a trailing slash never matches), `"*"` together with `credentials`
   *   (browsers reject that combination), a bad header or method name, or a bad `maxAge`.
   */
  constructor(options: CorsOptions = {}) {
    super();
    const { origins = "*", credentials = false, exposedHeaders, allowedHeaders, methods = DEFAULT_METHODS, maxAge = 600 } = options;
    const exact = new Set<string>();
    const patterns: RegExp[] = [];
    this.#any = origins === "*";
    this.#predicate = typeof origins === "function" ? origins : undefined;
    if (!this.#any && this.#predicate === undefined) {
      const list: ReadonlyArray<unknown> = Array.isArray(origins) ? origins : [origins];
      for (const origin of list) {
        if (origin instanceof RegExp) patterns.push(origin);
        else if (typeof origin === "string" && ORIGIN.test(origin)) exact.add(origin.toLowerCase());
        else throw new InvalidOptionError(`CORS origin must be "scheme://host[:port]" or a RegExp, got ${JSON.stringify(String(origin))}`);
      }
    }
    if (this.#any && credentials) {
      throw new InvalidOptionError('CORS credentials need explicit origins: browsers refuse "Access-Control-Allow-Origin: *" with credentials');
    }
    if (!Number.isSafeInteger(maxAge) || maxAge < 0) throw new InvalidOptionError(`CORS maxAge must be whole seconds >= 0, got ${String(maxAge)}`);
    this.#exact = exact;
    this.#patterns = patterns;
    this.#credentials = credentials === true;
    this.#exposed = exposedHeaders === undefined || exposedHeaders.length === 0 ? undefined : tokenList("exposedHeaders", exposedHeaders);
    this.#allowedHeaders = allowedHeaders === undefined ? undefined : tokenList("allowedHeaders", allowedHeaders);
    this.#methods = tokenList("methods", methods.map((m) => m.toUpperCase()));
    this.#maxAge = String(maxAge);
  }

  /** Answers preflights; lets every other request through. */
  override beforeRequest(request: Request): unknown {
    if (!isPreflight(request)) return undefined;
    const origin = request.headers.origin!;
    const allowed = this.#allows(origin, request);
    return typeof allowed === "boolean" ? this.#preflight(request, origin, allowed) : allowed.then((ok) => this.#preflight(request, origin, ok));
  }

  /** Adds CORS headers to the response of an allowed origin. */
  override afterRequest(request: Request, response: ResponseInit): void | Promise<void> {
    const origin = request.headers.origin;
    if (origin !== undefined && isPreflight(request)) return; // answered in beforeRequest
    // The answer depends on Origin unless every origin gets the same "*".
    if (!this.#any) appendVary(response.headers, "Origin");
    if (origin === undefined) return;
    const allowed = this.#allows(origin, request);
    if (typeof allowed === "boolean") this.#decorate(response, origin, allowed);
    else return allowed.then((ok) => this.#decorate(response, origin, ok));
  }

  #preflight(request: Request, origin: string, allowed: boolean): unknown {
    const headers: Record<string, string> = {};
    if (!this.#any) headers.vary = "Origin";
    if (!allowed) return [204, null, headers];
    headers["access-control-allow-origin"] = this.#any ? "*" : origin;
    if (this.#credentials) headers["access-control-allow-credentials"] = "true";
    headers["access-control-allow-methods"] = this.#methods;
    const requested = request.headers["access-control-request-headers"];
    if (this.#allowedHeaders !== undefined) {
      headers["access-control-allow-headers"] = this.#allowedHeaders;
    } else if (requested !== undefined && requested !== "") {
      // Reflecting the request makes the answer depend on it: caches must know.
      headers["access-control-allow-headers"] = requested;
      headers.vary = headers.vary === undefined ? "Access-Control-Request-Headers" : "Origin, Access-Control-Request-Headers";
    }
    headers["access-control-max-age"] = this.#maxAge;
    return [204, null, headers];
  }

  #decorate(response: ResponseInit, origin: string, allowed: boolean): void {
    if (!allowed) return;
    const headers = response.headers;
    headers["access-control-allow-origin"] = this.#any ? "*" : origin;
    if (this.#credentials) headers["access-control-allow-credentials"] = "true";
    if (this.#exposed !== undefined) headers["access-control-expose-headers"] = this.#exposed;
  }

  #allows(origin: string, request: Request): boolean | Promise<boolean> {
    if (this.#any) return true;
    if (this.#predicate !== undefined) {
      const verdict = this.#predicate(origin, request);
      // Only a literal true allows: a predicate returning a truthy non-boolean by mistake must not open the door.
      return typeof verdict === "boolean" ? verdict : Promise.resolve(verdict).then((v) => v === true);
    }
    if (this.#exact.has(origin.toLowerCase())) return true;
    for (const pattern of this.#patterns) {
      pattern.lastIndex = 0; // a /g or /y pattern keeps state between tests
      if (pattern.test(origin)) return true;
    }
    return false;
  }
}

function isPreflight(request: Request): boolean {
  return request.method === "OPTIONS" && request.headers.origin !== undefined && request.headers["access-control-request-method"] !== undefined;
}

function tokenList(option: string, names: readonly string[]): string {
  if (!Array.isArray(names)) throw new InvalidOptionError(`CORS ${option} must be an array of names`);
  for (const name of names) {
    if (typeof name !== "string" || !TOKEN.test(name)) throw new InvalidOptionError(`CORS ${option}: invalid name ${JSON.stringify(String(name))}`);
  }
  return names.join(", ");
}
