/**
 * Serving a folder of files under a URL prefix.
 *
 * What it does per request, in order: match the prefix (one string
 * comparison for every other URL); decode and vet each path segment; resolve
 * symlinks and refuse anything that lands outside the folder; stat once;
 * answer conditional requests (304) and ranges (206/416); stream the file.
 *
 * Traversal defence, segment by segment after percent-decoding: `.` and `..`,
 * an encoded `/` or `\`, and (on Windows) `:` are refused with 403; NUL and
 * bad percent-encoding with 400. The path is then built from vetted segments
 * only, so it cannot be absolute or climb out lexically, and its real path
 * must still lie inside the folder's real path (a symlink pointing out → 403).
 * Files under a dot-named segment (`.env`, `.git/`) are hidden by default.
 *
 * A file that is not there (or a directory without its index) falls through
 * to the app's routes, so `prefix: "/"` can sit in front of the app.
 *
 * @module
 */
import { realpathSync, statSync, type Stats } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { join, sep } from "node:path";

import { ERRORS, HttpError, InvalidOptionError } from "../protocol/errors.js";
import { HttpMiddleware } from "../core/middleware.js";
import type { Request } from "../core/request.js";
import { parseRange } from "./byte-range.js";
import { fileBody } from "./file-body.js";
import { contentTypeLookup } from "./mime-types.js";

/** What to do with files whose path has a segment starting with a dot. */
export type DotfilesPolicy = "ignore" | "deny" | "allow";

/** Options for {@link StaticFiles}. */
export interface StaticFilesOptions {
  /** The folder to serve. It must exist. */
  root: string;
  /** The URL prefix the folder is served under. Default `"/static"`; `"/"` serves it at the root. */
  prefix?: string;
  /** `Cache-Control: max-age` in seconds. Default 0 (revalidate every time, with ETag/304). */
  maxAge?: number;
  /** Add `immutable` (for fingerprinted file names: browsers skip revalidation). Default false. */
  immutable?: boolean;
  /** A full `Cache-Control` value, replacing `maxAge`/`immutable`; `false` sends none. */
  cacheControl?: string | false;
  /** Dot-named files and folders: `"ignore"` (as if absent, default), `"deny"` (403) or `"allow"`. */
  dotfiles?: DotfilesPolicy;
  /** The file served for a directory URL ending in `/`. Default `"index.html"`; `false` for none. */
  index?: string | false;
  /** Extra extension → content type entries, e.g. `{ glb: "model/gltf-binary" }`. */
  types?: Readonly<Record<string, string>>;
}

/** The catalogue entries a static request can fail with. */
export const STATIC_ERRORS = { BAD_PATH: ERRORS.STATIC_BAD_PATH, FORBIDDEN: ERRORS.STATIC_FORBIDDEN } as const;

const DOTFILES: ReadonlySet<string> = new Set(["ignore", "deny", "allow"]);
const BAD_HEADER_VALUE = /[\r\n\0]/;
const WINDOWS = process.platform === "win32";
/** Sentinel: let the request through to the app (file absent or hidden). */
const PASS = undefined;

/** A file found on disk, inside the root. */
interface Found {
  path: string;
  stats: Stats;
}

/**
 * Static file middleware.
 *
 * @example
 * ```ts
 * app.middlewares.push(new StaticFiles({ root: "public", prefix: "/static", maxAge: 3600 }));
 * // GET /static/css/site.css → public/css/site.css
 * ```
 */
export class StaticFiles extends HttpMiddleware {
  /** The real (symlink-free) path of the served folder. */
  readonly root: string;
  readonly prefix: string;
  readonly #rootWithSep: string;
  /** The prefix as it appears before a file path: "" for "/". */
  readonly #base: string;
  readonly #cacheControl: string | undefined;
  readonly #dotfiles: DotfilesPolicy;
  readonly #index: string | undefined;
  readonly #typeOf: (fileName: string) => string;

