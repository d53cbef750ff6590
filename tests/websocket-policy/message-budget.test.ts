import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MessageBudget } from "../../lib/websocket-policy/message-budget.js";

describe("MessageBudget", () => {
  it("allows a burst, then refills at perSecond", () => {
    const budget = new MessageBudget({ perSecond: 2, burst: 3 }, 0);
    assert.deepEqual([budget.take(0), budget.take(0), budget.take(0), budget.take(0)], [true, true, true, false]);
    assert.equal(budget.take(499), false, "not yet one token back");
    assert.equal(budget.take(500), true, "one token per 500 ms");
    assert.equal(budget.take(500), false);
  });

  it("never holds more than the burst, however long it was idle", () => {
    const budget = new MessageBudget({ perSecond: 100, burst: 2 }, 0);
    assert.deepEqual([budget.take(60_000), budget.take(60_000), budget.take(60_000)], [true, true, false]);
  });
});
