import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { PublisherSequences } from "../../lib/redis/publisher-sequences.js";

describe("PublisherSequences", () => {
  it("passes the next number, skips repeats and reports gaps", () => {
    const seen = new PublisherSequences();
    assert.deepEqual(seen.check("p", 1), { kind: "next" });
    assert.deepEqual(seen.check("p", 2), { kind: "next" });
    assert.deepEqual(seen.check("p", 2), { kind: "duplicate" });
    assert.deepEqual(seen.check("p", 1), { kind: "duplicate" });
    assert.deepEqual(seen.check("p", 5), { kind: "gap", missed: 2 });
    assert.deepEqual(seen.check("q", 7), { kind: "next" }, "publishers are independent");
  });

  it("does not let one number far ahead silence the publisher (issue 22.7)", () => {
    const seen = new PublisherSequences(10_000, 100);
    seen.check("p", 1);
    assert.deepEqual(seen.check("p", Number.MAX_SAFE_INTEGER), { kind: "jump" });
    for (let i = 2; i <= 100; i++) assert.deepEqual(seen.check("p", i), { kind: "next" }, `message ${i}`);
    assert.deepEqual(seen.check("p", 50), { kind: "duplicate" });
  });

  it("delivers a number skipped over once, when it comes late", () => {
    const seen = new PublisherSequences(10_000, 100);
    seen.check("p", 1);
    assert.deepEqual(seen.check("p", 4), { kind: "gap", missed: 2 });
    assert.deepEqual(seen.check("p", 2), { kind: "late" });
    assert.deepEqual(seen.check("p", 2), { kind: "duplicate" });
    assert.deepEqual(seen.check("p", 3), { kind: "late" });
    assert.deepEqual(seen.check("p", 4), { kind: "duplicate" });
  });

  it("does not let a forged number a little ahead silence the numbers before it", () => {
    const seen = new PublisherSequences(10_000, 100);
    seen.check("p", 1);
    assert.deepEqual(seen.check("p", 90), { kind: "gap", missed: 88 }, "forged");
    for (let i = 2; i < 90; i++) assert.deepEqual(seen.check("p", i), { kind: "late" }, `message ${i}`);
    assert.deepEqual(seen.check("p", 90), { kind: "duplicate" }, "the one the forger took");
    assert.deepEqual(seen.check("p", 91), { kind: "next" });
  });

  it("forgets numbers that fall out of the window as it moves", () => {
    const seen = new PublisherSequences(10_000, 8);
    seen.check("p", 1);
    seen.check("p", 3);
    for (let i = 4; i <= 12; i++) seen.check("p", i);
    assert.deepEqual(seen.check("p", 2), { kind: "duplicate" }, "too old to tell: treated as seen");
    assert.deepEqual(seen.check("p", 12), { kind: "duplicate" });
    assert.deepEqual(seen.check("p", 5), { kind: "duplicate" });
  });

  it("follows a real jump once the publisher's next number confirms it", () => {
    const seen = new PublisherSequences(10_000, 100);
    seen.check("p", 1);
    assert.deepEqual(seen.check("p", 5001), { kind: "jump" });
    assert.deepEqual(seen.check("p", 5001), { kind: "duplicate" }, "a retried copy of the jump");
    assert.deepEqual(seen.check("p", 5002), { kind: "gap", missed: 4999 });
    assert.deepEqual(seen.check("p", 5003), { kind: "next" });
    assert.deepEqual(seen.check("p", 3), { kind: "duplicate" });
  });

  it("forgets the publisher heard from least recently past its bound", () => {
    const seen = new PublisherSequences(2);
    seen.check("a", 1);
    seen.check("b", 1);
    seen.check("a", 2);
    seen.check("c", 1);
    assert.equal(seen.size, 2);
    assert.deepEqual(seen.check("a", 2), { kind: "duplicate" }, "a was kept");
    assert.deepEqual(seen.check("b", 1), { kind: "next" }, "b was forgotten");
  });
});