  /**
   * Resolves the folder and precomputes the headers that never change.
   *
   * @param options - folder, prefix, caching, dotfiles, index; see {@link StaticFilesOptions}.
   * @throws {@link InvalidOptionError} when `root` is not an existing folder, or
   *   `prefix`, `maxAge`, `cacheControl`, `dotfiles` or `index` is invalid.
   */
  constructor(options: StaticFilesOptions) {
    super();
    const { root, prefix = "/static", maxAge = 0, immutable = false, cacheControl, dotfiles = "ignore", index = "index.html", types } = options ?? ({} as StaticFilesOptions);
    if (typeof root !== "string" || root === "") throw new InvalidOptionError("StaticFiles root must be a folder path");
    let real: string;
    try {
      real = realpathSync(root);
    } catch {
      throw new InvalidOptionError(`StaticFiles root ${JSON.stringify(root)} does not exist`);
    }
    if (!statSync(real).isDirectory()) throw new InvalidOptionError(`StaticFiles root ${JSON.stringify(root)} is not a folder`);
    if (typeof prefix !== "string" || !prefix.startsWith("/") || (prefix !== "/" && prefix.endsWith("/")) || /[?#%\s]/.test(prefix)) {
      throw new InvalidOptionError(`StaticFiles prefix must start with "/" and not end with one (or be "/"), got ${JSON.stringify(prefix)}`);
    }
    if (!Number.isSafeInteger(maxAge) || maxAge < 0) throw new InvalidOptionError(`StaticFiles maxAge must be whole seconds >= 0, got ${String(maxAge)}`);
    if (cacheControl !== undefined && cacheControl !== false && (typeof cacheControl !== "string" || BAD_HEADER_VALUE.test(cacheControl))) {
      throw new InvalidOptionError("StaticFiles cacheControl must be a header value or false");
    }
    if (!DOTFILES.has(dotfiles)) throw new InvalidOptionError(`StaticFiles dotfiles must be "ignore", "deny" or "allow", got ${String(dotfiles)}`);
    if (index !== false && (typeof index !== "string" || index === "" || /[\\/\0]/.test(index))) {
      throw new InvalidOptionError("StaticFiles index must be a file name or false");
    }
    this.root = real;
    this.prefix = prefix;
    this.#rootWithSep = real.endsWith(sep) ? real : real + sep;
    this.#base = prefix === "/" ? "" : prefix;
    this.#cacheControl = cacheControl === false ? undefined : cacheControl ?? `public, max-age=${maxAge}${immutable ? ", immutable" : ""}`;
    this.#dotfiles = dotfiles;
    this.#index = index === false ? undefined : index;
    this.#typeOf = contentTypeLookup(types);
  }

  /** Serves GET and HEAD requests under the prefix; lets everything else through. */
  override beforeRequest(request: Request): unknown {
    const method = request.method;
    if (method !== "GET" && method !== "HEAD") return PASS;
    const path = request.path;
    const base = this.#base;
    if (base !== "" && !(path.startsWith(base) && (path.length === base.length || path.charCodeAt(base.length) === 47))) return PASS;
    const segments = this.#segments(path.slice(base.length));
    if (segments === PASS) return PASS;
    return this.#serve(request, segments, path.endsWith("/"));
  }

  /**
   * Decodes and vets the segments after the prefix.
   *
   * @throws {@link HttpError} 400 for bad encoding or NUL, 403 for traversal or a denied dotfile.
   */
  #segments(rest: string): string[] | undefined {
    const segments: string[] = [];
    for (const raw of rest.split("/")) {
      if (raw === "") continue; // "//" and the leading "/": never an absolute path, see the join below
      let segment = raw;
      if (raw.includes("%")) {
        try {
          segment = decodeURIComponent(raw);
        } catch {
          throw HttpError.of(ERRORS.BAD_PATH_ENCODING);
        }
      }
      if (segment.includes("\0")) throw HttpError.of(STATIC_ERRORS.BAD_PATH);
      if (segment === "." || segment === ".." || segment.includes("/") || segment.includes("\\") || (WINDOWS && segment.includes(":"))) {
        throw HttpError.of(STATIC_ERRORS.FORBIDDEN);
      }
      if (segment.charCodeAt(0) === 46 /* "." */) {
        if (this.#dotfiles === "deny") throw HttpError.of(STATIC_ERRORS.FORBIDDEN);
        if (this.#dotfiles === "ignore") return PASS;
      }
      segments.push(segment);
    }
    return segments;
  }

  async #serve(request: Request, segments: string[], trailingSlash: boolean): Promise<unknown> {
    let found = await this.#find(join(this.root, ...segments));
    if (found === PASS) return PASS;
    if (found.stats.isDirectory()) {
      if (!trailingSlash) {
        // Relative links in the index page resolve against the URL: give it its slash.
        // Built from vetted segments, so it can never become "//host" (an open redirect).
        const query = request.scope.rawQuery;
        const location = `${this.#base}/${segments.map(encodeURIComponent).join("/")}${segments.length > 0 ? "/" : ""}${query === "" ? "" : `?${query}`}`;
        return [301, "", { location }];
      }
      if (this.#index === undefined) return PASS;
      found = await this.#find(join(found.path, this.#index));
      if (found === PASS) return PASS;
    }
    if (!found.stats.isFile()) return PASS; // FIFOs, sockets, devices: never opened
    return this.#respond(request, found);
  }

  /** The real path and stats of `path`, or PASS when absent; 403 when it resolves outside the root. */
  async #find(path: string): Promise<Found | undefined> {
    let real: string;
    let stats: Stats;
    try {
      real = await realpath(path);
      if (real !== this.root && !real.startsWith(this.#rootWithSep)) throw HttpError.of(STATIC_ERRORS.FORBIDDEN);
      stats = await stat(real);
    } catch (error) {
      if (error instanceof HttpError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EACCES" || code === "EPERM") throw HttpError.of(STATIC_ERRORS.FORBIDDEN);
      if (code === "ENOENT" || code === "ENOTDIR" || code === "ENAMETOOLONG" || code === "ELOOP" || code === "EINVAL") return PASS;
      throw error;
    }
    return { path: real, stats };
  }

  #respond(request: Request, { path, stats }: Found): unknown {
    const size = stats.size;
    const etag = `W/"${size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`;
    const mtimeSeconds = Math.floor(stats.mtimeMs / 1000);
    const headers: Record<string, string> = {
      "content-type": this.#typeOf(path),
      etag,
      "last-modified": new Date(mtimeSeconds * 1000).toUTCString(),
      "accept-ranges": "bytes",
      // Never let a browser sniff an uploaded .txt into HTML.
      "x-content-type-options": "nosniff",
    };
    if (this.#cacheControl !== undefined) headers["cache-control"] = this.#cacheControl;
    if (isNotModified(request.headers, etag, mtimeSeconds)) return [304, "", headers];

    const rangeHeader = request.headers.range;
    const range = rangeHeader !== undefined && ifRangeHolds(request.headers["if-range"], mtimeSeconds) ? parseRange(rangeHeader, size) : undefined;
    if (range === "unsatisfiable") {
      return [416, "Range Not Satisfiable", { "content-range": `bytes */${size}`, "content-type": "text/plain; charset=utf-8", "accept-ranges": "bytes" }];
    }
    const start = range?.start ?? 0;
    const end = range?.end ?? size - 1;
    headers["content-length"] = String(end - start + 1);
    if (range !== undefined) headers["content-range"] = `bytes ${start}-${end}/${size}`;
    const status = range === undefined ? 200 : 206;
    // HEAD: the same headers, no body (the file is not opened).
    const body = request.method === "HEAD" || size === 0 ? "" : fileBody(path, start, end);
    return [status, body, headers];
  }
}

/**
 * RFC 9110 §13.1.2–3: If-None-Match (weak comparison) wins over
 * If-Modified-Since, which is only consulted without it.
 */
function isNotModified(headers: Request["headers"], etag: string, mtimeSeconds: number): boolean {
  const ifNoneMatch = headers["if-none-match"];
  if (ifNoneMatch !== undefined) {
    const opaque = etag.slice(2); // without "W/"
    for (const candidate of ifNoneMatch.split(",")) {
      const tag = candidate.trim();
      if (tag === "*" || tag === opaque || tag === etag || (tag.startsWith("W/") && tag.slice(2) === opaque)) return true;
    }
    return false;
  }
  const ifModifiedSince = headers["if-modified-since"];
  if (ifModifiedSince === undefined) return false;
  const since = Date.parse(ifModifiedSince);
  return Number.isFinite(since) && mtimeSeconds * 1000 <= since;
}

/**
 * RFC 9110 §13.1.5: a Range is honoured only if If-Range still matches. Our
 * ETags are weak, and If-Range needs a strong match, so only the date form
 * (an exact Last-Modified) can match; anything else means "send it all".
 */
function ifRangeHolds(ifRange: string | undefined, mtimeSeconds: number): boolean {
  if (ifRange === undefined) return true;
  if (ifRange.startsWith('"') || ifRange.startsWith("W/")) return false;
  return Date.parse(ifRange) === mtimeSeconds * 1000;
}
