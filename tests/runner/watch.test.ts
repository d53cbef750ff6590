import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";

import { isIgnored, watchForChanges } from "../../lib/runner/watch.js";
import { tempApp } from "./helpers.js";

describe("isIgnored", () => {
  it("ignores dependencies, VCS, build output and dot-folders, not sources", () => {
    for (const path of ["node_modules/x/index.js", "a/node_modules/b.js", ".git/index", "dist/app.js", ".cache/x", "src/.env"]) {
      assert.equal(isIgnored(path), true, path);
    }
    for (const path of ["app.ts", "src/routes/users.ts", "public/index.html", "a.b/c.ts"]) {
      assert.equal(isIgnored(path), false, path);
    }
  });
});

describe("watchForChanges", () => {
  it("reports a burst of writes once, and ignores node_modules", { timeout: 10_000 }, async () => {
    const { dir, remove } = await tempApp({ "app.ts": "1" });
    const seen: string[] = [];
    const stop = watchForChanges(dir, (file) => seen.push(file));
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (let i = 0; i < 5; i++) await writeFile(join(dir, "app.ts"), String(i));
      await new Promise((resolve) => setTimeout(resolve, 600));
      assert.deepEqual(seen, [join(dir, "app.ts")]);
      await mkdir(join(dir, "node_modules"));
      await new Promise((resolve) => setTimeout(resolve, 300));
      seen.length = 0;
      await writeFile(join(dir, "node_modules", "dep.js"), "x");
      await new Promise((resolve) => setTimeout(resolve, 600));
      assert.deepEqual(seen, []);
    } finally {
      stop();
      await remove();
    }
  });
});
