import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { median, percentile, percentileOfSorted } from "../../../bench/harness/stats.js";

describe("median", () => {
  it("takes the middle of an odd count and the mean of the two middles of an even one", () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
  });

  it("ignores nulls and NaN, and is null when nothing is left", () => {
    assert.equal(median([null, 5, Number.NaN, 1]), 3);
    assert.equal(median([null, Number.NaN]), null);
    assert.equal(median([]), null);
  });

  it("leaves its input in order", () => {
    const values = [3, 1, 2];
    median(values);
    assert.deepEqual(values, [3, 1, 2]);
  });
});

describe("percentile", () => {
  it("picks the nearest rank at or above p", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    assert.equal(percentile(values, 50), 51);
    assert.equal(percentile(values, 99), 100);
    assert.equal(percentile(values, 0), 1);
    assert.equal(percentile(values, 100), 100);
  });

  it("is null for no values", () => {
    assert.equal(percentile([], 99), null);
  });

  it("reads an already sorted typed array without sorting it again", () => {
    const sorted = Float64Array.from([1, 2, 3, 4]);
    assert.equal(percentileOfSorted(sorted, 50), 3);
    assert.equal(percentileOfSorted(sorted, 99), 4);
    assert.equal(percentileOfSorted(new Float64Array(0), 50), null);
  });

  it("refuses a p outside 0..100", () => {
    assert.throws(() => percentile([1], 101), RangeError);
    assert.throws(() => percentile([1], -1), RangeError);
  });
});
