import assert from "node:assert/strict";
import { describe, it } from "node:test";

import * as v from "valibot";
import { z } from "zod";

import { isStandardSchema, validateWith, type StandardSchemaV1 } from "../../lib/protocol/standard-schema.js";

describe("isStandardSchema", () => {
  it("recognises zod and valibot schemas, and nothing else", () => {
    assert.equal(isStandardSchema(z.string()), true);
    assert.equal(isStandardSchema(v.string()), true);
    for (const other of [undefined, null, 1, "s", {}, { "~standard": {} }, { "~standard": { version: 2, validate() {} } }, { parse() {} }]) {
      assert.equal(isStandardSchema(other), false, JSON.stringify(other));
    }
  });
});

describe("validateWith", () => {
  it("returns the output of sync and async validators", async () => {
    assert.deepEqual(await validateWith(z.object({ a: z.coerce.number() }), { a: "2" }), { value: { a: 2 } });
    const later: StandardSchemaV1<unknown, string> = {
      "~standard": { version: 1, vendor: "t", validate: async (value) => ({ value: String(value) }) },
    };
    assert.deepEqual(await validateWith(later, 5), { value: "5" });
  });

  it("flattens issue paths to plain keys", async () => {
    const symbol = Symbol("s");
    const paths: StandardSchemaV1 = {
      "~standard": {
        version: 1,
        vendor: "t",
        validate: () => ({ issues: [{ message: "a" }, { message: "b", path: ["items", 0, { key: "name" }, { key: 3 }, symbol] }] }),
      },
    };
    assert.deepEqual(await validateWith(paths, null), {
      issues: [{ message: "a", path: [] }, { message: "b", path: ["items", 0, "name", 3, "Symbol(s)"] }],
    });
  });

  it("reports valibot's nested issues with their paths", async () => {
    const result = await validateWith(v.object({ list: v.array(v.object({ id: v.number() })) }), { list: [{ id: 1 }, { id: "2" }] });
    assert.ok("issues" in result);
    assert.deepEqual(result.issues.map((i) => i.path), [["list", 1, "id"]]);
  });
});
