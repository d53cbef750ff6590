import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { describe, it } from "node:test";

import { InvalidOptionError } from "../../lib/protocol/errors.js";
import { normalizeSecrets, sign, unsign } from "../../lib/cookies/signing.js";

const SECRET = "correct horse battery staple";

describe("sign", () => {
  it("appends a base64url HMAC-SHA256 of the value", () => {
    const expected = createHmac("sha256", SECRET).update("hello").digest("base64url");
    assert.equal(sign("hello", SECRET), `hello.${expected}`);
    assert.match(sign("hello", SECRET), /^hello\.[A-Za-z0-9_-]{43}$/);
  });

  it("gives different signatures for different secrets", () => {
    assert.notEqual(sign("hello", SECRET), sign("hello", `${SECRET}!`));
  });

  it("rejects an empty or non-string secret", () => {
    assert.throws(() => sign("hello", ""), InvalidOptionError);
    assert.throws(() => sign("hello", undefined as unknown as string), InvalidOptionError);
  });
});

describe("unsign", () => {
  it("returns the value of a correctly signed string", () => {
    assert.equal(unsign(sign("hello", SECRET), SECRET), "hello");
  });

  it("keeps dots that belong to the value", () => {
    assert.equal(unsign(sign("a.b.c", SECRET), SECRET), "a.b.c");
  });

  it("returns the empty value when that is what was signed", () => {
    assert.equal(unsign(sign("", SECRET), SECRET), "");
  });

  it("rejects a tampered value", () => {
    const signed = sign("user=1", SECRET);
    assert.equal(unsign(signed.replace("user=1", "user=2"), SECRET), undefined);
  });

  it("rejects a tampered signature", () => {
    const signed = sign("hello", SECRET);
    const last = signed.at(-1) === "A" ? "B" : "A";
    assert.equal(unsign(signed.slice(0, -1) + last, SECRET), undefined);
  });

  it("rejects a signature of the wrong length without throwing", () => {
    const signed = sign("hello", SECRET);
    assert.equal(unsign(signed.slice(0, -1), SECRET), undefined);
    assert.equal(unsign(`${signed}A`, SECRET), undefined);
    assert.equal(unsign(`${signed}é`, SECRET), undefined);
  });

  it("rejects a string signed with another secret", () => {
    assert.equal(unsign(sign("hello", "other secret"), SECRET), undefined);
  });

  it("rejects malformed input", () => {
    for (const input of ["", "hello", ".", "hello.", ".abc"]) {
      assert.equal(unsign(input, SECRET), undefined, JSON.stringify(input));
    }
    assert.equal(unsign(undefined as unknown as string, SECRET), undefined);
    assert.equal(unsign(42 as unknown as string, SECRET), undefined);
  });

  it("accepts any secret of a rotation list", () => {
    const secrets = ["new secret", "old secret"];
    assert.equal(unsign(sign("hello", "old secret"), secrets), "hello");
    assert.equal(unsign(sign("hello", "new secret"), secrets), "hello");
    assert.equal(unsign(sign("hello", "retired secret"), secrets), undefined);
  });

  it("throws on invalid secrets even for malformed input", () => {
    for (const secrets of ["", [], [""], ["ok", ""], [1], undefined, null]) {
      assert.throws(() => unsign("x.y", secrets as string[]), InvalidOptionError, JSON.stringify(secrets));
    }
  });
});

describe("normalizeSecrets", () => {
  it("turns one secret into a list and keeps a list as is", () => {
    assert.deepEqual(normalizeSecrets("a"), ["a"]);
    assert.deepEqual(normalizeSecrets(["a", "b"]), ["a", "b"]);
  });
});
