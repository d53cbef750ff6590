import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { App, TestClient } from "../../lib/index.js";
import { parseSignedCookies } from "../../lib/cookies/cookies.js";
import { sign, signCookie } from "../../lib/cookies/signing.js";

class Prefs extends App {
  async set(value: string) {
    this.request.setCookie("theme", value, { signed: true });
    return "set";
  }
  async plain(value: string) {
    this.request.setCookie("theme", value);
    return "set";
  }
  async read() {
    return { signed: this.request.signedCookies.theme ?? null, raw: this.request.cookies.theme ?? null };
  }
  async login(user: string) {
    this.request.session.user = user;
    return "in";
  }
  async whoami() {
    return this.request.session.user ?? "nobody";
  }
}

function client(secret: string | string[] = "current-secret"): TestClient {
  return new TestClient(new Prefs({ secret }));
}

/** The value part of the cookie called `name` in a list of Set-Cookie lines. */
function cookieValue(setCookies: string[], name: string): string {
  const line = setCookies.find((c) => c.startsWith(`${name}=`));
  assert.ok(line, `a Set-Cookie for ${name}`);
  return line.slice(name.length + 1).split(";")[0]!;
}

describe("signed cookies", () => {
  it("signs a cookie with HMAC-SHA256 and reads it back", async () => {
    const c = client();
    const res = await c.get("/set/dark");
    const value = cookieValue(res.setCookies, "theme");
    assert.match(value, /^dark\.[A-Za-z0-9_-]{43}$/);
    assert.equal(value, signCookie("theme", "dark", "current-secret"));
    assert.deepEqual((await c.get("/read")).json(), { signed: "dark", raw: value });
  });

  it("reads a tampered value as absent", async () => {
    const c = client();
    await c.get("/set/dark");
    const signature = c.cookies.get("theme")!.split(".")[1];
    c.cookies.set("theme", `admin.${signature}`);
    assert.equal((await c.get("/read")).json().signed, null);
  });

  it("reads a forged or altered signature as absent", async () => {
    const c = client();
    for (const forged of [
      "dark",
      "dark.",
      "dark.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
      signCookie("theme", "dark", "attacker-secret"),
      `${signCookie("theme", "dark", "current-secret")}x`,
      signCookie("theme", "dark", "current-secret").slice(0, -1),
      ".",
      "",
    ]) {
      c.cookies.set("theme", forged);
      assert.equal((await c.get("/read")).json().signed, null, forged);
    }
  });

  it("binds the signature to the cookie's name: a signed value does not verify under another name", async () => {
    class Roles extends App {
      async pref(value: string) {
        this.request.setCookie("pref", value, { signed: true });
        return "set";
      }
      async role() {
        return this.request.signedCookies.role ?? "none";
      }
    }
    const c = new TestClient(new Roles({ secret: "current-secret" }));
    await c.get("/pref/admin");
    c.cookies.set("role", c.cookies.get("pref")!);
    assert.equal((await c.get("/role")).text, "none");
    c.cookies.set("role", signCookie("role", "admin", "current-secret"));
    assert.equal((await c.get("/role")).text, "admin");
  });

  it("reads a value signed in the old format (value only, no name) as absent", async () => {
    const c = client();
    c.cookies.set("theme", sign("dark", "current-secret"));
    assert.equal((await c.get("/read")).json().signed, null);
  });

  it("does not treat an unsigned cookie as signed", async () => {
    const c = client();
    await c.get("/plain/dark");
    assert.deepEqual((await c.get("/read")).json(), { signed: null, raw: "dark" });
  });

  it("accepts cookies signed with a retired secret and signs with the first", async () => {
    const old = client("old-secret");
    await old.get("/set/dark");
    const rotated = client(["new-secret", "old-secret"]);
    rotated.cookies.set("theme", old.cookies.get("theme")!);
    assert.equal((await rotated.get("/read")).json().signed, "dark");
    const res = await rotated.get("/set/light");
    assert.equal(cookieValue(res.setCookies, "theme"), signCookie("theme", "light", "new-secret"));
    const retired = client("new-secret");
    retired.cookies.set("theme", old.cookies.get("theme")!);
    assert.equal((await retired.get("/read")).json().signed, null);
  });

  it("checks the signature over the value as written, then percent-decodes it", async () => {
    const c = client();
    await c.get("/set/a%2520b");
    assert.equal(c.cookies.get("theme")!.startsWith("a%20b."), true);
    assert.equal((await c.get("/read")).json().signed, "a b");
  });

  it("answers 500 when a signed cookie is used without a secret", async () => {
    const c = new TestClient(new Prefs());
    const logged: unknown[] = [];
    const quiet = new TestClient(new Prefs({ logger: { error: (_m, e) => logged.push(e) } }));
    assert.equal((await quiet.get("/set/dark")).status, 500);
    assert.equal((await quiet.get("/read", { headers: { cookie: "theme=x" } })).status, 500);
    assert.equal(logged.length, 2);
    assert.match(String(logged[0]), /secret/);
    assert.equal((await c.get("/plain/dark")).status, 200);
  });

  it("drops __proto__ and survives a malformed header", () => {
    const parsed = parseSignedCookies(`__proto__=${signCookie("__proto__", "x", "k")}; ok=${signCookie("ok", "x", "k")}`, ["k"]);
    assert.equal(Object.getPrototypeOf(parsed), null);
    assert.deepEqual({ ...parsed }, { ok: "x" });
    assert.deepEqual({ ...parseSignedCookies(";;;=;", ["k"]) }, {});
    assert.deepEqual({ ...parseSignedCookies(undefined, ["k"]) }, {});
  });
});

describe("the session cookie with a secret", () => {
  it("is signed end to end and keeps the session", async () => {
    const c = client();
    const res = await c.get("/login/ada");
    const value = cookieValue(res.setCookies, "session_id");
    const dot = value.lastIndexOf(".");
    assert.ok(dot > 0);
    assert.equal(value, signCookie("session_id", value.slice(0, dot), "current-secret"));
    assert.equal((await c.get("/whoami")).text, "ada");
  });

  it("reads a tampered or unsigned session cookie as no session", async () => {
    const c = client();
    await c.get("/login/ada");
    const value = c.cookies.get("session_id")!;
    const dot = value.lastIndexOf(".");
    const id = value.slice(0, dot);
    const tampered = `${id.slice(0, -1)}${id.endsWith("A") ? "B" : "A"}${value.slice(dot)}`;
    for (const forged of [tampered, id, `${id}.${"A".repeat(43)}`, signCookie("session_id", id, "attacker-secret"), sign(id, "current-secret")]) {
      c.cookies.set("session_id", forged);
      assert.equal((await c.get("/whoami")).text, "nobody", forged);
    }
    c.cookies.set("session_id", value);
    assert.equal((await c.get("/whoami")).text, "ada");
  });
});
