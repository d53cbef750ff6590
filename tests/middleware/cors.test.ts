import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { App, Cors, HttpError, InvalidOptionError, TestClient, type CorsOptions } from "../../lib/index.js";
import { appendVary } from "../../lib/middleware/vary.js";

class Api extends App {
  reached = 0;
  async data() {
    this.reached++;
    return [200, { ok: true }, { "x-request-id": "r1", vary: "Accept" }];
  }
  async fail() { throw new HttpError(418, "teapot"); }
}

function api(options: CorsOptions): { app: Api; client: TestClient } {
  const app = new Api();
  app.middlewares.push(new Cors(options));
  return { app, client: new TestClient(app) };
}

const ALLOWED = "https://app.example";
const EVIL = "https://evil.example";

function preflight(client: TestClient, origin: string, requestHeaders?: string) {
  const headers: Record<string, string> = { origin, "access-control-request-method": "POST" };
  if (requestHeaders !== undefined) headers["access-control-request-headers"] = requestHeaders;
  return client.options("/data", { headers });
}

function corsHeaders(headers: Record<string, string>): string[] {
  return Object.keys(headers).filter((name) => name.startsWith("access-control-"));
}

describe("Cors", () => {
  describe("preflight", () => {
    it("answers an allowed origin with 204 and every CORS header, without reaching the handler", async () => {
      const { app, client } = api({ origins: [ALLOWED], credentials: true, maxAge: 120 });
      const res = await preflight(client, ALLOWED, "content-type, x-csrf-token");
      assert.equal(res.status, 204);
      assert.equal(res.headers["access-control-allow-origin"], ALLOWED);
      assert.equal(res.headers["access-control-allow-credentials"], "true");
      assert.equal(res.headers["access-control-allow-methods"], "GET, HEAD, PUT, PATCH, POST, DELETE");
      assert.equal(res.headers["access-control-allow-headers"], "content-type, x-csrf-token");
      assert.equal(res.headers["access-control-max-age"], "120");
      assert.equal(res.headers.vary, "Origin, Access-Control-Request-Headers");
      assert.equal(app.reached, 0);
    });

    it("gives a disallowed origin no CORS headers", async () => {
      const { app, client } = api({ origins: [ALLOWED], credentials: true });
      const res = await preflight(client, EVIL, "content-type");
      assert.equal(res.status, 204);
      assert.deepEqual(corsHeaders(res.headers), []);
      assert.equal(res.headers.vary, "Origin");
      assert.equal(app.reached, 0);
    });

    it("answers with the configured methods and headers instead of reflecting", async () => {
      const { client } = api({ origins: [ALLOWED], methods: ["get", "post"], allowedHeaders: ["Content-Type"] });
      const res = await preflight(client, ALLOWED, "x-anything");
      assert.equal(res.headers["access-control-allow-methods"], "GET, POST");
      assert.equal(res.headers["access-control-allow-headers"], "Content-Type");
      assert.equal(res.headers.vary, "Origin");
    });

    it("answers * for any origin without credentials", async () => {
      const { client } = api({});
      const res = await preflight(client, EVIL);
      assert.equal(res.headers["access-control-allow-origin"], "*");
      assert.equal(res.headers.vary, undefined);
    });

    it("treats an OPTIONS without Access-Control-Request-Method as a normal request", async () => {
      const { app, client } = api({ origins: [ALLOWED] });
      const res = await client.options("/data", { headers: { origin: ALLOWED } });
      assert.equal(res.status, 200);
      assert.equal(app.reached, 1);
      assert.equal(res.headers["access-control-allow-origin"], ALLOWED);
    });
  });

  describe("actual requests", () => {
    it("adds the origin, credentials, exposed headers and Vary for an allowed origin", async () => {
      const { client } = api({ origins: [ALLOWED], credentials: true, exposedHeaders: ["X-Request-Id"] });
      const res = await client.get("/data", { headers: { origin: ALLOWED } });
      assert.equal(res.status, 200);
      assert.equal(res.headers["access-control-allow-origin"], ALLOWED);
      assert.equal(res.headers["access-control-allow-credentials"], "true");
      assert.equal(res.headers["access-control-expose-headers"], "X-Request-Id");
      assert.equal(res.headers.vary, "Accept, Origin");
    });

    it("runs the handler but adds no CORS headers for a disallowed origin", async () => {
      const { app, client } = api({ origins: [ALLOWED], credentials: true });
      const res = await client.get("/data", { headers: { origin: EVIL } });
      assert.equal(app.reached, 1);
      assert.deepEqual(corsHeaders(res.headers), []);
      assert.equal(res.headers.vary, "Accept, Origin");
    });

    it("adds Vary: Origin even without an Origin header, for caches", async () => {
      const { client } = api({ origins: [ALLOWED] });
      const res = await client.get("/data");
      assert.deepEqual(corsHeaders(res.headers), []);
      assert.equal(res.headers.vary, "Accept, Origin");
    });

    it("decorates error responses too", async () => {
      const { client } = api({ origins: [ALLOWED] });
      const res = await client.get("/fail", { headers: { origin: ALLOWED } });
      assert.equal(res.status, 418);
      assert.equal(res.headers["access-control-allow-origin"], ALLOWED);
      assert.equal((await client.get("/nowhere", { headers: { origin: ALLOWED } })).headers["access-control-allow-origin"], ALLOWED);
    });
  });

  describe("allow-lists", () => {
    it("matches exact origins case-insensitively but never by prefix or suffix", async () => {
      const { client } = api({ origins: ALLOWED });
      assert.equal((await client.get("/data", { headers: { origin: "HTTPS://APP.EXAMPLE" } })).headers["access-control-allow-origin"], "HTTPS://APP.EXAMPLE");
      for (const origin of ["https://app.example.evil.com", "https://evilapp.example", "http://app.example", "https://app.example:8443", "null"]) {
        assert.equal((await client.get("/data", { headers: { origin } })).headers["access-control-allow-origin"], undefined, origin);
      }
    });

    it("tests regular expressions against the whole origin", async () => {
      const { client } = api({ origins: [/^https:\/\/[a-z0-9-]+\.preview\.example$/g] });
      for (let i = 0; i < 3; i++) {
        // A /g pattern keeps lastIndex between tests: it must not flip the answer.
        assert.equal((await client.get("/data", { headers: { origin: "https://pr-7.preview.example" } })).headers["access-control-allow-origin"], "https://pr-7.preview.example");
      }
      assert.equal((await client.get("/data", { headers: { origin: "https://pr-7.preview.example.evil.com" } })).headers["access-control-allow-origin"], undefined);
    });

    it("asks a function, sync or async, and only a literal true allows", async () => {
      const seen: string[] = [];
      const sync = api({ origins: (origin) => (seen.push(origin), origin.endsWith(".trusted.example")) }).client;
      assert.equal((await sync.get("/data", { headers: { origin: "https://a.trusted.example" } })).headers["access-control-allow-origin"], "https://a.trusted.example");
      assert.equal((await preflight(sync, EVIL)).headers["access-control-allow-origin"], undefined);
      assert.deepEqual(seen, ["https://a.trusted.example", EVIL]);
      const asyncClient = api({ origins: async (origin) => origin === ALLOWED }).client;
      assert.equal((await preflight(asyncClient, ALLOWED)).headers["access-control-allow-origin"], ALLOWED);
      assert.equal((await asyncClient.get("/data", { headers: { origin: EVIL } })).headers["access-control-allow-origin"], undefined);
      const sloppy = api({ origins: (() => "yes") as unknown as () => boolean }).client;
      assert.equal((await sloppy.get("/data", { headers: { origin: EVIL } })).headers["access-control-allow-origin"], undefined);
    });
  });

  it("rejects bad options at construction", () => {
    assert.throws(() => new Cors({ origins: "*", credentials: true }), InvalidOptionError);
    for (const origin of ["https://app.example/", "app.example", "https://app.example/path", "", "*.example.com"]) {
      assert.throws(() => new Cors({ origins: [origin] }), InvalidOptionError, origin);
    }
    assert.throws(() => new Cors({ origins: [42 as unknown as string] }), InvalidOptionError);
    assert.throws(() => new Cors({ exposedHeaders: ["X-Ok", "bad header"] }), InvalidOptionError);
    assert.throws(() => new Cors({ allowedHeaders: ["a\r\nb"] }), InvalidOptionError);
    assert.throws(() => new Cors({ methods: ["GET POST"] }), InvalidOptionError);
    assert.throws(() => new Cors({ maxAge: -1 }), InvalidOptionError);
  });
});

describe("appendVary", () => {
  it("appends once, case-insensitively, and leaves * alone", () => {
    const headers: Record<string, string | string[]> = {};
    appendVary(headers, "Origin");
    appendVary(headers, "origin");
    appendVary(headers, "Accept-Encoding");
    assert.equal(headers.vary, "Origin, Accept-Encoding");
    const star: Record<string, string | string[]> = { vary: "*" };
    appendVary(star, "Origin");
    assert.equal(star.vary, "*");
    const list: Record<string, string | string[]> = { vary: ["Accept", "Cookie"] };
    appendVary(list, "Origin");
    assert.equal(list.vary, "Accept, Cookie, Origin");
  });
});
