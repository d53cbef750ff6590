/**
 * Every error lib/ throws carries a catalogue code: no plain `new Error(...)`,
 * `new TypeError(...)` or `new RangeError(...)` in lib/. The contract suite's
 * test apps are the exception: they throw as a user's buggy handler would.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";

const LIB = fileURLToPath(new URL("../../lib/", import.meta.url));
/** Throws that stand for a user's bug inside the contract suite's test apps. */
const USER_BUGS = new Set(["testing/adapter-contract.ts:throw new Error(\"before accept\")", "testing/adapter-contract.ts:throw new Error(\"cannot flush\")"]);

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : [],
  );
}

describe("errors thrown by lib/", () => {
  it("are catalogue errors, never a plain Error, TypeError or RangeError", () => {
    const plain: string[] = [];
    for (const path of files(LIB)) {
      const name = relative(LIB, path);
      for (const match of readFileSync(path, "utf8").matchAll(/(?:throw )?new (?:Error|TypeError|RangeError)\([^)]*\)/g)) {
        if (!USER_BUGS.has(`${name}:${match[0]}`)) plain.push(`${name}: ${match[0]}`);
      }
    }
    assert.deepEqual(plain, []);
  });
});
