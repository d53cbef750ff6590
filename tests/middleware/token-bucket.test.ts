import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ERRORS, InvalidOptionError } from "../../lib/protocol/errors.js";
import { TokenBuckets } from "../../lib/middleware/token-bucket.js";

/** A clock the test moves by hand. */
function clock(start = 1000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe("TokenBuckets", () => {
  it("allows a burst of capacity, then says how long to wait", () => {
    const time = clock();
    const buckets = new TokenBuckets({ capacity: 3, refillPerSecond: 2, maxKeys: 10, now: time.now });
    assert.deepEqual([buckets.take("a"), buckets.take("a"), buckets.take("a")], [0, 0, 0]);
    assert.equal(buckets.take("a"), 500, "one token at 2/s takes 500 ms");
    assert.equal(buckets.take("b"), 0, "keys have their own buckets");
  });

  it("refills continuously, never beyond capacity", () => {
    const time = clock();
    const buckets = new TokenBuckets({ capacity: 2, refillPerSecond: 4, maxKeys: 10, now: time.now });
    buckets.take("a");
    buckets.take("a");
    time.advance(100);
    assert.equal(buckets.take("a"), 150, "0.4 tokens after 100 ms: 150 ms more");
    time.advance(150);
    assert.equal(buckets.take("a"), 0);
    time.advance(60_000);
    assert.deepEqual([buckets.take("a"), buckets.take("a"), buckets.take("a") > 0], [0, 0, true], "a long pause refills to capacity only");
  });

  it("counts refused takes against nobody: a refused client waits the same", () => {
    const time = clock();
    const buckets = new TokenBuckets({ capacity: 1, refillPerSecond: 1, maxKeys: 10, now: time.now });
    buckets.take("a");
    assert.equal(buckets.take("a"), 1000);
    assert.equal(buckets.take("a"), 1000);
    time.advance(1000);
    assert.equal(buckets.take("a"), 0);
  });

  it("keeps at most maxKeys, evicting the least recently used, which comes back full", () => {
    const time = clock();
    const buckets = new TokenBuckets({ capacity: 1, refillPerSecond: 0.001, maxKeys: 2, now: time.now });
    buckets.take("a");
    buckets.take("b");
    assert.ok(buckets.take("a") > 0, "a is now the most recent");
    buckets.take("c"); // evicts b, the least recently used
    assert.equal(buckets.size, 2);
    assert.ok(buckets.take("a") > 0, "a was kept");
    assert.ok(buckets.take("c") > 0, "c was kept");
    assert.equal(buckets.take("b"), 0, "b was evicted and starts full");
    assert.equal(buckets.size, 2);
  });

  it("refuses a bad capacity, rate, key bound or clock with UPIE_ERR_INVALID_OPTION", () => {
    const good = { capacity: 1, refillPerSecond: 1, maxKeys: 1 };
    const bad: Array<Record<string, unknown>> = [
      { capacity: 0 }, { capacity: 1.5 }, { capacity: Number.POSITIVE_INFINITY }, { capacity: "5" },
      { refillPerSecond: 0 }, { refillPerSecond: -1 }, { refillPerSecond: Number.NaN }, { refillPerSecond: Number.POSITIVE_INFINITY }, { refillPerSecond: "1" },
      { maxKeys: 0 }, { maxKeys: 2 ** 53 }, { now: 5 },
    ];
    for (const override of bad) {
      assert.throws(() => new TokenBuckets({ ...good, ...override } as never), (error: unknown) =>
        error instanceof InvalidOptionError && error.code === ERRORS.INVALID_OPTION.code, JSON.stringify(override));
    }
    assert.equal(new TokenBuckets({ ...good, refillPerSecond: 0.5 }).refillPerSecond, 0.5, "a fractional rate is fine");
  });
});
