import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { deleteCookieHeader, parseCookies, serializeCookie } from "../../lib/cookies/cookies.js";
import { ERRORS, HttpError, InvalidOptionError } from "../../lib/protocol/errors.js";

function isInvalidHeader(error: unknown): boolean {
  assert.ok(error instanceof HttpError);
  assert.equal(error.code, ERRORS.INVALID_HEADER.code);
  assert.equal(error.status, 500);
  return true;
}

describe("serializeCookie", () => {
  it("applies secure defaults: Path=/, HttpOnly, SameSite=Lax", () => {
    assert.equal(serializeCookie("theme", "dark"), "theme=dark; Path=/; HttpOnly; SameSite=Lax");
  });

  it("writes every attribute it is given", () => {
    const header = serializeCookie("id", "42", {
      maxAge: 3600,
      expires: new Date(Date.UTC(2030, 0, 2, 3, 4, 5)),
      path: "/app",
      domain: "example.com",
      secure: true,
      httpOnly: false,
      sameSite: "strict",
    });
    assert.equal(
      header,
      "id=42; Max-Age=3600; Domain=example.com; Path=/app; Expires=Wed, 02 Jan 2030 03:04:05 GMT; Secure; SameSite=Strict",
    );
  });

  it("forces Secure with SameSite=None", () => {
    const header = serializeCookie("a", "b", { sameSite: "none", secure: false });
    assert.match(header, /; Secure; SameSite=None$/);
  });

  it("forces Secure with Partitioned", () => {
    assert.equal(serializeCookie("a", "b", { partitioned: true }), "a=b; Path=/; HttpOnly; Secure; Partitioned; SameSite=Lax");
  });

  it("writes the value verbatim, without percent-encoding", () => {
    assert.equal(serializeCookie("a", "x%20y", { httpOnly: false }), "a=x%20y; Path=/; SameSite=Lax");
  });

  it("accepts an empty and a double-quoted value", () => {
    assert.match(serializeCookie("a", ""), /^a=; /);
    assert.match(serializeCookie("a", '"quoted"'), /^a="quoted"; /);
  });

  it("rejects names that are not RFC 7230 tokens", () => {
    for (const name of ["", "a b", "a;b", "a=b", "a\r\nSet-Cookie: x", "a\nb", "a\0b", "a,b", "a\"b", "ü", "(a)"]) {
      assert.throws(() => serializeCookie(name, "v"), isInvalidHeader, JSON.stringify(name));
    }
  });

  it("rejects values with characters RFC 6265 forbids", () => {
    for (const value of ["a\r\nX-Evil: 1", "a\nb", "a\rb", "a\0b", "a;b", "a b", "a,b", "a\\b", 'a"b', "ü", "\t", "\x7f"]) {
      assert.throws(() => serializeCookie("a", value), isInvalidHeader, JSON.stringify(value));
    }
  });

  it("rejects a path or domain that would break the header", () => {
    assert.throws(() => serializeCookie("a", "b", { path: "/x;Secure" }), isInvalidHeader);
    assert.throws(() => serializeCookie("a", "b", { path: "/x\r\nX-Evil: 1" }), isInvalidHeader);
    assert.throws(() => serializeCookie("a", "b", { domain: "evil.com; Path=/" }), isInvalidHeader);
  });

  it("rejects a non-integer maxAge, an invalid date or an unknown sameSite", () => {
    assert.throws(() => serializeCookie("a", "b", { maxAge: 1.5 }), InvalidOptionError);
    assert.throws(() => serializeCookie("a", "b", { maxAge: Number.NaN }), InvalidOptionError);
    assert.throws(() => serializeCookie("a", "b", { expires: new Date("nope") }), InvalidOptionError);
    assert.throws(() => serializeCookie("a", "b", { sameSite: "bogus" as "lax" }), InvalidOptionError);
  });
});

describe("deleteCookieHeader", () => {
  it("expires the cookie now, for current and old clients", () => {
    assert.equal(
      deleteCookieHeader("session_id"),
      "session_id=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax",
    );
  });

  it("keeps the path and domain, which must match the cookie to delete", () => {
    const header = deleteCookieHeader("a", { path: "/app", domain: "example.com", maxAge: 60 });
    assert.match(header, /^a=; Max-Age=0; Domain=example\.com; Path=\/app; /);
  });
});

describe("parseCookies", () => {
  it("returns an empty null-prototype object without a header", () => {
    for (const header of [undefined, ""]) {
      const cookies = parseCookies(header);
      assert.equal(Object.getPrototypeOf(cookies), null);
      assert.deepEqual(Object.keys(cookies), []);
    }
  });

  it("parses pairs, trimming whitespace and decoding percent-escapes", () => {
    const cookies = parseCookies("a=1; b = two ;c=x%20y;d=");
    assert.equal(Object.getPrototypeOf(cookies), null);
    assert.deepEqual({ ...cookies }, { a: "1", b: "two", c: "x y", d: "" });
  });

  it("keeps the first occurrence of a repeated name", () => {
    assert.equal(parseCookies("a=first; a=second").a, "first");
  });

  it("drops a cookie named __proto__ and keeps others harmlessly", () => {
    const cookies = parseCookies("__proto__=polluted; constructor=x; ok=1");
    assert.equal(Object.hasOwn(cookies, "__proto__"), false);
    assert.equal(cookies.constructor, "x");
    assert.equal(cookies.ok, "1");
  });

  it("leaves an invalid percent-escape undecoded", () => {
    assert.equal(parseCookies("a=%E0%A4%A; b=100%").a, "%E0%A4%A");
  });

  it("never throws on garbage", () => {
    const garbage = ["=", ";;;", "=;=;", "a", "%", "\0=\0", "a=\r\n", "; a", "a==b", "x".repeat(100_000), "=a=b=c"];
    for (const header of garbage) {
      const cookies = parseCookies(header);
      assert.equal(Object.getPrototypeOf(cookies), null, JSON.stringify(header.slice(0, 20)));
    }
    assert.deepEqual({ ...parseCookies(42 as unknown as string) }, {});
    assert.equal(parseCookies("a==b").a, "=b");
  });
});
