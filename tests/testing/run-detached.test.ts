import assert from "node:assert/strict";
import { AsyncLocalStorage } from "node:async_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, it } from "node:test";
import { runDetached } from "../../lib/testing/run-detached.js";

const store = new AsyncLocalStorage<string>();

describe("runDetached", () => {
  it("calls fn without the caller's stores, returns its result, and gives the caller its context back", () => {
    store.run("caller", () => {
      assert.equal(runDetached(() => store.getStore() ?? "none"), "none");
      assert.equal(store.getStore(), "caller");
    });
  });

  it("keeps fn's own context across its awaits, apart from the caller's", async () => {
    const seen = await store.run("caller", () =>
      runDetached(async () => {
        store.enterWith("fn's own");
        await sleep(1);
        return store.getStore();
      }),
    );
    assert.equal(seen, "fn's own");
    assert.equal(store.getStore(), undefined);
  });
});
