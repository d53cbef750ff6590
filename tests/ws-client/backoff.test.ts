import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { Backoff } from "../../lib/ws-client/backoff.js";

describe("Backoff", () => {
  it("doubles from the initial delay up to the cap", () => {
    const backoff = new Backoff(100, 1000, () => 0.999_999);
    const delays = Array.from({ length: 7 }, () => backoff.next());
    assert.deepEqual(delays, [100, 200, 400, 800, 1000, 1000, 1000]);
    assert.equal(backoff.attempt, 7);
  });

  it("jitters each delay within half to all of its step", () => {
    const low = new Backoff(100, 1000, () => 0);
    assert.deepEqual([low.next(), low.next(), low.next()], [50, 100, 200]);
    const random = new Backoff(100, 30_000);
    for (let i = 0; i < 200; i++) {
      const step = Math.min(30_000, 100 * 2 ** i);
      const delay = random.next();
      assert.ok(delay >= step / 2 && delay <= step, `attempt ${i}: ${delay} outside [${step / 2}, ${step}]`);
    }
  });

  it("starts again from the initial delay after reset", () => {
    const backoff = new Backoff(100, 1000, () => 0.999_999);
    backoff.next();
    backoff.next();
    backoff.reset();
    assert.equal(backoff.attempt, 0);
    assert.equal(backoff.next(), 100);
  });
});
