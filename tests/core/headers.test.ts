import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { App, HttpMiddleware, TestClient, type Request, type ResponseInit } from "../../lib/index.js";
import { recordingLogger } from "./helpers.js";

class Headers extends App {
  async value(v: string) { return [200, "body", { "x-value": v }]; }
  async name(n: string) { return [200, "body", { [n]: "v" }]; }
  async list(v: string) { return [200, "body", { "x-list": ["fine", v] }]; }
  async location(to: string) { return [302, "", { location: to }]; }
  async cookie(v: string) {
    this.request.setCookie("c", v);
    return "set";
  }
  async type(v: string) { return [200, "body", { "Content-Type": v }]; }
  async fine() { return [200, "ok", { "X-Fine": "a value; with=chars", "x-empty": "", "x-tab": "a\tb" }]; }
}

const BAD_VALUES = ["a\r\nSet-Cookie: evil=1", "a\nX: y", "a\rb", "a\0b", "a\vb", "a\fb", "a\x7Fb", "a\x01b", "a\x1Bb", "a\x1Fb"];
const BAD_NAMES = ["X-A\r\nEvil", "X Space", "X:colon", "X\0nul", "", "X\n"];

function setup(middleware?: HttpMiddleware) {
  const logger = recordingLogger();
  const app = new Headers({ logger });
  if (middleware !== undefined) app.middlewares.push(middleware);
  return { logger, client: new TestClient(app) };
}

function assertRefused(res: { status: number; text: string; headers: Record<string, string> }): void {
  assert.equal(res.status, 500);
  assert.equal(res.text, "Internal Server Error");
  for (const [name, value] of Object.entries(res.headers)) {
    assert.doesNotMatch(name, /[\r\n\0]|evil/i);
    assert.doesNotMatch(value, /[\r\n\0]|evil/i);
  }
  assert.equal(res.headers["x-value"], undefined);
}

describe("response header validation", () => {
  for (const bad of BAD_VALUES) {
    it(`refuses the value ${JSON.stringify(bad)} with a logged generic 500`, async () => {
      const { client, logger } = setup();
      const res = await client.get(`/value?v=${encodeURIComponent(bad)}`);
      assertRefused(res);
      assert.equal(logger.errors.length, 1);
      assert.match(String(logger.errors[0]!.error), /x-value/);
    });
  }

  for (const bad of BAD_NAMES) {
    it(`refuses the name ${JSON.stringify(bad)} with a logged generic 500`, async () => {
      const { client, logger } = setup();
      const res = await client.get(`/name?n=${encodeURIComponent(bad)}`);
      assertRefused(res);
      assert.equal(logger.errors.length, 1);
    });
  }

  it("checks every value of a multi-valued header", async () => {
    const { client, logger } = setup();
    assertRefused(await client.get(`/list?v=${encodeURIComponent("x\r\ny")}`));
    assert.equal(logger.errors.length, 1);
  });

  it("refuses a redirect location with CR/LF", async () => {
    const { client } = setup();
    assertRefused(await client.get(`/location?to=${encodeURIComponent("/x\r\nSet-Cookie: evil=1")}`));
  });

  it("refuses a cookie value with CR/LF", async () => {
    const { client, logger } = setup();
    const res = await client.get(`/cookie?v=${encodeURIComponent("v\r\nEvil: 1")}`);
    assertRefused(res);
    assert.deepEqual(res.setCookies, []);
    assert.equal(logger.errors.length, 1);
  });

  it("refuses bad headers added by afterRequest", async () => {
    class Inject extends HttpMiddleware {
      override afterRequest(_request: Request, response: ResponseInit) {
        response.headers["x-value"] = "a\r\nEvil: 1";
      }
    }
    const { client, logger } = setup(new Inject());
    assertRefused(await client.get("/fine"));
    assert.equal(logger.errors.length, 1);
  });

  it("refuses a bad content-type name or value from a tuple", async () => {
    const { client } = setup();
    assertRefused(await client.get(`/name?n=${encodeURIComponent("content-type\r\n")}`));
    assertRefused(await client.get(`/type?v=${encodeURIComponent("text/html\r\nEvil: 1")}`));
  });

  it("lets ordinary header values through", async () => {
    const { client, logger } = setup();
    const res = await client.get("/fine");
    assert.equal(res.status, 200);
    assert.equal(res.headers["x-fine"], "a value; with=chars");
    assert.equal(res.headers["x-empty"], "");
    assert.equal(res.headers["x-tab"], "a\tb");
    assert.equal(logger.errors.length, 0);
  });
});
