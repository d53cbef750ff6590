import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { KEEP_MARKER, RESULTS_INTRO, sectionMarker, withSection } from "../../../bench/harness/results-file.js";

const section = (key: string, body: string) => `${sectionMarker(key)}\n## ${key}\n\n${body}\n`;

describe("withSection", () => {
  it("starts a new file with the intro, the section and the keep marker", () => {
    const text = withSection("", "node20-packed", section("node20-packed", "tables"));
    assert.ok(text.startsWith(RESULTS_INTRO));
    assert.ok(text.indexOf(sectionMarker("node20-packed")) < text.indexOf(KEEP_MARKER));
    assert.match(text, /tables/);
  });

  it("replaces only its own runtime's section and keeps the others", () => {
    let text = withSection("", "node20-packed", section("node20-packed", "old node 20"));
    text = withSection(text, "node24-packed", section("node24-packed", "node 24"));
    text = withSection(text, "node20-packed", section("node20-packed", "new node 20"));
    assert.doesNotMatch(text, /old node 20/);
    assert.match(text, /new node 20/);
    assert.match(text, /node 24/);
    assert.equal(text.split(sectionMarker("node20-packed")).length, 2);
  });

  it("orders sections by Node version, not by when they were written", () => {
    let text = withSection("", "node24-packed", section("node24-packed", "b"));
    text = withSection(text, "node20-packed", section("node20-packed", "a"));
    assert.ok(text.indexOf(sectionMarker("node20-packed")) < text.indexOf(sectionMarker("node24-packed")));
  });

  it("keeps everything below the keep marker byte for byte", () => {
    const kept = `${KEEP_MARKER}\n\n## Chat load\n\nhand-written | table\n`;
    const before = `${RESULTS_INTRO}${section("node20-packed", "x")}\n${kept}`;
    const after = withSection(before, "node20-packed", section("node20-packed", "y"));
    assert.ok(after.endsWith(kept));
    assert.match(after, /\by\b/);
  });
});
