/**
 * Safe JSON body parsing: a nesting limit checked before the parser runs,
 * and a prototype-poisoning check after it.
 *
 * @module
 */

import { ERRORS, HttpError } from "../protocol/errors.js";

const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \
const OPEN_BRACKET = 0x5b; // [
const CLOSE_BRACKET = 0x5d; // ]
const OPEN_BRACE = 0x7b; // {
const CLOSE_BRACE = 0x7d; // }

/**
 * Parses a JSON request body.
 *
 * 1. One linear, string-aware scan measures the nesting depth and refuses
 *    anything deeper than `maxDepth` before `JSON.parse` sees it, so a body of
 *    100 000 `[` costs one pass instead of a deep parse (and deep objects never
 *    reach code that recurses over them later).
 * 2. `JSON.parse`.
 * 3. If the text could spell `__proto__` or `constructor` (literally or through
 *    `\u` escapes), the value is walked and an own `__proto__` key, or a
 *    `constructor` whose value has a `prototype` key, is refused: harmless in
 *    the parsed value itself, but a gadget for any later deep merge
 *    (the same policy as fastify's secure-json-parse).
 *
 * @param text - the body as text.
 * @param maxDepth - the deepest array/object nesting allowed (`[[1]]` is depth 2).
 * @returns the parsed value.
 * @throws {HttpError} 400 `UPIE_ERR_JSON_TOO_DEEP`, `UPIE_ERR_MALFORMED_JSON` or `UPIE_ERR_FORBIDDEN_KEY`.
 *
 * @example
 * ```ts
 * parseJson('{"name":"Ada"}', 64);        // { name: "Ada" }
 * parseJson('{"__proto__":{"x":1}}', 64); // throws 400 UPIE_ERR_FORBIDDEN_KEY
 * ```
 */
export function parseJson(text: string, maxDepth: number): unknown {
  // Depth d needs at least d opening characters: texts with fewer skip the
  // character-by-character scan (counting them uses the native indexOf).
  if (text.length > maxDepth && hasMoreOpeners(text, maxDepth)) checkDepth(text, maxDepth);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // The parser's message quotes the input; the client sent it, but keep
    // responses free of echoed data anyway.
    throw HttpError.of(ERRORS.MALFORMED_JSON);
  }
  if (mayHideForbiddenKey(text)) checkForbiddenKeys(value);
  return value;
}

/** True when `text` holds more than `limit` `[` and `{` characters in all (strings included). */
function hasMoreOpeners(text: string, limit: number): boolean {
  let count = 0;
  for (const opener of ["[", "{"]) {
    for (let i = text.indexOf(opener); i !== -1; i = text.indexOf(opener, i + 1)) {
      if (++count > limit) return true;
    }
  }
  return false;
}

/** Throws JSON_TOO_DEEP once the nesting of `text` passes `maxDepth`; ignores brackets inside strings. */
function checkDepth(text: string, maxDepth: number): void {
  let depth = 0;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      // Skip the string: a backslash always escapes exactly one character.
      for (i++; i < length; i++) {
        const inner = text.charCodeAt(i);
        if (inner === BACKSLASH) i++;
        else if (inner === QUOTE) break;
      }
    } else if (code === OPEN_BRACKET || code === OPEN_BRACE) {
      if (++depth > maxDepth) {
        throw HttpError.of(ERRORS.JSON_TOO_DEEP, `JSON body nested deeper than ${maxDepth} levels`);
      }
    } else if (code === CLOSE_BRACKET || code === CLOSE_BRACE) {
      // Unbalanced closers are the parser's problem (malformed), not ours.
      depth--;
    }
  }
}

/** Cheap pre-check: only texts that could contain a forbidden key are walked. */
function mayHideForbiddenKey(text: string): boolean {
  // "\u" covers escaped spellings such as "\u005f_proto__".
  return text.includes("__proto__") || text.includes("constructor") || text.includes("\\u");
}

/** Walks the parsed value (iteratively: depth is bounded, but the width is not). */
function checkForbiddenKeys(root: unknown): void {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== "object" || node === null) continue;
    if (Array.isArray(node)) {
      for (const item of node) stack.push(item);
      continue;
    }
    for (const key of Object.keys(node)) {
      const child = (node as Record<string, unknown>)[key];
      if (key === "__proto__") throw forbidden("__proto__");
      if (key === "constructor" && typeof child === "object" && child !== null && Object.hasOwn(child, "prototype")) {
        throw forbidden("constructor.prototype");
      }
      stack.push(child);
    }
  }
}

function forbidden(key: string): HttpError {
  return HttpError.of(ERRORS.FORBIDDEN_KEY, `Forbidden key '${key}' in JSON body`);
}
