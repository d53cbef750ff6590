import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { EntrySigner, parseEntry } from "../../lib/redis/stream-entry.js";

const fields = (...pairs: string[]) => pairs.map((value) => Buffer.from(value));
const good = ["p", "pub", "s", "12", "t", "news", "k", "t", "d", "hello"];

describe("parseEntry", () => {
  it("reads the broker's own shape", () => {
    const entry = parseEntry(fields(...good))!;
    assert.equal(entry.publisher.toString(), "pub");
    assert.equal(entry.sequence, 12);
    assert.equal(entry.topic.toString(), "news");
    assert.equal(entry.kind, "t");
    assert.equal(entry.data.toString(), "hello");
    assert.equal(entry.mac, undefined);
  });

  it("refuses every other shape without throwing", () => {
    const replace = (name: string, value: string) => good.map((v, i) => (i % 2 === 1 && good[i - 1] === name ? value : v));
    const bad: unknown[] = [
      null,
      "p",
      [1, 2],
      fields("p", "pub"),
      fields(...good, "x"),
      fields(...good, "extra", "field"),
      fields(...good, "p", "again"),
      fields(...good.slice(2)),
      fields(...replace("s", "0")),
      fields(...replace("s", "-1")),
      fields(...replace("s", "1e3")),
      fields(...replace("s", "01")),
      fields(...replace("s", " 1")),
      fields(...replace("s", "9007199254740993")),
      fields(...replace("s", "")),
      fields(...replace("t", "")),
      fields(...replace("p", "")),
      fields(...replace("k", "x")),
      fields(...good, "h", "short"),
      [...fields(...good.slice(0, 9)), "not a buffer"],
    ];
    for (const shape of bad) assert.equal(parseEntry(shape), undefined, JSON.stringify(shape));
  });
});

describe("EntrySigner", () => {
  const parts = { publisher: "pub", sequence: 12, topic: "news", kind: "t" as const, data: "hello" };
  const signed = (signer: EntrySigner, changes: Record<string, string> = {}) => {
    const mac = signer.sign(parts);
    const raw = good.map((v, i) => (i % 2 === 1 && good[i - 1]! in changes ? changes[good[i - 1]!]! : v));
    return parseEntry([...fields(...raw), Buffer.from("h"), mac])!;
  };

  it("verifies what it signed, and with any of its secrets (rotation)", () => {
    const signer = new EntrySigner(["one"], "upie:broker");
    assert.equal(signer.verify(signed(signer)), true);
    const rotated = new EntrySigner(["two", "one"], "upie:broker");
    assert.equal(rotated.verify(signed(signer)), true);
  });

  it("refuses an entry with any field changed, no signature, another secret or another stream", () => {
    const signer = new EntrySigner(["one"], "upie:broker");
    const changed: Array<Record<string, string>> = [{ p: "other" }, { s: "13" }, { t: "new" }, { k: "b" }, { d: "hellO" }];
    for (const changes of changed) {
      assert.equal(signer.verify(signed(signer, changes)), false, JSON.stringify(changes));
    }
    assert.equal(signer.verify(parseEntry(fields(...good))!), false);
    assert.equal(new EntrySigner(["two"], "upie:broker").verify(signed(signer)), false);
    assert.equal(new EntrySigner(["one"], "other:broker").verify(signed(signer)), false);
  });

  it("signs text and the same bytes alike", () => {
    const signer = new EntrySigner(["one"], "k");
    assert.deepEqual(signer.sign({ ...parts, data: "héllo" }), signer.sign({ ...parts, data: Buffer.from("héllo") }));
  });
});
