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
import { ROOT, codeBlocks, docFiles, prose, readDoc } from "./markdown.js";

/**
 * The package's entry points, from package.json's `exports`, each with the lib/
 * module its `dist/` file is built from (the tests run lib/ through tsx).
 */
function entryPoints(): Array<{ entry: string; module: string }> {
  const manifest = JSON.parse(readFileSync(`${ROOT}package.json`, "utf8")) as { exports: Record<string, string | { import: string }> };
  return Object.entries(manifest.exports).flatMap(([key, target]) =>
    typeof target === "string" ? [] : [{ entry: key === "." ? "upie" : `upie/${key.slice(2)}`, module: `${ROOT}${target.import.replace(/^\.\/dist\//, "lib/")}` }],
  );
}

/** Every word that stands in a code block or a code span of the docs. */
function documentedNames(): Set<string> {
  const names = new Set<string>();
  for (const file of docFiles()) {
    const text = readDoc(file);
    // Double-backtick spans first: they hold single backticks. A plain span may wrap lines.
    const spans = [...prose(text).matchAll(/``([\s\S]+?)``|`([^`]+)`/g)].map((m) => m[1] ?? m[2] ?? "");
    for (const piece of [...codeBlocks(file, text).map((block) => block.code), ...spans]) {
      for (const word of piece.match(/[A-Za-z_$][\w$]*/g) ?? []) names.add(word);
    }
  }
  return names;
}

describe("the package's exports", () => {
  it("are each named in README.md or docs/", async () => {
    const entries = entryPoints();
    assert.ok(entries.length >= 5, "package.json names the entry points");
    const documented = documentedNames();
    const missing: string[] = [];
    for (const { entry, module } of entries) {
      const exported = (await import(module)) as Record<string, unknown>;
      for (const name of Object.keys(exported).sort()) if (!documented.has(name)) missing.push(`${entry}: ${name}`);
    }
    assert.deepEqual(missing, []);
  });
});
