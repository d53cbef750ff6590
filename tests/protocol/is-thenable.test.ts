import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isThenable } from "../../lib/protocol/is-thenable.js";

describe("isThenable", () => {
  it("is true for native promises and any object or function with a callable then", () => {
    assert.equal(isThenable(Promise.resolve(1)), true);
    assert.equal(isThenable({ then: () => {} }), true);
    const callable = Object.assign(() => 1, { then: () => {} });
    assert.equal(isThenable(callable), true);
    class Lazy { then(resolve: (value: number) => void) { resolve(1); } }
    assert.equal(isThenable<unknown>(new Lazy()), true, "an inherited then counts");
  });

  it("is false for values with no callable then", () => {
    const values: unknown[] = [undefined, null, 0, "then", true, Symbol("x"), {}, [], () => {}, { then: 1 }, { then: null }, Object.create(null)];
    for (const [i, value] of values.entries()) assert.equal(isThenable(value), false, `values[${i}]`);
  });

  it("reads then once per call and never calls it", () => {
    let reads = 0;
    let calls = 0;
    const value = { get then() { reads++; return () => void calls++; } };
    assert.equal(isThenable(value), true);
    assert.deepEqual([reads, calls], [1, 0]);
  });
});
