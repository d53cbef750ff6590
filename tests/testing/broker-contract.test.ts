/**
 * runBrokerContract(): a broker written only against upie's public types
 * passes it, and a broken one fails exactly the tests for what it breaks.
 * (LocalBroker and RedisBroker run it in their own tests.)
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { runContract, type ContractOutcome } from "./helpers.js";

const TESTS = [
  "delivers text as text and bytes as bytes to every attached sink",
  "keeps one publisher's order, with no duplicates",
  "reaches every server's sink once, from any server",
  "keeps topics apart",
  "stops delivering to a detached sink",
];

describe("the broker contract suite", { timeout: 120_000 }, () => {
  let outcomes: Map<string, ContractOutcome>;
  before(async () => {
    outcomes = await runContract("broker");
  });
  it("passes a correct third-party broker on every test", () => {
    assert.deepEqual(outcomes.get("Broker contract: TinyBroker"), { passed: TESTS, failed: [] });
  });

  it("fails a broker that reorders one publisher's messages", () => {
    const { failed } = outcomes.get("Broker contract: TinyBroker that reorders")!;
    assert.ok(failed.includes("keeps one publisher's order, with no duplicates"), JSON.stringify(failed));
  });

  it("fails a broker that keeps delivering to detached sinks, and only on that test", () => {
    assert.deepEqual(outcomes.get("Broker contract: TinyBroker that never detaches")!.failed, ["stops delivering to a detached sink"]);
  });
});
