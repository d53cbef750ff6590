import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { encode } from "../../lib/ws-client/encode.js";

describe("encode", () => {
  it("keeps strings as text and turns objects, numbers and null into JSON text", () => {
    assert.equal(encode("hi"), "hi");
    assert.equal(encode({ a: [1, "x"] }), '{"a":[1,"x"]}');
    assert.equal(encode(42), "42");
    assert.equal(encode(null), "null");
  });

  it("sends bytes as binary without copying views", () => {
    const bytes = new Uint8Array([1, 2, 3, 4]);
    assert.equal(encode(bytes), bytes);
    assert.deepEqual([...(encode(bytes.buffer) as Uint8Array)], [1, 2, 3, 4]);
    const view = encode(new DataView(bytes.buffer, 1, 2)) as Uint8Array;
    assert.deepEqual([...view], [2, 3]);
    assert.equal(view.buffer, bytes.buffer);
  });

  it("refuses values without a JSON form", () => {
    assert.throws(() => encode(undefined as never), /not JSON-serialisable/);
    assert.throws(() => encode((() => 1) as never), TypeError);
  });
});
