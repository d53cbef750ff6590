/**
 * registerTypeScript() makes a plain `node` process able to import a `.ts`
 * app. Checked in a child process that is not under tsx: it loads the loader
 * through tsx's scoped `tsImport` (which registers nothing globally), fails
 * to import the app (it uses an enum, which Node's own type stripping
 * refuses), registers, and imports it.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { describe, it } from "node:test";

import { isTypeScript } from "../../lib/runner/typescript-loader.js";
import { tempApp } from "./helpers.js";

const run = promisify(execFile);
const LOADER = pathToFileURL(fileURLToPath(new URL("../../lib/runner/typescript-loader.ts", import.meta.url))).href;
const TSX_API = import.meta.resolve("tsx/esm/api");

describe("isTypeScript", () => {
  it("is true for the extensions tsx loads", () => {
    for (const file of ["app.ts", "app.mts", "app.cts", "App.tsx", "/srv/my.app.ts"]) assert.equal(isTypeScript(file), true, file);
  });

  it("is false for JavaScript, declaration-looking names and extensions that merely contain ts", () => {
    for (const file of ["app.js", "app.mjs", "app.jsx", "app.ts.js", "app.tsv", "ts", "app.TS", "app.json"]) assert.equal(isTypeScript(file), false, file);
  });
});

describe("registerTypeScript", () => {
  it("lets a process that is not under tsx import a TypeScript app", { timeout: 30_000 }, async () => {
    const { dir, remove } = await tempApp({
      "package.json": `{ "type": "module" }\n`,
      "app.ts": `enum Mood { Happy = "typed" }\nexport const greet = (): string => Mood.Happy;\n`,
      "check.mjs": `import { tsImport } from ${JSON.stringify(TSX_API)};
const app = new URL("./app.ts", import.meta.url).href;
const { registerTypeScript } = await tsImport(${JSON.stringify(LOADER)}, import.meta.url);
try {
  await import(app);
  console.log("before: imported");
} catch (error) {
  console.log("before: " + error.code);
}
await registerTypeScript(new URL(app).pathname, new URL(".", import.meta.url).pathname);
console.log("after: " + (await import(app + "?registered")).greet());
`,
    });
    try {
      const env = { ...process.env };
      delete env.NODE_OPTIONS; // no tsx inherited from the test runner
      const { stdout } = await run(process.execPath, [join(dir, "check.mjs")], { cwd: dir, env });
      const [before, after] = stdout.trim().split("\n");
      // Node 20 has no type stripping; Node 22.18+/24 strip types but refuse an enum,
      // which needs a real transform. Either way the plain import fails.
      assert.ok(["before: ERR_UNKNOWN_FILE_EXTENSION", "before: ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX"].includes(before!), before);
      assert.equal(after, "after: typed");
    } finally {
      await remove();
    }
  });
});
