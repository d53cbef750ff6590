/**
 * Content types by file extension, for the files a web app serves.
 *
 * A short table rather than a dependency: browsers only need the right type
 * for what pages load (markup, styles, scripts, images, fonts, media), and
 * everything else is safely `application/octet-stream` (a download, never
 * rendered). Text types carry `charset=utf-8` so browsers never guess.
 *
 * @module
 */

/** The type of files whose extension is unknown: downloaded, never rendered. */
export const DEFAULT_CONTENT_TYPE = "application/octet-stream";

/** Text types by extension; each is sent with `charset=utf-8`, so browsers never guess. */
const TEXT_TYPES: Readonly<Record<string, string>> = {
  html: "text/html",
  htm: "text/html",
  css: "text/css",
  js: "text/javascript",
  mjs: "text/javascript",
  cjs: "text/javascript",
  json: "application/json",
  map: "application/json",
  webmanifest: "application/manifest+json",
  txt: "text/plain",
  md: "text/markdown",
  csv: "text/csv",
  xml: "application/xml",
  ics: "text/calendar",
  vtt: "text/vtt",
};

/** Extension (lower-case, without the dot) → content type. */
export const CONTENT_TYPES: Readonly<Record<string, string>> = Object.freeze({
  ...Object.fromEntries(Object.entries(TEXT_TYPES).map(([ext, type]) => [ext, `${type}; charset=utf-8`])),
  svg: "image/svg+xml",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  avif: "image/avif",
  ico: "image/x-icon",
  bmp: "image/bmp",
  woff: "font/woff",
  woff2: "font/woff2",
  ttf: "font/ttf",
  otf: "font/otf",
  wasm: "application/wasm",
  pdf: "application/pdf",
  zip: "application/zip",
  gz: "application/gzip",
  mp3: "audio/mpeg",
  wav: "audio/wav",
  ogg: "audio/ogg",
  m4a: "audio/mp4",
  flac: "audio/flac",
  mp4: "video/mp4",
  webm: "video/webm",
  mov: "video/quicktime",
});

/**
 * Builds the lookup for one static folder: the table plus the app's own entries.
 *
 * @param extra - extension → type overrides, e.g. `{ glb: "model/gltf-binary" }`; a leading dot is allowed.
 * @returns a function from a file name to its content type.
 * @example
 * ```ts
 * const typeOf = contentTypeLookup({ glb: "model/gltf-binary" });
 * typeOf("scene.GLB"); // "model/gltf-binary"
 * typeOf("README");    // "application/octet-stream"
 * ```
 */
export function contentTypeLookup(extra: Readonly<Record<string, string>> = {}): (fileName: string) => string {
  const table = new Map<string, string>(Object.entries(CONTENT_TYPES));
  for (const [ext, type] of Object.entries(extra)) table.set(ext.replace(/^\./, "").toLowerCase(), type);
  return (fileName) => {
    const dot = fileName.lastIndexOf(".");
    // A name that only starts with a dot (".env") has no extension.
    if (dot <= 0) return DEFAULT_CONTENT_TYPE;
    return table.get(fileName.slice(dot + 1).toLowerCase()) ?? DEFAULT_CONTENT_TYPE;
  };
}
