/**
 * The layer diagram in docs/architecture.md matches the tree: it names every
 * folder of lib/ (and lib/index.ts, the composition root), and nothing that
 * is gone. Where each folder may import is enforced by
 * tests/architecture/layers.test.ts; this test keeps the picture of it true.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { describe, it } from "node:test";
import { ROOT, codeBlocks, readDoc } from "./markdown.js";

/** The `lib/...` names of the diagram: the first `text` block of docs/architecture.md. */
function diagramNames(): Set<string> {
  const diagram = codeBlocks("docs/architecture.md", readDoc("docs/architecture.md")).find((block) => block.lang === "text");
  assert.ok(diagram, "docs/architecture.md has no ```text layer diagram");
  return new Set([...diagram.code.matchAll(/\blib\/([\w./-]+)/g)].map((match) => match[1]!.split("/")[0]!));
}

describe("docs/architecture.md's layer diagram", () => {
  it("names every folder of lib/, and only those", () => {
    const folders = readdirSync(`${ROOT}lib`, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    const named = diagramNames();
    assert.deepEqual([...named].filter((name) => name !== "index.ts").sort(), folders);
    assert.ok(named.has("index.ts"), "the diagram names lib/index.ts, the composition root");
  });
});
