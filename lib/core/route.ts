/**
 * Explicit routes, for what method names can't express: path patterns such
 * as `/users/:id/posts` and handlers restricted to some HTTP methods (405 + `Allow`).
 *
 * Patterns are matched segment by segment with plain string compares: no
 * regular expression is built, so no pattern can backtrack.
 *
 * @module
 */
import { InvalidOptionError, UnboundRouteParameterError } from "../protocol/errors.js";
import { isStandardSchema, type StandardSchemaV1 } from "../protocol/standard-schema.js";
import { parseSignature } from "./signature.js";

/** Options for {@link route}. */
export interface RouteOptions {
  /** HTTP methods this handler answers (upper-case); all when omitted. `GET` implies `HEAD`. */
  methods?: readonly string[];
  /**
   * A Standard Schema (zod, valibot, arktype, …) for the JSON body. An invalid
   * body (or none) is answered 422 with the issues, before the handler runs;
   * otherwise the handler sees the schema's output: `this.request.json()`
   * returns it and parameters bind from its top-level keys.
   */
  schema?: StandardSchemaV1;
}

/** A route declared with {@link route} or `app.route()`. */
export interface RouteDeclaration {
  /** `undefined`: the method's own name is its path, only its methods are restricted. */
  pattern: string | undefined;
  methods: ReadonlySet<string> | undefined;
  schema: StandardSchemaV1 | undefined;
}

/** Where a decorated method keeps its declarations (read once when the route table is built). */
export const ROUTES = Symbol("upie.routes");

type Segment = { kind: "literal"; value: string } | { kind: "param"; name: string } | { kind: "rest"; name: string };

/** A compiled pattern: a list of segments, the last of which may be a rest (`*name`). */
export class RoutePattern {
  readonly source: string;
  readonly #segments: Segment[];
  readonly #rest: boolean;
  /** Parameter names in order, for binding. */
  readonly paramNames: string[];

  constructor(source: string) {
    if (typeof source !== "string" || !source.startsWith("/")) {
      throw new InvalidOptionError(`route pattern must start with "/": ${String(source)}`);
    }
    this.source = source;
    const parts = source.split("/").filter((p) => p !== "");
    this.#segments = parts.map((part, i) => {
      if (part.startsWith(":")) return { kind: "param", name: checkName(part.slice(1), source) };
      if (part.startsWith("*")) {
        if (i !== parts.length - 1) throw new InvalidOptionError(`"*" must be the last segment: ${source}`);
        return { kind: "rest", name: checkName(part.slice(1) || "rest", source) };
      }
      return { kind: "literal", value: part };
    });
    this.#rest = this.#segments.at(-1)?.kind === "rest";
    this.paramNames = this.#segments.flatMap((s) => (s.kind === "literal" ? [] : [s.name]));
  }

  /**
   * Matches decoded path segments; returns the named parameters (a rest
   * parameter gets the remaining segments joined by "/"), or undefined.
   */
  match(segments: readonly string[]): Record<string, string> | undefined {
    const patternLength = this.#segments.length;
    if (this.#rest ? segments.length < patternLength - 1 : segments.length !== patternLength) return undefined;
    const params: Record<string, string> = Object.create(null);
    for (let i = 0; i < patternLength; i++) {
      const segment = this.#segments[i]!;
      if (segment.kind === "literal") {
        if (segments[i] !== segment.value) return undefined;
      } else if (segment.kind === "param") {
        params[segment.name] = segments[i]!;
      } else {
        params[segment.name] = segments.slice(i).join("/");
      }
    }
    return params;
  }
}

function checkName(name: string, source: string): string {
  if (!/^[A-Za-z_$][\w$]*$/.test(name)) throw new InvalidOptionError(`bad parameter name "${name}" in ${source}`);
  return name;
}

/**
 * Checks that every `:name` / `*name` of `pattern` is a parameter of `fn`, so a
 * mismatch fails where the route is declared instead of as a 400 on every request.
 * The usual cause is a rename: esbuild (so tsx) renames a parameter that shadows
 * an import (`post` → `post2`).
 *
 * @param label - the method's name, for the message.
 * @param firstBound - parameters before this index are not bound from the path (a `ws_` method's socket).
 * @throws UnboundRouteParameterError naming the method, the pattern and the parameters seen.
 */
export function assertParamsBound(pattern: RoutePattern, fn: Function, label: string, firstBound: number): void {
  const seen = parseSignature(fn).slice(firstBound).flatMap((p) => (p.name === undefined ? [] : [p.name]));
  for (const name of pattern.paramNames) {
    if (seen.includes(name)) continue;
    throw new UnboundRouteParameterError(
      `route ${pattern.source} on ${label}: the pattern's parameter "${name}" is not a parameter of ${label} ` +
        `(its parameters: ${seen.length === 0 ? "(none)" : seen.join(", ")}). Rename one so they match; ` +
        `a bundler renames a parameter that shadows an import (post → post2).`,
    );
  }
}

/** A `ws_` method's first parameter is its socket, never bound from the path. */
export function firstBoundOf(methodName: string): number {
  return methodName.startsWith("ws_") ? 1 : 0;
}

