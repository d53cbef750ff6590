/**
 * Reads a handler's parameter list from its source text, once, at start-up.
 *
 * Binding is by parameter name (MicroPie's rule), so upie needs the names, which
 * one is a rest parameter, and which have defaults. Defaults are never evaluated
 * here: a missing value is passed as `undefined` and JavaScript applies the default.
 *
 * @module
 */

/** One parameter of a handler. `name` is undefined for destructuring patterns. */
export interface ParamSpec {
  name: string | undefined;
  hasDefault: boolean;
  rest: boolean;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * Returns the parameters of `fn` as written in its source.
 *
 * @example
 * ```ts
 * parseParams(async function greet(name = "Guest") {}) // [{ name: "name", hasDefault: true, rest: false }]
 * ```
 */
export function parseSignature(fn: Function): ParamSpec[] {
  const source = Function.prototype.toString.call(fn);
  const open = findParamListStart(source);
  if (open === -1) {
    // `x => …` or `async x => …`: a single bare parameter.
    const arrow = source.indexOf("=>");
    const name = source.slice(0, arrow).replace(/^\s*async\s+/, "").trim();
    return IDENTIFIER.test(name) ? [{ name, hasDefault: false, rest: false }] : [];
  }
  return splitTopLevel(source, open).map(toParamSpec).filter((p): p is ParamSpec => p !== undefined);
}

/** Index of the `(` opening the parameter list, or -1 for a bare arrow parameter. */
function findParamListStart(source: string): number {
  const paren = source.indexOf("(");
  const arrow = source.indexOf("=>");
  if (arrow !== -1 && (paren === -1 || arrow < paren)) return -1;
  return paren;
}

/** Splits the text between the `(` at `open` and its matching `)` on top-level commas. */
function splitTopLevel(source: string, open: number): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open + 1; i < source.length; i++) {
    const c = source[i];
    if (c === '"' || c === "'" || c === "`") {
      i = skipString(source, i, c);
    } else if (c === "/" && source[i + 1] === "/") {
      i = source.indexOf("\n", i);
      if (i === -1) break;
    } else if (c === "/" && source[i + 1] === "*") {
      i = source.indexOf("*/", i + 2) + 1;
      if (i === 0) break;
    } else if (c === "(" || c === "[" || c === "{") {
      depth++;
    } else if (c === ")" || c === "]" || c === "}") {
      if (depth === 0) {
        parts.push(source.slice(start, i));
        break;
      }
      depth--;
    } else if (c === "," && depth === 0) {
      parts.push(source.slice(start, i));
      start = i + 1;
    }
  }
  return parts;
}

/** Returns the index of the quote closing the string that opens at `i`. */
function skipString(source: string, i: number, quote: string): number {
  for (let j = i + 1; j < source.length; j++) {
    if (source[j] === "\\") j++;
    else if (source[j] === quote) return j;
  }
  return source.length;
}

function toParamSpec(raw: string): ParamSpec | undefined {
  const text = raw.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/[^\n]*/g, "").trim();
  if (text === "") return undefined; // trailing comma
  const rest = text.startsWith("...");
  const body = rest ? text.slice(3).trim() : text;
  const eq = body.indexOf("=");
  const head = (eq === -1 ? body : body.slice(0, eq)).trim();
  return { name: IDENTIFIER.test(head) ? head : undefined, hasDefault: eq !== -1, rest };
}
