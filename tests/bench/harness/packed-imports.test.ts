import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { build } from "esbuild";
import { packedImports } from "../../../bench/harness/build.js";

const dir = mkdtempSync(join(tmpdir(), "upie-packed-imports-"));
after(() => rmSync(dir, { recursive: true, force: true }));

async function bundle(source: string): Promise<string> {
  const entry = join(dir, `server-${Math.random().toString(36).slice(2)}.ts`);
  writeFileSync(entry, source);
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: "node",
    format: "esm",
    packages: "external",
    logLevel: "silent",
    plugins: [packedImports("/installed/upie/")],
  });
  return result.outputFiles[0]!.text;
}

describe("packedImports", () => {
  it("turns the public entry into the installed package", async () => {
    const text = await bundle(`import { App } from "../../lib/index.js";\nconsole.log(App);\n`);
    assert.match(text, /from "upie"/);
    assert.doesNotMatch(text, /lib\/index/);
  });

  it("points raw uWS at the installed package's copy of the loader", async () => {
    const text = await bundle(`import { loadUws } from "../../lib/server/uws/uws-loader.js";\nconsole.log(loadUws);\n`);
    assert.match(text, /from "\/installed\/upie\/dist\/server\/uws\/uws-loader\.js"/);
  });

  it("refuses any other path into lib/", async () => {
    await assert.rejects(bundle(`import { x } from "../../lib/core/app.js";\nconsole.log(x);\n`), /may import only lib\/index\.js/);
  });
});
