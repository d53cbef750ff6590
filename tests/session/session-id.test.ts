import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { isWellFormedSessionId, newSessionId } from "../../lib/session/session-id.js";

describe("newSessionId", () => {
  it("encodes 256 random bits as 43 base64url characters", () => {
    const id = newSessionId();
    assert.match(id, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(id, "base64url").length, 32);
  });

  it("never repeats", () => {
    const ids = new Set(Array.from({ length: 1000 }, newSessionId));
    assert.equal(ids.size, 1000);
  });
});

describe("isWellFormedSessionId", () => {
  it("accepts what newSessionId makes", () => {
    for (let i = 0; i < 100; i++) assert.equal(isWellFormedSessionId(newSessionId()), true);
  });

  it("rejects the wrong length, alphabet or type", () => {
    const id = newSessionId();
    const junk: unknown[] = [
      "", id.slice(1), `${id}A`, `${id.slice(1)}+`, `${id.slice(1)}/`, `${id.slice(1)}=`, `${id.slice(1)}.`,
      `${id.slice(2)}\r\n`, "../".repeat(14) + "a", undefined, null, 42, [id],
    ];
    for (const value of junk) assert.equal(isWellFormedSessionId(value), false, JSON.stringify(value));
  });
});
