/**
 * The route table: built once, from the methods the user's subclasses
 * declare, plus explicit routes. A request's lookup is one `Map` hit (and a
 * short scan of explicit patterns when there are any).
 *
 * @module
 */
import { ERRORS, HttpError } from "../protocol/errors.js";
import { methodSet, ROUTES, RoutePattern, type RouteDeclaration } from "./route.js";
import { parseSignature, type ParamSpec } from "./signature.js";
import type { StandardSchemaV1 } from "../protocol/standard-schema.js";

/** A routable handler with everything binding needs, computed at start-up. */
export interface Handler {
  name: string;
  fn: Function;
  params: ParamSpec[];
  /** Index of the first parameter bound from the request (1 for WebSocket handlers: 0 is the socket). */
  firstBound: number;
  /** How many path segments the handler can take positionally (Infinity with a rest parameter). */
  capacity: number;
  methods: ReadonlySet<string> | undefined;
  /** Validates the JSON body before the handler runs (the `schema` route option). */
  schema: StandardSchemaV1 | undefined;
}

/** The outcome of a lookup. */
export interface RouteMatch {
  handler: Handler;
  /** Segments bound to parameters by position (name routes). */
  positional: readonly string[];
  /** Segments bound by name (explicit patterns). */
  named: Record<string, string> | undefined;
}

interface PatternRoute {
  pattern: RoutePattern;
  handler: Handler;
}

/** An explicit route added with `app.route()`. */
export interface ExplicitRoute {
  pattern: string;
  fn: Function;
  methods?: readonly string[];
  websocket?: boolean;
  schema?: StandardSchemaV1;
}

const WS_PREFIX = "ws_";
const NO_SEGMENTS: readonly string[] = Object.freeze([]);

/**
 * Names that are never routes even when a subclass redefines them: everything
 * `App` and `Object.prototype` have (`constructor`, `toString`, `listen`, …).
 */
function reservedNames(base: object): Set<string> {
  const names = new Set<string>(["constructor", "__proto__"]);
  for (let proto: object | null = base; proto !== null; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) names.add(name);
  }
  return names;
}

function makeHandler(
  name: string,
  fn: Function,
  firstBound: number,
  methods: ReadonlySet<string> | undefined,
  schema: StandardSchemaV1 | undefined = undefined,
): Handler {
  const params = parseSignature(fn);
  const bound = params.slice(firstBound);
  const rest = bound.some((p) => p.rest);
  return { name, fn, params, firstBound, capacity: rest ? Infinity : bound.length, methods, schema };
}

/** Routes of one kind (HTTP or WebSocket) for one app. */
export class RouteTable {
  readonly #byName = new Map<string, Handler>();
  readonly #patterns: PatternRoute[] = [];
  #index: Handler | undefined;
  /** The match for `/`, built once: `/` is the hottest route and a match is only read. */
  #indexMatch: RouteMatch | undefined;
  readonly #websocket: boolean;

  /**
   * Collects the routes of `app`: own methods of every prototype between the
   * app's class and `base` (App.prototype), most derived first.
   */
  constructor(app: object, base: object, explicit: readonly ExplicitRoute[], websocket: boolean) {
    this.#websocket = websocket;
    const firstBound = websocket ? 1 : 0;
    const reserved = reservedNames(base);
    const seen = new Set<string>();
    for (let proto = Object.getPrototypeOf(app); proto !== null && proto !== base; proto = Object.getPrototypeOf(proto)) {
      for (const key of Object.getOwnPropertyNames(proto)) {
        if (seen.has(key)) continue;
        seen.add(key);
        const fn = Object.getOwnPropertyDescriptor(proto, key)?.value;
        if (typeof fn !== "function" || key.startsWith("_") || reserved.has(key)) continue;
        const isWs = key.startsWith(WS_PREFIX);
        if (isWs !== websocket) continue;
        const name = isWs ? key.slice(WS_PREFIX.length) : key;
        if (name.startsWith("_")) continue;
        const declarations: RouteDeclaration[] | undefined = fn[ROUTES];
        if (declarations === undefined) {
          this.#addName(name, makeHandler(key, fn, firstBound, undefined));
          continue;
        }
        for (const d of declarations) {
          const handler = makeHandler(key, fn, firstBound, d.methods, d.schema);
          if (d.pattern === undefined) this.#addName(name, handler);
          else this.#patterns.push({ pattern: new RoutePattern(d.pattern), handler });
        }
      }
    }
    for (const r of explicit) {
      if (Boolean(r.websocket) !== websocket) continue;
      const handler = makeHandler(r.fn.name || r.pattern, r.fn, firstBound, methodSet(r.methods), r.schema);
      this.#patterns.push({ pattern: new RoutePattern(r.pattern), handler });
    }
  }

  #addName(name: string, handler: Handler): void {
    if (name === "index" || (this.#websocket && name === "")) {
      this.#index = handler;
      this.#indexMatch = undefined;
    } else this.#byName.set(name, handler);
  }

  /**
   * Finds the handler for decoded `segments`.
   *
   * @throws HttpError 404 when nothing matches, 405 (with `Allow`) when only the method is wrong.
   */
  match(method: string, segments: readonly string[]): RouteMatch {
    let allowed: Set<string> | undefined;
    if (this.#patterns.length > 0) {
      for (const { pattern, handler } of this.#patterns) {
        const named = pattern.match(segments);
        if (named === undefined) continue;
        if (handler.methods === undefined || handler.methods.has(method)) return { handler, positional: NO_SEGMENTS, named };
        allowed ??= new Set();
        for (const m of handler.methods) allowed.add(m);
      }
    }
    if (allowed === undefined) {
      const found = this.#matchName(segments);
      if (found !== undefined) {
        const methods = found.handler.methods;
        if (methods === undefined || methods.has(method)) return found;
        allowed = new Set(methods);
      }
    }
    if (allowed !== undefined) {
      throw HttpError.of(ERRORS.METHOD_NOT_ALLOWED, undefined, { allow: [...allowed].sort().join(", ") });
    }
    throw HttpError.of(ERRORS.NOT_FOUND);
  }

  #matchName(segments: readonly string[]): RouteMatch | undefined {
    if (segments.length === 0) {
      if (this.#index === undefined) return undefined;
      return (this.#indexMatch ??= { handler: this.#index, positional: NO_SEGMENTS, named: undefined });
    }
    const handler = this.#byName.get(segments[0]!);
    if (handler !== undefined) {
      const positional = segments.length === 1 ? NO_SEGMENTS : segments.slice(1);
      return positional.length <= handler.capacity ? { handler, positional, named: undefined } : undefined;
    }
    // MicroPie's fallback: an index that takes parameters receives every segment.
    const index = this.#index;
    if (index !== undefined && index.capacity > 0 && segments.length <= index.capacity) {
      return { handler: index, positional: segments, named: undefined };
    }
    return undefined;
  }
}
