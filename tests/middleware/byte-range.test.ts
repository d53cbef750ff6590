import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseRange } from "../../lib/middleware/byte-range.js";

describe("parseRange", () => {
  it("reads one range, a suffix and an open end, clamping to the file", () => {
    assert.deepEqual(parseRange("bytes=0-99", 1000), { start: 0, end: 99 });
    assert.deepEqual(parseRange("bytes=-100", 1000), { start: 900, end: 999 });
    assert.deepEqual(parseRange("bytes=990-", 1000), { start: 990, end: 999 });
    assert.deepEqual(parseRange("bytes=990-5000", 1000), { start: 990, end: 999 });
    assert.deepEqual(parseRange("bytes=-5000", 1000), { start: 0, end: 999 }, "a suffix longer than the file is the whole file");
    assert.deepEqual(parseRange("bytes=999-999", 1000), { start: 999, end: 999 });
  });

  it("takes the unit in any case and spaces around the numbers", () => {
    assert.deepEqual(parseRange("Bytes=0-9", 100), { start: 0, end: 9 });
    assert.deepEqual(parseRange("bytes= 0 - 9 ", 100), { start: 0, end: 9 });
  });

  it("is unsatisfiable when every range lies outside the file", () => {
    assert.equal(parseRange("bytes=1000-", 1000), "unsatisfiable");
    assert.equal(parseRange("bytes=1000-2000, 3000-4000", 1000), "unsatisfiable");
    assert.equal(parseRange("bytes=-0", 1000), "unsatisfiable", "a zero-length suffix selects nothing");
    assert.equal(parseRange("bytes=0-", 0), "unsatisfiable");
    assert.equal(parseRange("bytes=-5", 0), "unsatisfiable", "no suffix of an empty file");
  });

  it("serves the one satisfiable range of several", () => {
    assert.deepEqual(parseRange("bytes=0-0, 2000-3000", 1000), { start: 0, end: 0 });
  });

  it("ignores several satisfiable ranges: the whole file is sent instead of multipart/byteranges", () => {
    assert.equal(parseRange("bytes=0-0,5-9", 1000), undefined);
    assert.equal(parseRange("bytes=0-499,0-499", 1000), undefined);
  });

  it("ignores a malformed header, another unit, or an inverted range", () => {
    for (const header of ["bytes=oops", "items=0-1", "bytes 0-1", "bytes=-", "bytes=1-2-3", "bytes=a-b", "bytes=5-2", "bytes=0-1, 5-2", "=0-1", ""]) {
      assert.equal(parseRange(header, 1000), undefined, header);
    }
  });

  it("ignores numbers of 16 digits or more, and headers over 1024 characters", () => {
    assert.equal(parseRange("bytes=1234567890123456-", 1000), undefined);
    assert.equal(parseRange("bytes=-1234567890123456", 1000), undefined);
    assert.equal(parseRange(`bytes=0-0${",5-5".repeat(300)}`, 1000), undefined);
    const justFits = `bytes=0-9,${" ".repeat(1024 - "bytes=0-9,2000-3000".length)}2000-3000`;
    assert.equal(justFits.length, 1024);
    assert.deepEqual(parseRange(justFits, 1000), { start: 0, end: 9 });
    assert.equal(parseRange(`${justFits} `, 1000), undefined);
  });
});
