import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { appendVary } from "../../lib/middleware/vary.js";

describe("appendVary", () => {
  it("sets Vary when there is none, and appends otherwise", () => {
    const headers: Record<string, string | string[]> = {};
    appendVary(headers, "Origin");
    assert.equal(headers.vary, "Origin");
    appendVary(headers, "Accept-Encoding");
    assert.equal(headers.vary, "Origin, Accept-Encoding");
  });

  it("does not repeat a name already listed, in any case or spacing", () => {
    const headers: Record<string, string | string[]> = { vary: "accept-encoding ,  origin" };
    appendVary(headers, "Origin");
    appendVary(headers, "ACCEPT-ENCODING");
    assert.equal(headers.vary, "accept-encoding ,  origin");
  });

  it("leaves * alone: it already varies on everything", () => {
    const headers: Record<string, string | string[]> = { vary: "*" };
    appendVary(headers, "Origin");
    assert.equal(headers.vary, "*");
    const listed: Record<string, string | string[]> = { vary: "Cookie, *" };
    appendVary(listed, "Origin");
    assert.equal(listed.vary, "Cookie, *");
  });

  it("joins a multi-valued Vary into one header", () => {
    const headers: Record<string, string | string[]> = { vary: ["Cookie", "Accept-Language"] };
    appendVary(headers, "Origin");
    assert.equal(headers.vary, "Cookie, Accept-Language, Origin");
    const already: Record<string, string | string[]> = { vary: ["Cookie", "Origin"] };
    appendVary(already, "origin");
    assert.deepEqual(already.vary, ["Cookie", "Origin"], "nothing to add: left as it was");
  });

  it("replaces an empty Vary", () => {
    const headers: Record<string, string | string[]> = { vary: "  " };
    appendVary(headers, "Origin");
    assert.equal(headers.vary, "Origin");
  });
});
