/**
 * Every error lib/ throws carries a catalogue code: no plain `new Error(...)`,
 * `new TypeError(...)` or `new RangeError(...)` in lib/. The contract suite's
 * test apps are the exception: they throw as a user's buggy handler would.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { describe, it } from "node:test";

import { LIB, libFiles } from "./lib-files.js";

/** Throws that stand for a user's bug inside the contract suite's test apps. */
const USER_BUGS = new Set(["testing/adapter-contract.ts:throw new Error(\"before accept\")", "testing/adapter-contract.ts:throw new Error(\"cannot flush\")"]);

describe("errors thrown by lib/", () => {
  it("are catalogue errors, never a plain Error, TypeError or RangeError", () => {
    const plain: string[] = [];
    for (const path of libFiles()) {
      const name = relative(LIB, path);
      for (const match of readFileSync(path, "utf8").matchAll(/(?:throw )?new (?:Error|TypeError|RangeError)\([^)]*\)/g)) {
        if (!USER_BUGS.has(`${name}:${match[0]}`)) plain.push(`${name}: ${match[0]}`);
      }
    }
    assert.deepEqual(plain, []);
  });
});
