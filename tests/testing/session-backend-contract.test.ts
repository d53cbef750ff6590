/**
 * runSessionBackendContract(): a backend written only against upie's public
 * types passes it, and a broken one fails exactly the tests for what it
 * breaks. (The in-memory and Redis backends run it in their own tests.)
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { runContract, type ContractOutcome } from "./helpers.js";

describe("the session-backend contract suite", { timeout: 120_000 }, () => {
  let outcomes: Map<string, ContractOutcome>;
  before(async () => {
    outcomes = await runContract("session");
  });
  it("passes a correct third-party backend on every test", () => {
    const { passed, failed } = outcomes.get("SessionBackend contract: TinyBackend")!;
    assert.deepEqual(failed, []);
    assert.equal(passed.length, 13, JSON.stringify(passed));
  });

  it("fails a backend that keeps the caller's object instead of a copy", () => {
    assert.deepEqual(outcomes.get("SessionBackend contract: TinyBackend that keeps references")!.failed.sort(), [
      "returns a copy: mutating a loaded object changes nothing",
      "stores a copy: mutating the saved object afterwards changes nothing",
    ]);
  });

  it("fails a backend that ignores the ttl, and only on that test", () => {
    assert.deepEqual(outcomes.get("SessionBackend contract: TinyBackend that ignores the ttl")!.failed, ["honours the ttl"]);
  });
});
