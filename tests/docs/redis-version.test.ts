/**
 * The Redis version the docs promise is the one upie/redis needs: the
 * broker's reads use XRANGE's exclusive `(` bound, which Redis added in 6.2
 * (lib/redis/read-batch.ts says so where it uses it). A doc that says "Redis 5"
 * sends users to a server whose every read fails.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { docFiles, readDoc } from "./markdown.js";

/** `[major, minor]` of a version written `6.2` or `5`. */
const parse = (version: string): [number, number] => {
  const [major = "0", minor = "0"] = version.split(".");
  return [Number(major), Number(minor)];
};

const atLeast = (a: [number, number], b: [number, number]): boolean => a[0] > b[0] || (a[0] === b[0] && a[1] >= b[1]);

describe("the Redis version in the docs", () => {
  const needed = /Redis ≥ (\d+(?:\.\d+)?)/.exec(readDoc("lib/redis/read-batch.ts"))?.[1];

  it("is read from lib/redis/read-batch.ts", () => {
    assert.equal(needed, "6.2");
  });

  it("is never older than what lib/redis/read-batch.ts needs", () => {
    const claims = docFiles().flatMap((file) =>
      [...readDoc(file).matchAll(/Redis (?:must be )?(?:≥ ?)?(\d+(?:\.\d+)?)(?:\+| or later)?/g)].map((match) => ({ file, version: match[1]! })),
    );
    assert.ok(claims.some((claim) => claim.file === "docs/scaling-out.md"), "docs/scaling-out.md states the version");
    const tooOld = claims.filter((claim) => !atLeast(parse(claim.version), parse(needed!)));
    assert.deepEqual(tooOld, []);
  });
});
