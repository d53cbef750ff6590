import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CONTENT_TYPES, DEFAULT_CONTENT_TYPE, contentTypeLookup } from "../../lib/middleware/mime-types.js";

describe("CONTENT_TYPES", () => {
  it("is frozen, keyed by lower-case extensions without a dot", () => {
    assert.ok(Object.isFrozen(CONTENT_TYPES));
    for (const ext of Object.keys(CONTENT_TYPES)) assert.match(ext, /^[a-z0-9]+$/, ext);
  });

  it("gives every text type a UTF-8 charset, so browsers never guess", () => {
    for (const [ext, type] of Object.entries(CONTENT_TYPES)) {
      if (type.startsWith("text/") || type.startsWith("application/json")) assert.ok(type.endsWith("; charset=utf-8"), `${ext}: ${type}`);
    }
    assert.equal(CONTENT_TYPES.html, "text/html; charset=utf-8");
    assert.equal(CONTENT_TYPES.js, "text/javascript; charset=utf-8");
  });
});

describe("contentTypeLookup", () => {
  const typeOf = contentTypeLookup();

  it("looks extensions up case-insensitively, by the last dot", () => {
    assert.equal(typeOf("index.HTML"), "text/html; charset=utf-8");
    assert.equal(typeOf("archive.tar.gz"), "application/gzip");
    assert.equal(typeOf("photo.JPEG"), "image/jpeg");
    assert.equal(typeOf("module.mjs"), "text/javascript; charset=utf-8");
  });

  it("answers octet-stream (a download) for unknown, missing and dot-only extensions", () => {
    assert.equal(DEFAULT_CONTENT_TYPE, "application/octet-stream");
    for (const name of ["README", "data.unknown", ".env", ".html", "trailing.", ""]) assert.equal(typeOf(name), DEFAULT_CONTENT_TYPE, name);
  });

  it("adds the app's own entries, with or without a dot, over the table", () => {
    const own = contentTypeLookup({ glb: "model/gltf-binary", ".TXT": "text/plain", md: "text/x-markdown" });
    assert.equal(own("scene.GLB"), "model/gltf-binary");
    assert.equal(own("notes.txt"), "text/plain");
    assert.equal(own("README.md"), "text/x-markdown");
    assert.equal(own("style.css"), "text/css; charset=utf-8", "the rest of the table stays");
  });

  it("keeps each lookup's entries to itself", () => {
    contentTypeLookup({ css: "text/x-other" });
    assert.equal(typeOf("style.css"), "text/css; charset=utf-8");
    assert.equal(CONTENT_TYPES.css, "text/css; charset=utf-8");
  });
});
