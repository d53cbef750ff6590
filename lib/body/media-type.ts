/**
 * Reading the media type out of a `Content-Type` header.
 *
 * @module
 */

/**
 * Returns the lower-cased `type/subtype` of a `Content-Type` value, without
 * parameters; `""` when the header is missing.
 *
 * @example
 * ```ts
 * mediaType("Application/JSON; charset=utf-8"); // "application/json"
 * ```
 */
export function mediaType(contentType: string | undefined): string {
  if (contentType === undefined || contentType === "") return "";
  const semicolon = contentType.indexOf(";");
  const bare = semicolon === -1 ? contentType : contentType.slice(0, semicolon);
  return bare.trim().toLowerCase();
}

/**
 * Whether a media type is JSON: `application/json` or any `+json` suffix
 * type (RFC 6839), such as `application/merge-patch+json`.
 */
export function isJsonMediaType(type: string): boolean {
  return type === "application/json" || (type.startsWith("application/") && type.endsWith("+json"));
}
