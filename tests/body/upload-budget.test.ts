import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UploadBudget } from "../../lib/body/upload-budget.js";
import { HttpError } from "../../lib/protocol/errors.js";

describe("UploadBudget", () => {
  it("gives out at most maxUploads slots, and takes them back on release", () => {
    const budget = new UploadBudget(2, 100);
    const [a, b, c] = [budget.lease(), budget.lease(), budget.lease()];
    a.enter();
    b.enter();
    assert.throws(() => c.enter(), (error: unknown) => error instanceof HttpError && error.status === 503 && error.code === "UPIE_ERR_UPLOADS_BUSY" && error.headers["retry-after"] === "5");
    assert.equal(budget.uploads, 2);
    a.release();
    c.enter();
    assert.equal(budget.uploads, 2);
  });

  it("counts bytes against maxBytes across leases, refusing the one that would pass it", () => {
    const budget = new UploadBudget(10, 100);
    const a = budget.lease();
    const b = budget.lease();
    a.reserve(60);
    assert.throws(() => b.reserve(41), (error: unknown) => error instanceof HttpError && error.status === 503 && error.code === "UPIE_ERR_SPOOL_FULL");
    b.reserve(40);
    assert.equal(budget.bytes, 100);
    a.release();
    assert.equal(budget.bytes, 40);
  });

  it("releases once: a second release gives nothing back twice", () => {
    const budget = new UploadBudget(1, 100);
    const lease = budget.lease();
    lease.enter();
    lease.reserve(10);
    lease.release();
    lease.release();
    assert.equal(budget.uploads, 0);
    assert.equal(budget.bytes, 0);
    lease.enter(); // after release: takes nothing
    assert.equal(budget.uploads, 0);
  });

  it("takes nothing for a lease that never uploads", () => {
    const budget = new UploadBudget(1, 100);
    budget.lease().release();
    assert.equal(budget.uploads, 0);
    budget.lease().enter();
    assert.equal(budget.uploads, 1);
  });
});
