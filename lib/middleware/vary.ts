/**
 * Adding a name to a response's `Vary` header (RFC 9110 §12.5.5), which
 * tells caches which request headers chose this response: CORS varies by
 * `Origin`, compression by `Accept-Encoding`.
 *
 * @module
 */

/**
 * Appends `name` to `headers.vary` unless it is already listed or the
 * header is `*` (which already varies on everything).
 *
 * @param headers - response headers with lower-case names; changed in place.
 * @param name - a header name, e.g. `"Origin"`.
 * @example
 * ```ts
 * const headers = { vary: "Accept-Encoding" };
 * appendVary(headers, "Origin"); // headers.vary === "Accept-Encoding, Origin"
 * ```
 */
export function appendVary(headers: Record<string, string | string[]>, name: string): void {
  const existing = headers.vary;
  if (existing === undefined) {
    headers.vary = name;
    return;
  }
  const current = Array.isArray(existing) ? existing.join(", ") : existing;
  const wanted = name.toLowerCase();
  for (const token of current.split(",")) {
    const listed = token.trim().toLowerCase();
    if (listed === "*" || listed === wanted) return;
  }
  headers.vary = current.trim() === "" ? name : `${current}, ${name}`;
}
