import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  App, DEFAULT_CONTENT_SECURITY_POLICY, HttpError, InvalidOptionError, SecurityHeaders, TestClient,
  type SecurityHeadersOptions,
} from "../../lib/index.js";

class Site extends App {
  async index() { return "<p>home</p>"; }
  async embed() { return [200, "<p>framed</p>", { "content-security-policy": "frame-ancestors https://partner.example" }]; }
  async fail() { throw new HttpError(418, "teapot"); }
}

function site(options?: SecurityHeadersOptions): TestClient {
  const app = new Site();
  app.middlewares.push(new SecurityHeaders(options));
  return new TestClient(app);
}

describe("SecurityHeaders", () => {
  it("adds a strict CSP, nosniff and a same-origin referrer policy by default", async () => {
    const res = await site().get("/");
    assert.equal(res.headers["content-security-policy"], DEFAULT_CONTENT_SECURITY_POLICY);
    assert.match(DEFAULT_CONTENT_SECURITY_POLICY, /script-src 'self';/);
    assert.match(DEFAULT_CONTENT_SECURITY_POLICY, /frame-ancestors 'none'/);
    assert.equal(res.headers["x-content-type-options"], "nosniff");
    assert.equal(res.headers["referrer-policy"], "same-origin");
    assert.equal(res.headers["cache-control"], undefined);
    assert.equal(res.headers["strict-transport-security"], undefined);
  });

  it("adds them to error responses too", async () => {
    const client = site();
    for (const path of ["/fail", "/missing"]) {
      const res = await client.get(path);
      assert.ok(res.status >= 400);
      assert.equal(res.headers["content-security-policy"], DEFAULT_CONTENT_SECURITY_POLICY);
      assert.equal(res.headers["x-content-type-options"], "nosniff");
    }
  });

  it("leaves a header the handler set alone", async () => {
    const res = await site().get("/embed");
    assert.equal(res.headers["content-security-policy"], "frame-ancestors https://partner.example");
    assert.equal(res.headers["x-content-type-options"], "nosniff");
  });

  it("takes options, and false leaves a header out", async () => {
    const res = await site({
      contentSecurityPolicy: "default-src 'self'",
      referrerPolicy: false,
      noSniff: false,
      cacheControl: "no-store",
      strictTransportSecurity: "max-age=600",
    }).get("/");
    assert.equal(res.headers["content-security-policy"], "default-src 'self'");
    assert.equal(res.headers["referrer-policy"], undefined);
    assert.equal(res.headers["x-content-type-options"], undefined);
    assert.equal(res.headers["cache-control"], "no-store");
    assert.equal(res.headers["strict-transport-security"], "max-age=600");
  });

  it("refuses values that would split the response, or are not strings", () => {
    assert.throws(() => new SecurityHeaders({ contentSecurityPolicy: "default-src 'self'\r\nset-cookie: a=b" }), InvalidOptionError);
    assert.throws(() => new SecurityHeaders({ cacheControl: "" }), InvalidOptionError);
    assert.throws(() => new SecurityHeaders({ referrerPolicy: 7 as unknown as string }), InvalidOptionError);
  });
});
