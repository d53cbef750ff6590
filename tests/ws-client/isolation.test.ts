/**
 * `upie/client` runs in browsers: it must not pull in Node modules, uWS or
 * any server code; and `upie` itself must not load the client.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";

import { build } from "esbuild";

import { buildClientBundle } from "../../examples/build-client.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const LIB = join(ROOT, "lib");

/** Every .ts file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe("upie/client's isolation", () => {
  it("bundles from lib/ws-client and the error catalogue only, with no static import of anything else", async () => {
    const result = await build({
      entryPoints: [join(LIB, "ws-client", "index.ts")],
      bundle: true,
      format: "esm",
      platform: "neutral",
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    const inputs = Object.keys(result.metafile.inputs).map((path) => relative(ROOT, join(ROOT, path))).sort();
    for (const input of inputs) assert.match(input, /^lib\/(ws-client\/[a-z-]+\.ts|protocol\/errors\.ts)$/, `${input} is in the client bundle`);
    assert.ok(inputs.includes("lib/ws-client/ws-client.ts"));
    const code = result.outputFiles[0]!.text;
    assert.doesNotMatch(code, /from\s*["'](node:|ws["'])/, "no static Node or ws import");
    assert.doesNotMatch(code, /(from|import\s*\(|require\s*\()\s*["'][^"']*uwebsockets/i, "no import of uWS");
  });

  it("is not imported by anything else in lib/, so `import \"upie\"` never loads it", () => {
    for (const file of sources(LIB)) {
      if (file.startsWith(join(LIB, "ws-client"))) continue;
      // The runner is an entry point of its own (the `upie` bin), never loaded by `import "upie"`;
      // it restarts crashed workers with the client's Backoff, one backoff policy for both.
      if (file.startsWith(join(LIB, "runner"))) continue;
      assert.doesNotMatch(readFileSync(file, "utf8"), /ws-client\//, `${relative(ROOT, file)} imports the client`);
    }
  });

  it("builds the browser bundle the example pages load", async () => {
    const [file] = await buildClientBundle([join(ROOT, "examples", "private-chat", "public")]);
    const code = readFileSync(file!, "utf8");
    assert.match(code, /export\s*\{[^}]*WSClient/);
    assert.doesNotMatch(code, /from\s*["']node:/);
  });
});
