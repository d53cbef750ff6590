/**
 * splitPath: what the router sees of a request path. Segments are split on
 * `/` first and decoded one by one, so `%2F` stays inside its segment; the
 * leading and one trailing slash are ignored; an empty segment (`a//b`)
 * stays a segment, as it is in the URL.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HttpError } from "../../lib/index.js";
import { MAX_SEGMENT_LENGTH, splitPath } from "../../lib/core/path.js";

describe("splitPath", () => {
  it("ignores the leading and one trailing slash", () => {
    assert.deepEqual(splitPath("/"), []);
    assert.deepEqual(splitPath(""), []);
    assert.deepEqual(splitPath("/user/42"), ["user", "42"]);
    assert.deepEqual(splitPath("/a/b/c/"), ["a", "b", "c"]);
    assert.deepEqual(splitPath("a"), ["a"]);
  });

  it("keeps empty segments between slashes", () => {
    assert.deepEqual(splitPath("/a//b"), ["a", "", "b"]);
    assert.deepEqual(splitPath("//x"), ["", "x"]);
    assert.deepEqual(splitPath("/a//"), ["a", ""]);
  });

  it("decodes each segment after splitting, so an encoded slash stays in its segment", () => {
    assert.deepEqual(splitPath("/files/a%2Fb/%C3%A9t%C3%A9"), ["files", "a/b", "été"]);
  });

  it("answers bad percent-encoding with 400 and an over-long segment with 414", () => {
    assert.throws(() => splitPath("/ok/%E0%A4%A"), (error: unknown) => error instanceof HttpError && error.status === 400);
    assert.throws(() => splitPath(`/ok/${"x".repeat(MAX_SEGMENT_LENGTH + 1)}`), (error: unknown) => error instanceof HttpError && error.status === 414);
    assert.deepEqual(splitPath(`/${"x".repeat(MAX_SEGMENT_LENGTH)}`).map((s) => s.length), [MAX_SEGMENT_LENGTH]);
  });
});