/**
 * Checks a `schema` option: a Standard Schema, on an HTTP route.
 *
 * @throws InvalidOptionError otherwise.
 */
export function checkSchema(schema: unknown, websocket: boolean): StandardSchemaV1 | undefined {
  if (schema === undefined) return undefined;
  if (!isStandardSchema(schema)) throw new InvalidOptionError("schema must be a Standard Schema validator (zod, valibot, arktype, …)");
  if (websocket) throw new InvalidOptionError("schema validates HTTP bodies; in a ws_ handler use ws.receiveJson(schema)");
  return schema;
}

/** Normalises a methods option to an upper-case set (GET brings HEAD along). */
export function methodSet(methods: readonly string[] | undefined): ReadonlySet<string> | undefined {
  if (methods === undefined) return undefined;
  if (!Array.isArray(methods) || methods.length === 0 || !methods.every((m) => typeof m === "string" && /^[A-Za-z]+$/.test(m))) {
    throw new InvalidOptionError(`methods must be a non-empty list of HTTP method names`);
  }
  const set = new Set(methods.map((m) => m.toUpperCase()));
  if (set.has("GET")) set.add("HEAD");
  return set;
}

/**
 * Declares an explicit route on a handler method. Works as a standard (TC39)
 * decorator and as a legacy TypeScript `experimentalDecorators` one.
 * A decorated method is served only where its declarations say.
 *
 * @param pattern - `/users/:id/posts`; `*name` as the last segment takes the rest.
 *   Omit it to keep the method-name URL and only restrict the methods.
 * @example
 * ```ts
 * class Api extends App {
 *   @route("/users/:id/posts", { methods: ["GET"] })
 *   async userPosts(id: string) { return posts.of(id); }
 *   @route({ methods: ["POST"] })
 *   async login(username: string) { ... }   // POST /login only; GET → 405
 * }
 * ```
 */
export function route(pattern: string, options?: RouteOptions): (...args: any[]) => void;
export function route(options: RouteOptions): (...args: any[]) => void;
export function route(patternOrOptions: string | RouteOptions, maybeOptions: RouteOptions = {}) {
  const pattern = typeof patternOrOptions === "string" ? patternOrOptions : undefined;
  const options = typeof patternOrOptions === "string" ? maybeOptions : patternOrOptions;
  // Fail at class definition, not at the first request.
  const compiled = pattern === undefined ? undefined : new RoutePattern(pattern);
  const declaration: RouteDeclaration = { pattern, methods: methodSet(options.methods), schema: checkSchema(options.schema, false) };
  return (...args: any[]) => {
    // Standard decorators get (method, context); legacy ones (prototype, key, descriptor).
    const standard = typeof args[0] === "function";
    const fn = standard ? args[0] : args[2]?.value;
    if (typeof fn !== "function") throw new InvalidOptionError("@route decorates methods only");
    const name = String(standard ? args[1]?.name : args[1]);
    if (compiled !== undefined) assertParamsBound(compiled, fn, name, firstBoundOf(name));
    checkSchema(declaration.schema, firstBoundOf(name) === 1);
    (fn[ROUTES] ??= []).push(declaration);
  };
}

/**
 * Restricts a handler to POST (other methods get 405 with `Allow: POST`):
 * the short way to say a handler changes state. A route that answers GET
 * takes its parameters from the query, so a link or an `<img>` on another
 * site could call it with the victim's cookies, and no CSRF check applies to
 * GET. `@post()` keeps the method-name URL; `@post("/pattern")` adds a pattern;
 * `@post({ schema })` validates the JSON body (see {@link RouteOptions.schema}).
 *
 * @example
 * ```ts
 * class Bank extends App {
 *   @post() async transfer(to: string, amount: string) { ... }   // POST /transfer only
 *   @get() async balance() { ... }                                // GET and HEAD only
 * }
 * ```
 */
export function post(pattern?: string, options?: Omit<RouteOptions, "methods">): (...args: any[]) => void;
export function post(options: Omit<RouteOptions, "methods">): (...args: any[]) => void;
export function post(patternOrOptions?: string | Omit<RouteOptions, "methods">, options: Omit<RouteOptions, "methods"> = {}) {
  return restricted("POST", patternOrOptions, options);
}

/**
 * Restricts a handler to GET (and HEAD): other methods get 405 with `Allow`.
 * See {@link post}.
 */
export function get(pattern?: string, options?: Omit<RouteOptions, "methods">): (...args: any[]) => void;
export function get(options: Omit<RouteOptions, "methods">): (...args: any[]) => void;
export function get(patternOrOptions?: string | Omit<RouteOptions, "methods">, options: Omit<RouteOptions, "methods"> = {}) {
  return restricted("GET", patternOrOptions, options);
}

function restricted(method: string, patternOrOptions: string | Omit<RouteOptions, "methods"> | undefined, options: Omit<RouteOptions, "methods">) {
  const pattern = typeof patternOrOptions === "string" ? patternOrOptions : undefined;
  const rest = typeof patternOrOptions === "object" && patternOrOptions !== null ? patternOrOptions : options;
  const full: RouteOptions = { ...rest, methods: [method] };
  return pattern === undefined ? route(full) : route(pattern, full);
}
