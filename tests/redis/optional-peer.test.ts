import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { it } from "node:test";

const LIB = fileURLToPath(new URL("../../lib/", import.meta.url));

/** Every package a module imports, following relative imports (static and dynamic) through lib/. */
function packagesReachedFrom(entry: string): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, "utf8");
    for (const [, specifier] of source.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)) {
      if (specifier!.startsWith(".")) visit(resolve(dirname(file), specifier!.replace(/\.js$/, ".ts")));
      else packages.add(specifier!);
    }
  };
  visit(resolve(LIB, entry));
  return packages;
}

it("keeps ioredis out of everything `upie` imports", () => {
  const packages = packagesReachedFrom("index.ts");
  assert.ok(packages.has("uWebSockets.js"), "the walk follows the imports");
  assert.equal(packages.has("ioredis"), false);
});

it("loads ioredis from `upie/redis`", () => {
  assert.ok(packagesReachedFrom("redis/index.ts").has("ioredis"));
});
