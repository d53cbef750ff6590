import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HttpError } from "../../lib/protocol/errors.js";
import { parseJson } from "../../lib/body/json.js";

function isHttpError(status: number, code: string) {
  return (error: unknown) => error instanceof HttpError && error.status === status && error.code === code;
}

describe("parseJson", () => {
  it("parses objects, arrays and scalars", () => {
    assert.deepEqual(parseJson('{"name":"Ada","tags":["a",1,null]}', 64), { name: "Ada", tags: ["a", 1, null] });
    assert.equal(parseJson("42", 64), 42);
    assert.equal(parseJson('"x"', 1), "x");
  });

  it("rejects malformed JSON with 400", () => {
    assert.throws(() => parseJson('{"a":', 64), isHttpError(400, "UPIE_ERR_MALFORMED_JSON"));
    assert.throws(() => parseJson("", 64), isHttpError(400, "UPIE_ERR_MALFORMED_JSON"));
  });

  it("accepts nesting exactly at the limit", () => {
    assert.deepEqual(parseJson("[[[1]]]", 3), [[[1]]]);
    assert.deepEqual(parseJson('{"a":{"b":[]}}', 3), { a: { b: [] } });
  });

  it("rejects nesting one past the limit with 400", () => {
    assert.throws(() => parseJson("[[[[1]]]]", 3), isHttpError(400, "UPIE_ERR_JSON_TOO_DEEP"));
  });

  it("rejects a 100 000-bracket depth bomb before parsing", () => {
    const started = performance.now();
    assert.throws(() => parseJson("[".repeat(100_000), 64), isHttpError(400, "UPIE_ERR_JSON_TOO_DEEP"));
    assert.ok(performance.now() - started < 200);
  });

  it("ignores brackets inside strings, including after escaped quotes", () => {
    const text = JSON.stringify({ s: "[[[[{{{{", t: 'say \\"[[[[" now' });
    assert.deepEqual(parseJson(text, 1), JSON.parse(text));
  });

  it("does not let sibling containers add up to depth", () => {
    assert.deepEqual(parseJson("[[],[],[],[],[]]", 2), [[], [], [], [], []]);
  });

  it("rejects an own __proto__ key with 400 and leaves Object.prototype alone", () => {
    assert.throws(() => parseJson('{"__proto__":{"x":1}}', 64), isHttpError(400, "UPIE_ERR_FORBIDDEN_KEY"));
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });

  it("rejects a nested __proto__ key", () => {
    assert.throws(() => parseJson('{"a":[{"b":{"__proto__":{}}}]}', 64), isHttpError(400, "UPIE_ERR_FORBIDDEN_KEY"));
  });

  it("rejects a __proto__ key spelt with unicode escapes", () => {
    assert.throws(() => parseJson('{"\\u005f_proto__":{"x":1}}', 64), isHttpError(400, "UPIE_ERR_FORBIDDEN_KEY"));
  });

  it("rejects constructor.prototype with 400", () => {
    assert.throws(
      () => parseJson('{"constructor":{"prototype":{"x":1}}}', 64),
      isHttpError(400, "UPIE_ERR_FORBIDDEN_KEY"),
    );
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });

  it("accepts a harmless constructor key and __proto__ inside string values", () => {
    assert.deepEqual(parseJson('{"constructor":"Foo","note":"__proto__"}', 64), {
      constructor: "Foo",
      note: "__proto__",
    });
    assert.deepEqual(parseJson('{"constructor":{"name":"x"}}', 64), { constructor: { name: "x" } });
  });
});
