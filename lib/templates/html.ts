/**
 * An escaping `html` tagged template, so a page built from user input cannot
 * carry a script into the browser (reflected XSS, OWASP XSS Prevention Cheat
 * Sheet rule 1: encode before inserting into HTML element content or quoted
 * attribute values).
 *
 * Every interpolated value is escaped unless it is itself {@link Html}: the
 * result of another `html` template, or text you marked trusted with
 * {@link html.raw}. Returned from a handler, an `Html` is served as
 * `text/html; charset=utf-8`, exactly like a string.
 *
 * @module
 */

const ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "`": "&#96;",
};
const SPECIAL = /[&<>"'`]/;
const SPECIAL_ALL = /[&<>"'`]/g;

/**
 * Escapes `&`, `<`, `>`, `"`, `'` and `` ` `` so `text` reads as text in element
 * content and in quoted attribute values.
 *
 * It does not make text safe inside `<script>`, `<style>`, unquoted
 * attributes or URL attributes (`href="javascript:…"`): check URLs yourself.
 *
 * @param text - any string.
 * @returns the escaped text.
 * @example
 * ```ts
 * escapeHtml(`<img src=x onerror="alert(1)">`); // "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"
 * ```
 */
export function escapeHtml(text: string): string {
  return SPECIAL.test(text) ? text.replace(SPECIAL_ALL, (c) => ESCAPES[c]!) : text;
}

/** HTML that is already safe to send: built by {@link html} or marked with {@link html.raw}. */
export class Html {
  /** The markup. */
  readonly value: string;

  /** Prefer {@link html} or {@link html.raw}; the constructor trusts `value` as is. */
  constructor(value: string) {
    this.value = String(value);
  }

  toString(): string {
    return this.value;
  }

  toJSON(): string {
    return this.value;
  }
}

/** The `html` tag: a template function with `raw` for trusted markup. */
export interface HtmlTag {
  (strings: TemplateStringsArray, ...values: unknown[]): Html;
  /**
   * Marks markup you trust (your own constants, a sanitiser's output) so
   * `html` embeds it unescaped. Never pass it user input.
   */
  raw(markup: string): Html;
}

/** One interpolated value: Html as is, lists item by item, nothing for null/undefined/false. */
function render(value: unknown): string {
  if (value instanceof Html) return value.value;
  if (value === undefined || value === null || value === false) return "";
  if (Array.isArray(value)) {
    let out = "";
    for (const item of value) out += render(item);
    return out;
  }
  return escapeHtml(String(value));
}

/**
 * Builds HTML from a template, escaping every interpolated value.
 *
 * Values that are {@link Html} (nested `html` templates, `html.raw(...)`) are
 * inserted as they are; arrays are rendered item by item (so `items.map((i) =>
 * html`<li>${i}</li>`)` works); `null`, `undefined` and `false` render
 * nothing; everything else is `String(value)`, escaped.
 *
 * @returns an {@link Html}: return it from a handler (served as `text/html`),
 *   or nest it in another `html` template.
 * @example
 * ```ts
 * import { App, html } from "upie";
 * class MyApp extends App {
 *   async greet(name = "Guest") { return html`<p>Hello, ${name}!</p>`; }  // "<script>" arrives as text
 *   async list() { return html`<ul>${["a", "<b>"].map((x) => html`<li>${x}</li>`)}</ul>`; }
 *   async banner() { return html`${html.raw(TRUSTED_BANNER)}<p>hi</p>`; }
 * }
 * ```
 */
export const html: HtmlTag = Object.assign(
  (strings: TemplateStringsArray, ...values: unknown[]): Html => {
    let out = strings[0] ?? "";
    for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? "");
    return new Html(out);
  },
  { raw: (markup: string): Html => new Html(markup) },
);
