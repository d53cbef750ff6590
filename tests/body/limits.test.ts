import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidOptionError } from "../../lib/protocol/errors.js";
import { DEFAULT_LIMITS, resolveLimits } from "../../lib/body/limits.js";

describe("DEFAULT_LIMITS", () => {
  it("has finite documented defaults", () => {
    assert.deepEqual({ ...DEFAULT_LIMITS }, {
      bodySize: 1024 * 1024,
      fileSize: 10 * 1024 * 1024,
      files: 10,
      fields: 1000,
      parts: 1000,
      fieldSize: 64 * 1024,
      jsonDepth: 64,
      headerCount: 100,
      uploads: 32,
      spoolBytes: 512 * 1024 * 1024,
    });
  });

  it("is frozen", () => {
    assert.ok(Object.isFrozen(DEFAULT_LIMITS));
  });
});

describe("resolveLimits", () => {
  it("returns the defaults when given nothing", () => {
    assert.deepEqual(resolveLimits(), DEFAULT_LIMITS);
    assert.deepEqual(resolveLimits({}), DEFAULT_LIMITS);
  });

  it("overrides only the given limits and keeps undefined ones at the default", () => {
    const limits = resolveLimits({ bodySize: 10, files: undefined });
    assert.equal(limits.bodySize, 10);
    assert.equal(limits.files, DEFAULT_LIMITS.files);
    assert.equal(limits.fileSize, DEFAULT_LIMITS.fileSize);
  });

  it("freezes the result", () => {
    const limits = resolveLimits({ parts: 5 });
    assert.ok(Object.isFrozen(limits));
    assert.throws(() => {
      (limits as { parts: number }).parts = 6;
    }, TypeError);
  });

  for (const bad of [0, -1, 1.5, Infinity, NaN, Number.MAX_SAFE_INTEGER + 1, "10", null, true]) {
    it(`rejects ${typeof bad === "string" ? JSON.stringify(bad) : String(bad)} with an InvalidOptionError naming the option`, () => {
      assert.throws(
        () => resolveLimits({ fileSize: bad as number }),
        (error: unknown) =>
          error instanceof InvalidOptionError &&
          error.code === "UPIE_ERR_INVALID_OPTION" &&
          error.message.includes("limits.fileSize"),
      );
    });
  }

  it("rejects an unknown limit name", () => {
    assert.throws(
      () => resolveLimits({ bodysize: 5 } as never),
      (error: unknown) => error instanceof InvalidOptionError && error.message.includes("limits.bodysize"),
    );
  });

  it("rejects a limits value that is not an object", () => {
    assert.throws(() => resolveLimits(5 as never), InvalidOptionError);
  });
});
