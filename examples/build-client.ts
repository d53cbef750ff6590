/**
 * Builds `upie/client` (lib/ws-client) into one plain ES module that browser
 * pages load with `import { WSClient } from "/static/upie-client.js"`: the
 * same source as the Node client, bundled by esbuild, with no Node import
 * (`ws` is only ever loaded in Node, by a dynamic import the bundle leaves alone).
 * It writes `upie-client.js` into every `examples/<app>/public/` folder, which
 * each app already serves under `/static/`. The files are build output
 * (git-ignored): `npm start` and `npm test` run this first (prestart/pretest),
 * and the browser tests call {@link buildClientBundle} themselves.
 *
 * Run: `npm run build:client`.
 *
 * @module
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import { build } from "esbuild";

/** The bundle's file name in each `public/` folder. */
export const CLIENT_BUNDLE = "upie-client.js";

const EXAMPLES = fileURLToPath(new URL("./", import.meta.url));
const ENTRY = fileURLToPath(new URL("../lib/ws-client/index.ts", import.meta.url));

/** Every example's `public/` folder. */
function publicFolders(): string[] {
  return readdirSync(EXAMPLES, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(EXAMPLES, entry.name, "public")))
    .map((entry) => join(EXAMPLES, entry.name, "public"));
}

/**
 * Bundles the client into `upie-client.js` in each of `folders` (default: every
 * example's `public/`).
 * @returns the files written.
 */
export async function buildClientBundle(folders: string[] = publicFolders()): Promise<string[]> {
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2020",
    write: false,
    legalComments: "none",
    banner: { js: "// upie/client for browsers: built from lib/ws-client by `npm run build:client`. Do not edit." },
  });
  const code = result.outputFiles[0]!.contents;
  const { writeFile } = await import("node:fs/promises");
  const written = folders.map((folder) => join(folder, CLIENT_BUNDLE));
  await Promise.all(written.map((file) => writeFile(file, code)));
  return written;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const files = await buildClientBundle();
  console.log(`upie/client bundle → ${files.map((file) => file.slice(EXAMPLES.length - "examples/".length)).join(", ")}`);
}
