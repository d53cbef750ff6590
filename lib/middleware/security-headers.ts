/**
 * Security headers every response gets unless its handler set them: a strict
 * Content-Security-Policy (this origin's scripts, styles, images and
 * connections only; no inline script, so injected markup cannot run; no
 * framing), `X-Content-Type-Options: nosniff` and a same-origin referrer policy.
 *
 * @module
 */
import { HttpMiddleware } from "../core/middleware.js";
import type { Request } from "../core/request.js";
import type { ResponseInit } from "../core/response.js";
import { InvalidOptionError } from "../protocol/errors.js";

/** Options for {@link SecurityHeaders}; `false` leaves a header out. */
export interface SecurityHeadersOptions {
  /** Default: {@link DEFAULT_CONTENT_SECURITY_POLICY}. */
  contentSecurityPolicy?: string | false;
  /** Default `"same-origin"`: other sites never learn the URLs of your pages. */
  referrerPolicy?: string | false;
  /** `X-Content-Type-Options: nosniff` (a browser trusts the Content-Type). Default true. */
  noSniff?: boolean;
  /** E.g. `"no-store"` for pages that show private data. Default: none. */
  cacheControl?: string | false;
  /**
   * E.g. `"max-age=31536000; includeSubDomains"`. Only meaningful behind HTTPS,
   * and sticky in browsers for its max-age, so it is off unless asked for.
   */
  strictTransportSecurity?: string | false;
}

/**
 * Scripts, styles, images (and `data:` images) and connections from this
 * origin only; no `<base>` tricks; forms post only here; no framing
 * (`frame-ancestors 'none'` is clickjacking protection, CSP Level 2).
 */
export const DEFAULT_CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

// uWS writes header values raw: a CR or LF would split the response.
const UNSAFE_VALUE = /[\r\n\0]/;

/**
 * Adds the headers to every response, error responses included. A header the
 * handler already set is left alone, so one page can loosen its own policy.
 *
 * @example
 * ```ts
 * import { App, SecurityHeaders } from "upie";
 * const app = new App();
 * app.middlewares.push(new SecurityHeaders({ cacheControl: "no-store" }));
 * ```
 */
export class SecurityHeaders extends HttpMiddleware {
  readonly #headers: ReadonlyArray<readonly [string, string]>;

  /** @throws InvalidOptionError for a value that is not a string or holds CR, LF or NUL. */
  constructor(options: SecurityHeadersOptions = {}) {
    super();
    const wanted: Array<[string, string | false | undefined]> = [
      ["content-security-policy", options.contentSecurityPolicy ?? DEFAULT_CONTENT_SECURITY_POLICY],
      ["x-content-type-options", options.noSniff === false ? false : "nosniff"],
      ["referrer-policy", options.referrerPolicy ?? "same-origin"],
      ["cache-control", options.cacheControl],
      ["strict-transport-security", options.strictTransportSecurity],
    ];
    this.#headers = wanted.flatMap(([name, value]) => {
      if (value === false || value === undefined) return [];
      if (typeof value !== "string" || value === "" || UNSAFE_VALUE.test(value)) {
        throw new InvalidOptionError(`SecurityHeaders: ${name} must be a non-empty string without CR, LF or NUL`);
      }
      return [[name, value] as const];
    });
  }

  override afterRequest(_request: Request, response: ResponseInit): void {
    const headers = response.headers;
    for (const [name, value] of this.#headers) headers[name] ??= value;
  }
}
