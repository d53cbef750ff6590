import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseSignature, type ParamSpec } from "../../lib/core/signature.js";

const p = (name: string | undefined, hasDefault = false, rest = false): ParamSpec => ({ name, hasDefault, rest });

describe("parseSignature", () => {
  it("reads names, defaults and a rest parameter of functions, methods and arrows", () => {
    assert.deepEqual(parseSignature(function greet(name: string, times = 1) { return [name, times]; }), [p("name"), p("times", true)]);
    assert.deepEqual(parseSignature(async function files(root: string, ...parts: string[]) { return [root, parts]; }), [p("root"), p("parts", false, true)]);
    class Site {
      async item(id: string, $v = "x", _x?: string) { return [id, $v, _x]; }
      static make(a: number) { return a; }
    }
    assert.deepEqual(parseSignature(Site.prototype.item), [p("id"), p("$v", true), p("_x")]);
    assert.deepEqual(parseSignature(Site.make), [p("a")]);
    assert.deepEqual(parseSignature((a: string, b = 2) => [a, b]), [p("a"), p("b", true)]);
    assert.deepEqual(parseSignature(async (a: string) => a), [p("a")]);
  });

  it("reads a bare arrow parameter, sync or async", () => {
    assert.deepEqual(parseSignature(new Function("return x => x")()), [p("x")]);
    assert.deepEqual(parseSignature(new Function("return async value => value")()), [p("value")]);
  });

  it("returns nothing for a function without parameters", () => {
    assert.deepEqual(parseSignature(function index() { return "home"; }), []);
    assert.deepEqual(parseSignature(() => 1), []);
  });

  it("never splits inside a default's strings, brackets, calls or comments", () => {
    const fn = new Function(`return function f(
      a = "x, y)", b = 'q,(', c = \`t,\${1}\`, d = [1, 2], e = { k: (1, 2) }, f = g(1, 2), // a comment, with (
      /* another, ) */ h = "a\\\\\\"b,", i,
    ) {}`)();
    assert.deepEqual(parseSignature(fn).map((spec) => spec.name), ["a", "b", "c", "d", "e", "f", "h", "i"]);
    assert.deepEqual(parseSignature(fn).map((spec) => spec.hasDefault), [true, true, true, true, true, true, true, false]);
  });

  it("names no destructured parameter, but keeps its place and default", () => {
    const fn = new Function("return function f({ a, b } = {}, [c, d], e) {}")();
    assert.deepEqual(parseSignature(fn), [p(undefined, true), p(undefined), p("e")]);
    assert.deepEqual(parseSignature(new Function("return function f(...[a, b]) {}")()), [p(undefined, false, true)]);
  });

  it("ignores a trailing comma and a default that holds an arrow", () => {
    assert.deepEqual(parseSignature(new Function("return function f(a, b = (x) => x,) {}")()), [p("a"), p("b", true)]);
  });
});
