/**
 * Reads a handler's parameter list from its source text, once, at start-up.
 *
 * Binding is by parameter name (MicroPie's rule), so upie needs the names, which
 * one is a rest parameter, and which have defaults. Defaults are never evaluated
 * here: a missing value is passed as `undefined` and JavaScript applies the default.
 *
 * @module
 */

import { UnreadableSignatureError } from "../protocol/errors.js";

/** One parameter of a handler. `name` is undefined for destructuring patterns. */
export interface ParamSpec {
  name: string | undefined;
  hasDefault: boolean;
  rest: boolean;
}

/** A plain parameter name (any Unicode identifier, as JavaScript allows). */
const IDENTIFIER = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*$/u;
/** A character of an identifier, keyword or number. */
const WORD_CHAR = /[\p{ID_Continue}$\u200c\u200d]/u;
const CLOSER: Readonly<Record<string, string>> = { "(": ")", "[": "]", "{": "}" };
/** Words after which a `/` starts a regex literal; after any other word (a value) it divides. */
const KEYWORDS_BEFORE_EXPRESSION = new Set(["await", "case", "delete", "do", "else", "in", "instanceof", "new", "of", "return", "throw", "typeof", "void", "yield"]);

/**
 * Returns the parameters of `fn` as written in its source.
 *
 * @throws {@link UnreadableSignatureError} when the source cannot be read with
 *   certainty (a default too tangled to skip, or fewer parameters than
 *   `fn.length` says, as in a bound function): binding is by name, so a
 *   misread would leave parameters silently unbound.
 * @example
 * ```ts
 * parseSignature(async function greet(name = "Guest") {}) // [{ name: "name", hasDefault: true, rest: false }]
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
  const label = fn.name || "(anonymous)";
  const params = new ParamListScanner(source, label).split(open).map(toParamSpec).filter((p): p is ParamSpec => p !== undefined);
  // `fn.length` counts the parameters before the first default or rest one: a cheap check that none was lost.
  const leading = params.findIndex((p) => p.hasDefault || p.rest);
  if ((leading === -1 ? params.length : leading) !== fn.length) {
    throw new UnreadableSignatureError(
      `cannot read the parameters of ${label}: its source shows ${params.length === 0 ? "none" : params.map((p) => p.name ?? "(pattern)").join(", ")}, ` +
        `but it has ${fn.length} before its first default. upie binds parameters by name, so declare the handler as a method or function, not a bound one.`,
    );
  }
  return params;
}

/** Index of the `(` opening the parameter list, or -1 for a bare arrow parameter. */
function findParamListStart(source: string): number {
  const paren = source.indexOf("(");
  const arrow = source.indexOf("=>");
  if (arrow !== -1 && (paren === -1 || arrow < paren)) return -1;
  return paren;
}

/**
 * Reads a parameter list the way the language does, as far as splitting it
 * needs: brackets balance, and strings, template literals (their `${}` code
 * included), regex literals and comments are skipped whole, so no bracket or
 * comma inside them counts. A `/` starts a regex literal unless it follows a
 * value (a name, a number, a literal, `)`, `]` or `}`), the rule the
 * language's own grammar approximates with lookahead.
 */
class ParamListScanner {
  readonly #source: string;
  readonly #label: string;

  constructor(source: string, label: string) {
    this.#source = source;
    this.#label = label;
  }

  /** The text of each parameter between the `(` at `open` and its matching `)`, split on top-level commas. */
  split(open: number): string[] {
    const parts: string[] = [];
    let start = open + 1;
    const close = this.#group(open + 1, ")", (comma) => {
      parts.push(this.#source.slice(start, comma));
      start = comma + 1;
    });
    parts.push(this.#source.slice(start, close));
    return parts;
  }

  /**
   * Walks from `from` to the `closer` that ends the group, calling `onComma` for each comma at its top level.
   *
   * @returns the closer's index.
   */
  #group(from: number, closer: string, onComma?: (at: number) => void): number {
    const source = this.#source;
    const expected = [closer];
    let afterValue = false;
    for (let i = from; i < source.length; i++) {
      const c = source[i]!;
      const next = source[i + 1];
      if (c === "/" && next === "/") i = this.#lineEnd(i);
      else if (c === "/" && next === "*") i = this.#commentEnd(i);
      else if (/\s/.test(c)) continue;
      else if ((c === "+" || c === "-") && next === c) i++; // `x++ / 2` still divides a value
      else if (c === '"' || c === "'" || c === "`" || (c === "/" && !afterValue)) {
        i = c === "`" ? this.#templateEnd(i) : c === "/" ? this.#regexEnd(i) : this.#stringEnd(i);
        afterValue = true;
      } else if (WORD_CHAR.test(c)) {
        let end = i + 1;
        while (end < source.length && WORD_CHAR.test(source[end]!)) end++;
        afterValue = !KEYWORDS_BEFORE_EXPRESSION.has(source.slice(i, end));
        i = end - 1;
      } else {
        if (CLOSER[c] !== undefined) expected.push(CLOSER[c]);
        else if (c === ")" || c === "]" || c === "}") {
          if (expected.pop() !== c) this.#fail(i, `a "${c}" that closes nothing open`);
          if (expected.length === 0) return i;
        } else if (c === "," && expected.length === 1) onComma?.(i);
        afterValue = c === ")" || c === "]" || c === "}";
      }
    }
    return this.#fail(source.length, `no "${closer}" ends it`);
  }

  /** The index of the quote closing the string that opens at `i`. */
  #stringEnd(i: number): number {
    const source = this.#source;
    const quote = source[i];
    for (let j = i + 1; j < source.length; j++) {
      if (source[j] === "\\") j++;
      else if (source[j] === quote) return j;
      else if (source[j] === "\n") break;
    }
    return this.#fail(i, "a string that never ends");
  }

  /** The index of the backtick closing the template literal that opens at `i`, its `${}` code skipped as code. */
  #templateEnd(i: number): number {
    const source = this.#source;
    for (let j = i + 1; j < source.length; j++) {
      if (source[j] === "\\") j++;
      else if (source[j] === "`") return j;
      else if (source[j] === "$" && source[j + 1] === "{") j = this.#group(j + 2, "}");
    }
    return this.#fail(i, "a template literal that never ends");
  }

  /** The index of the `/` closing the regex literal that opens at `i` (a `/` inside a class `[...]` does not close it). */
  #regexEnd(i: number): number {
    const source = this.#source;
    let inClass = false;
    for (let j = i + 1; j < source.length; j++) {
      const c = source[j];
      if (c === "\\") j++;
      else if (c === "\n") break;
      else if (c === "[") inClass = true;
      else if (c === "]") inClass = false;
      else if (c === "/" && !inClass) return j;
    }
    return this.#fail(i, "a regex literal that never ends");
  }

  #lineEnd(i: number): number {
    const end = this.#source.indexOf("\n", i);
    return end === -1 ? this.#source.length : end;
  }

  #commentEnd(i: number): number {
    const end = this.#source.indexOf("*/", i + 2);
    return end === -1 ? this.#fail(i, "a comment that never ends") : end + 1;
  }

  #fail(at: number, reason: string): never {
    const excerpt = this.#source.slice(Math.max(0, at - 30), at + 30).replace(/\s+/g, " ");
    throw new UnreadableSignatureError(
      `cannot read the parameters of ${this.#label}: ${reason}, near "${excerpt}". ` +
        `upie binds parameters by name and would drop some; move that default into the function's body.`,
    );
  }
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
