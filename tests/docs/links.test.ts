/**
 * The links of README.md and docs/*.md lead somewhere: a relative link names
 * a file or folder of the repository, and a `#anchor` names a heading of the
 * Markdown file it points at. Moving a section breaks its old anchors; this
 * is where that shows.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, it } from "node:test";
import { ROOT, anchors, docFiles, links, readDoc } from "./markdown.js";

describe("the links of README.md and docs/", () => {
  it("lead to files that exist, and to headings that exist", () => {
    const broken: string[] = [];
    for (const file of docFiles()) {
      for (const { target, line } of links(readDoc(file))) {
        if (/^[a-z]+:/i.test(target)) continue; // https:, mailto: — not ours to check
        const [path = "", anchor] = target.split("#");
        const resolved = path === "" ? file : relative(ROOT, normalize(join(ROOT, dirname(file), decodeURIComponent(path))));
        if (!existsSync(join(ROOT, resolved))) {
          broken.push(`${file}:${line}: ${target} (no ${resolved})`);
        } else if (anchor !== undefined && resolved.endsWith(".md") && !anchors(readDoc(resolved)).has(anchor)) {
          broken.push(`${file}:${line}: ${target} (no heading #${anchor} in ${resolved})`);
        }
      }
    }
    assert.deepEqual(broken, []);
  });

  it("reach every page of docs/ from docs/README.md", () => {
    const linked = new Set(links(readDoc("docs/README.md")).map(({ target }) => target.split("#")[0]));
    const pages = docFiles().filter((file) => file.startsWith("docs/") && file !== "docs/README.md");
    assert.deepEqual(pages.filter((page) => !linked.has(page.slice("docs/".length))), []);
  });
});
