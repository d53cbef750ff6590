/**
 * StringInterner: one copy of each handshake string shared by every socket,
 * in a pool that stops learning once full. Which copy comes back cannot be
 * seen with `===` (strings compare by value), so these tests count the heap
 * that 20,000 kept results take.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { StringInterner } from "../../../lib/server/uws/string-interner.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const COPIES = 20_000;
/** 100 characters: each separate copy costs over 100 bytes of heap. */
const VALUE = "a handshake value that every connection repeats, such as a Host or a User-Agent header: ".padEnd(100, "x");

/** A new string equal to `value` (a flat copy, not the literal). */
function freshCopy(value: string): string {
  return Buffer.from(value, "latin1").toString("latin1");
}

/** Bytes of heap that `COPIES` results of `keep(freshCopy(value))` hold on to. */
function heapHeldBy(value: string, keep: (copy: string) => string): number {
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept: string[] = new Array<string>(COPIES);
  for (let i = 0; i < COPIES; i++) kept[i] = keep(freshCopy(value));
  gc();
  const held = process.memoryUsage().heapUsed - before;
  assert.equal(kept[COPIES - 1], value);
  return held;
}

describe("StringInterner", () => {
  it("returns a string equal to the one it was given, every time", () => {
    const interner = new StringInterner(2, 8);
    for (const value of ["websocket", "Upgrade", "", "127.0.0.1", "websocket", "a-third-one", "longer than eight"]) {
      assert.equal(interner.intern(freshCopy(value)), value);
    }
  });

  it("keeps one copy of a repeated value instead of one per caller", () => {
    const unshared = heapHeldBy(VALUE, (copy) => copy);
    const interner = new StringInterner();
    const shared = heapHeldBy(VALUE, (copy) => interner.intern(copy));
    assert.ok(unshared > COPIES * 100, `separate copies held only ${unshared} bytes`);
    assert.ok(shared < unshared / 4, `interned copies held ${shared} bytes, separate ones ${unshared}`);
  });

  it("stops learning once it holds capacity strings: later values are not shared", () => {
    const interner = new StringInterner(3);
    for (const value of ["one", "two", "three"]) interner.intern(value);
    const unshared = heapHeldBy(VALUE, (copy) => copy);
    const overCapacity = heapHeldBy(VALUE, (copy) => interner.intern(copy));
    assert.ok(overCapacity > unshared / 2, `a value past capacity was shared (${overCapacity} bytes vs ${unshared})`);
    // What it learned before it filled up is still shared.
    const interner2 = new StringInterner(1);
    interner2.intern(freshCopy(VALUE));
    interner2.intern("no room for this one");
    assert.ok(heapHeldBy(VALUE, (copy) => interner2.intern(copy)) < unshared / 4);
  });

  it("never keeps a string longer than maxLength", () => {
    const interner = new StringInterner(512, VALUE.length - 1);
    const unshared = heapHeldBy(VALUE, (copy) => copy);
    const tooLong = heapHeldBy(VALUE, (copy) => interner.intern(copy));
    assert.ok(tooLong > unshared / 2, `a string over maxLength was shared (${tooLong} bytes vs ${unshared})`);
    const exact = new StringInterner(512, VALUE.length);
    assert.ok(heapHeldBy(VALUE, (copy) => exact.intern(copy)) < unshared / 4, "a string of exactly maxLength is shared");
  });
});
