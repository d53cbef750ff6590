import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";

import { App, Csrf, InvalidOptionError, TestClient, csrfToken, verifyCsrfToken, type CsrfOptions } from "../../lib/index.js";
import { Request } from "../../lib/core/request.js";

const templates = mkdtempSync(join(tmpdir(), "upie-csrf-"));
writeFileSync(join(templates, "form.html"), '<form method="post"><input type="hidden" name="csrf_token" value="{{ csrf_token }}"></form>');
after(() => rmSync(templates, { recursive: true, force: true }));

class Board extends App {
  async token() { return csrfToken(this.request); }
  async form() { return this.renderTemplate("form.html", { csrf_token: csrfToken(this.request) }); }
  async post() { return `posted ${this.request.method}`; }
  async logout() {
    this.request.session = {};
    return "bye";
  }
  async login() {
    this.request.session.user = "ada";
    return "in";
  }
}

function board(options?: CsrfOptions): TestClient {
  const app = new Board({ templates });
  app.middlewares.push(new Csrf(options));
  return new TestClient(app);
}

async function withToken(options?: CsrfOptions): Promise<{ client: TestClient; token: string }> {
  const client = board(options);
  const res = await client.get("/token");
  assert.equal(res.status, 200);
  assert.ok(!client.cookies.has("session_id"), "an anonymous token takes no session slot");
  assert.ok(client.cookies.has("upie_csrf"), "its secret travels in a cookie of its own");
  return { client, token: res.text };
}

describe("Csrf", () => {
  it("accepts the session's token in the form field, the header or a JSON field", async () => {
    const { client, token } = await withToken();
    assert.equal((await client.post("/post", { form: { csrf_token: token } })).text, "posted POST");
    assert.equal((await client.post("/post", { headers: { "x-csrf-token": token } })).text, "posted POST");
    assert.equal((await client.post("/post", { json: { csrf_token: token } })).text, "posted POST");
    assert.equal((await client.post("/post", { form: { csrf_token: token }, files: { f: { filename: "a.txt", content: "x" } } })).text, "posted POST");
  });

  it("refuses an unsafe request without a token with 403", async () => {
    const { client } = await withToken();
    for (const method of ["POST", "PUT", "PATCH", "DELETE", "PROPFIND"]) {
      const res = await client.request(method, "/post");
      assert.equal(res.status, 403, method);
      assert.equal(res.text, "CSRF token missing or invalid");
    }
  });

  it("lets safe methods through without a token", async () => {
    const client = board();
    for (const method of ["GET", "HEAD", "OPTIONS", "TRACE"]) {
      assert.equal((await client.request(method, "/post")).status, 200, method);
    }
  });

  it("refuses a token from another session", async () => {
    const alice = await withToken();
    const mallory = await withToken();
    const res = await mallory.client.post("/post", { form: { csrf_token: alice.token } });
    assert.equal(res.status, 403);
    assert.equal((await alice.client.post("/post", { form: { csrf_token: alice.token } })).status, 200);
  });

  it("refuses a token when the request has no session", async () => {
    const { token } = await withToken();
    const stranger = board();
    assert.equal((await stranger.post("/post", { form: { csrf_token: token } })).status, 403);
  });

  it("refuses malformed and forged tokens", async () => {
    const { client, token } = await withToken();
    const flipped = token.slice(0, 50) + (token[50] === "A" ? "B" : "A") + token.slice(51);
    for (const bad of ["", "x", token.slice(0, -1), `${token}A`, flipped, "!".repeat(86), "A".repeat(86), token.replace(/[A-Za-z]/, "+")]) {
      assert.equal((await client.post("/post", { headers: { "x-csrf-token": bad } })).status, 403, bad);
    }
    assert.equal((await client.post("/post", { json: { csrf_token: 12345 } })).status, 403);
  });

  it("issues different text on every call, all valid for the session", async () => {
    const { client, token } = await withToken();
    const second = (await client.get("/token")).text;
    assert.notEqual(second, token);
    assert.match(second, /^[A-Za-z0-9_-]{86}$/);
    assert.equal((await client.post("/post", { form: { csrf_token: token } })).status, 200);
    assert.equal((await client.post("/post", { form: { csrf_token: second } })).status, 200);
  });

  it("binds the token to the session once there is one, and invalidates it at logout", async () => {
    const { client, token: anonymous } = await withToken();
    await client.post("/login", { form: { csrf_token: anonymous } });
    const token = (await client.get("/token")).text;
    assert.equal((await client.post("/post", { form: { csrf_token: token } })).status, 200);
    // The session now holds the secret: the anonymous cookie no longer counts (cookie tossing).
    assert.equal((await client.post("/post", { form: { csrf_token: anonymous } })).status, 403);
    await client.post("/logout", { form: { csrf_token: token } });
    assert.equal((await client.post("/post", { form: { csrf_token: token } })).status, 403);
  });

  it("round-trips a token rendered into a template", async () => {
    const client = board();
    const html = (await client.get("/form")).text;
    const token = /value="([^"]+)"/.exec(html)?.[1];
    assert.ok(token);
    assert.equal((await client.post("/post", { form: { csrf_token: token } })).status, 200);
  });

  it("uses the configured field and header names", async () => {
    const { client, token } = await withToken({ field: "_token", header: "X-XSRF-TOKEN" });
    assert.equal((await client.post("/post", { form: { _token: token } })).status, 200);
    assert.equal((await client.post("/post", { headers: { "x-xsrf-token": token } })).status, 200);
    assert.equal((await client.post("/post", { form: { csrf_token: token } })).status, 403);
  });

  it("lets exempt requests through", async () => {
    const client = board({ exempt: (request) => request.path.startsWith("/post") });
    assert.equal((await client.post("/post")).status, 200);
  });

  it("signs the anonymous cookie, bound to its name, when the app has a secret", async () => {
    const app = new Board({ templates, secret: "s3cret" });
    app.middlewares.push(new Csrf());
    const client = new TestClient(app);
    const token = (await client.get("/token")).text;
    assert.match(client.cookies.get("upie_csrf")!, /^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
    assert.equal((await client.post("/post", { form: { csrf_token: token } })).status, 200);
    // A cookie the attacker wrote (tossed from a sibling subdomain) is not signed: refused.
    const forged = board();
    const forgedToken = (await forged.get("/token")).text;
    client.cookies.set("upie_csrf", forged.cookies.get("upie_csrf")!);
    assert.equal((await client.post("/post", { form: { csrf_token: forgedToken } })).status, 403);
  });

  it("rejects bad options at construction", () => {
    assert.throws(() => new Csrf({ field: "" }), InvalidOptionError);
    assert.throws(() => new Csrf({ header: "bad header" }), InvalidOptionError);
    assert.throws(() => new Csrf({ header: "" }), InvalidOptionError);
    assert.throws(() => new Csrf({ exempt: "yes" as unknown as () => boolean }), InvalidOptionError);
  });
});

describe("verifyCsrfToken", () => {
  it("refuses a corrupt stored secret", () => {
    const request = new Request({ type: "http", method: "POST", path: "/", rawQuery: "", headers: {}, client: "" });
    const token = csrfToken(request);
    assert.equal(verifyCsrfToken(request, token), true);
    request.session._csrf = "not-a-secret";
    assert.equal(verifyCsrfToken(request, token), false);
    request.session._csrf = 42;
    assert.equal(verifyCsrfToken(request, token), false);
  });
});
