/**
 * Every value an entry point of the package exports is named in README.md or
 * docs/ (as `name`, in code or in a code block): an export nobody can read
 * about is an export nobody can rely on, and a new one added without docs
 * shows here. Types are left out: they are named where the values that take
 * them are documented.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { ROOT, docFiles, readDoc } from "./markdown.js";

/** The package's entry points (package.json `exports`), read from lib/ as the tests run it. */
const ENTRY_POINTS: Record<string, string> = {
  upie: "../../lib/index.js",
  "upie/client": "../../lib/ws-client/index.js",
  "upie/adapter": "../../lib/adapter.js",
  "upie/testing": "../../lib/testing/index.js",
  "upie/redis": "../../lib/redis/index.js",
};

/** Every word that stands in a code span or a code block of the docs. */
function documentedNames(): Set<string> {
  const names = new Set<string>();
  for (const file of docFiles()) {
    const text = readDoc(file);
    // Fenced blocks, then double-backtick spans (they hold single backticks), then plain spans (which may wrap lines).
    const code = [...text.matchAll(/```[^\n]*\n([\s\S]*?)```|``([\s\S]+?)``|`([^`]+)`/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? "");
    for (const piece of code) for (const word of piece.match(/[A-Za-z_$][\w$]*/g) ?? []) names.add(word);
  }
  return names;
}

describe("the package's exports", () => {
  it("are one entry point each in package.json, as listed here", () => {
    const manifest = JSON.parse(readFileSync(`${ROOT}package.json`, "utf8")) as { exports: Record<string, unknown> };
    const listed = Object.keys(manifest.exports).filter((key) => key !== "./package.json").map((key) => (key === "." ? "upie" : `upie/${key.slice(2)}`));
    assert.deepEqual(listed.sort(), Object.keys(ENTRY_POINTS).sort());
  });

  it("are each named in README.md or docs/", async () => {
    const documented = documentedNames();
    const missing: string[] = [];
    for (const [entry, path] of Object.entries(ENTRY_POINTS)) {
      const module = (await import(path)) as Record<string, unknown>;
      for (const name of Object.keys(module).sort()) if (!documented.has(name)) missing.push(`${entry}: ${name}`);
    }
    assert.deepEqual(missing, []);
  });
});
