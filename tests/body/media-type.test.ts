import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isJsonMediaType, mediaType } from "../../lib/body/media-type.js";

describe("mediaType", () => {
  it("returns the lower-cased type/subtype without parameters or spaces", () => {
    assert.equal(mediaType("Application/JSON; charset=utf-8"), "application/json");
    assert.equal(mediaType("  text/plain  "), "text/plain");
    assert.equal(mediaType("multipart/form-data;boundary=x"), "multipart/form-data");
    assert.equal(mediaType("TEXT/HTML ;charset=utf-8"), "text/html");
  });

  it("returns an empty string for a missing or empty header", () => {
    assert.equal(mediaType(undefined), "");
    assert.equal(mediaType(""), "");
    assert.equal(mediaType("; charset=utf-8"), "");
  });
});

describe("isJsonMediaType", () => {
  it("accepts application/json and application/*+json (RFC 6839)", () => {
    assert.equal(isJsonMediaType("application/json"), true);
    assert.equal(isJsonMediaType("application/merge-patch+json"), true);
    assert.equal(isJsonMediaType("application/vnd.api+json"), true);
  });

  it("refuses other types, +json outside application/, and un-normalised input", () => {
    for (const type of ["text/json", "text/x+json", "application/jsonp", "application/json-seq", "application/x-www-form-urlencoded", "", "Application/JSON"]) {
      assert.equal(isJsonMediaType(type), false, type);
    }
    assert.equal(isJsonMediaType(mediaType("Application/JSON; charset=utf-8")), true, "mediaType normalises first");
  });
});
