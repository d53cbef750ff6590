/**
 * Builds the browser page's script with esbuild: the page, protobufjs'
 * light build, `upie/client` and the schema as JSON.
 *
 * @module
 */
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

import { loadSchema } from "./schema.js";

/** Bundles `public/page.ts` into one ES2020 script (an IIFE) and returns its text. */
export async function bundlePage(): Promise<string> {
  const schemaJson = JSON.stringify(loadSchema().root.toJSON());
  const result = await build({
    entryPoints: [fileURLToPath(new URL("./page/page.ts", import.meta.url))],
    bundle: true,
    write: false,
    format: "iife",
    target: "es2020",
    platform: "browser",
    minify: false,
    define: { SPACE_SCHEMA: JSON.stringify(schemaJson) },
    logLevel: "silent",
  });
  return result.outputFiles[0]!.text;
}
