import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HttpError } from "../../lib/protocol/errors.js";
import { parseParams } from "../../lib/body/params.js";

describe("parseParams", () => {
  it("returns an empty null-prototype object for an empty string", () => {
    const params = parseParams("");
    assert.equal(Object.getPrototypeOf(params), null);
    assert.deepEqual(Object.keys(params), []);
  });

  it("keeps every value of a repeated key in order", () => {
    const params = parseParams("a=1&b=2&a=3");
    assert.deepEqual(params.a, ["1", "3"]);
    assert.deepEqual(params.b, ["2"]);
  });

  it("decodes + as a space and percent-encoded UTF-8", () => {
    const params = parseParams("name=Ada+Lovelace&city=Z%C3%BCrich&k%20ey=v");
    assert.deepEqual(params.name, ["Ada Lovelace"]);
    assert.deepEqual(params.city, ["Zürich"]);
    assert.deepEqual(params["k ey"], ["v"]);
  });

  it("keeps a piece with bad percent-encoding as sent instead of throwing", () => {
    const params = parseParams("a=%E0%A4%A&b=100%&c=x+%zz");
    assert.deepEqual(params.a, ["%E0%A4%A"]);
    assert.deepEqual(params.b, ["100%"]);
    assert.deepEqual(params.c, ["x %zz"]);
  });

  it("treats a key without = as an empty value and skips empty pieces", () => {
    const params = parseParams("flag&&x=&y=1=2&");
    assert.deepEqual(params.flag, [""]);
    assert.deepEqual(params.x, [""]);
    assert.deepEqual(params.y, ["1=2"]);
    assert.deepEqual(Object.keys(params).sort(), ["flag", "x", "y"]);
  });

  it("drops __proto__, constructor and prototype keys, even percent-encoded", () => {
    const params = parseParams("__proto__=1&constructor=2&prototype=3&%5F%5Fproto%5F%5F=4&ok=5");
    assert.deepEqual(Object.keys(params), ["ok"]);
    assert.equal(Object.getPrototypeOf(params), null);
  });

  it("never reaches Object.prototype with __proto__[x]=1&a=1&a=2", () => {
    const params = parseParams("__proto__[x]=1&a=1&a=2");
    assert.equal(({} as Record<string, unknown>).x, undefined);
    assert.equal(Object.getPrototypeOf(params), null);
    assert.deepEqual(params.a, ["1", "2"]);
    // The bracketed key is kept as literal text: the parser does no nesting.
    assert.deepEqual(params["__proto__[x]"], ["1"]);
  });

  it("finds no inherited names", () => {
    const params = parseParams("a=1");
    assert.equal(params.toString, undefined);
    assert.equal(params.hasOwnProperty, undefined);
  });

  it("rejects more pairs than maxPairs with 413", () => {
    assert.deepEqual(parseParams("a=1&b=2&c=3", 3).c, ["3"]);
    assert.throws(
      () => parseParams("a=1&b=2&c=3&d=4", 3),
      (error: unknown) =>
        error instanceof HttpError && error.status === 413 && error.code === "UPIE_ERR_BODY_TOO_LARGE",
    );
  });

  it("parses a long run of =-less pieces in linear time", () => {
    const raw = "a&".repeat(500) + "b".repeat(500_000);
    const started = performance.now();
    const params = parseParams(raw, 1000);
    assert.equal(params.a?.length, 500);
    assert.ok(performance.now() - started < 500);
  });
});
