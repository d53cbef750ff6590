import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { parseSetCookie } from "cookie";

import { signCookie } from "../../lib/cookies/signing.js";
import { InvalidOptionError } from "../../lib/protocol/errors.js";
import { DEFAULT_SESSION_TTL_SECONDS, SessionCookie } from "../../lib/session/session-cookie.js";
import { newSessionId } from "../../lib/session/session-id.js";

const SECRET = "s3cret";

describe("SessionCookie", () => {
  it("checks the ttl and the options once, when it is made", () => {
    for (const ttl of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => new SessionCookie(ttl), InvalidOptionError, String(ttl));
    }
    assert.throws(() => new SessionCookie(60, { secret: "" }), InvalidOptionError);
    assert.throws(() => new SessionCookie(60, { secret: [] }), InvalidOptionError);
    assert.throws(() => new SessionCookie(60, { secure: "yes" as unknown as boolean }), InvalidOptionError);
    assert.equal(new SessionCookie().ttlSeconds, DEFAULT_SESSION_TTL_SECONDS);
  });

  describe("#issue", () => {
    it("writes the session id with upie's attributes, signed with the first secret", () => {
      const id = newSessionId();
      assert.equal(new SessionCookie(60).issue(id), `session_id=${id}; Max-Age=60; Path=/; HttpOnly; SameSite=Lax`);
      assert.equal(parseSetCookie(new SessionCookie(60, { secret: [SECRET, "old"] }).issue(id)).value, signCookie("session_id", id, SECRET));
      assert.equal(parseSetCookie(new SessionCookie(60, { secure: true }).issue(id)).secure, true);
    });

    it("refuses an id a cookie cannot carry", () => {
      for (const id of ["", "a b", "a;b", `${newSessionId()}\r\nX-Evil: 1`, "x".repeat(257)]) {
        assert.throws(() => new SessionCookie().issue(id), InvalidOptionError);
      }
    });

    it("writes any cookie-safe id the app chose (MicroPie's accept(sessionId))", () => {
      assert.match(new SessionCookie(60).issue("abc123sessionid"), /^session_id=abc123sessionid; Max-Age=60;/);
    });
  });

  describe("#expire", () => {
    it("expires the cookie with the attributes it was written with", () => {
      const expired = parseSetCookie(new SessionCookie(60, { secure: true }).expire());
      assert.equal(expired.name, "session_id");
      assert.equal(expired.value, "");
      assert.equal(expired.maxAge, 0);
      assert.equal(expired.path, "/");
      assert.equal(expired.secure, true);
    });
  });

  describe("#read", () => {
    it("reads back what it issued, with the current or a retired secret", () => {
      const id = newSessionId();
      const cookie = new SessionCookie(60, { secret: ["new", "old"] });
      assert.equal(cookie.read(parseSetCookie(cookie.issue(id)).value), id);
      assert.equal(cookie.read(signCookie("session_id", id, "old")), id);
    });

    it("treats a missing, malformed or forged value as no session", () => {
      const id = newSessionId();
      const signed = new SessionCookie(60, { secret: SECRET });
      for (const value of [undefined, "", "a b", id, signCookie("session_id", id, "wrong"), signCookie("theme", id, SECRET)]) {
        assert.equal(signed.read(value), undefined, String(value));
      }
      assert.equal(new SessionCookie().read(id), id);
    });
  });
});
