/**
 * tests/ mirrors lib/ (issue #26, item 9): every `lib/<path>.ts` has its
 * test at `tests/<path>.test.ts`, so the test of a module is found without
 * searching. Feature tests that cross modules (tests/core/bodies.test.ts,
 * tests/server/hostile-http.test.ts) live beside them; they do not replace
 * a module's own.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { LIB, libFiles } from "./lib-files.js";

const TESTS = fileURLToPath(new URL("../", import.meta.url));

/** lib/ files with no test of their own, each with the reason. Keep it short. */
const EXEMPT = new Map<string, string>([
  // (none: every module has behaviour, or types a test can compile against)
]);

/** Where the test of `lib/<file>` belongs. */
const mirrorOf = (file: string): string => join(TESTS, file.replace(/\.ts$/, ".test.ts"));

describe("tests/ mirroring lib/", () => {
  const files = libFiles().map((file) => relative(LIB, file)).sort();

  it("has tests/<path>.test.ts for every lib/<path>.ts", () => {
    const missing = files.filter((file) => !EXEMPT.has(file) && !existsSync(mirrorOf(file)));
    assert.deepEqual(missing, [], `lib/ files without their test at tests/<same path>.test.ts:\n${missing.join("\n")}`);
  });

  it("lists no exemption that no longer needs it", () => {
    const stale = [...EXEMPT.keys()].filter((file) => !files.includes(file) || existsSync(mirrorOf(file)));
    assert.deepEqual(stale, [], `these have a test now, or left lib/: take them off the list:\n${stale.join("\n")}`);
  });

  it("names, in lib/'s comments, only test files that exist", () => {
    const stale = libFiles().flatMap((path) =>
      [...readFileSync(path, "utf8").matchAll(/\btests\/[\w/.-]+\.test\.ts\b/g)]
        .filter((match) => !existsSync(join(TESTS, match[0].slice("tests/".length))))
        .map((match) => `${relative(LIB, path)}: ${match[0]}`),
    );
    assert.deepEqual(stale, [], "a comment sends the reader to a test that moved or never was");
  });

  it("finds the files it checks", () => {
    assert.ok(files.includes("index.ts") && files.includes("core/app.ts"), "the walk reaches lib/ and its folders");
  });
});
