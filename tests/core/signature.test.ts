import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseSignature, type ParamSpec } from "../../lib/core/signature.js";
import { ERRORS, InvalidOptionError } from "../../lib/protocol/errors.js";

/** A function from source text, as a handler compiled by tsx would read. */
const compile = (source: string): Function => new Function(`return ${source}`)();

/** True for the error a route definition fails with when its handler's parameters cannot be read. */
const unreadable = (error: unknown): boolean =>
  error instanceof InvalidOptionError && (error as InvalidOptionError).code === ERRORS.SIGNATURE_UNREADABLE.code;

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

  it("skips a regex literal in a default, brackets and quotes inside it included", () => {
    assert.deepEqual(parseSignature(compile("function f(a = /[)]/, b) {}")), [p("a", true), p("b")]);
    assert.deepEqual(parseSignature(compile(String.raw`function f(a = /[/\]]\/\(/gi, b = /'/, c = /\`/.source, d) {}`)), [p("a", true), p("b", true), p("c", true), p("d")]);
    assert.deepEqual(parseSignature(compile(String.raw`function f(a = typeof /[(]/, b = [/]/][0], c = x => /\)/.test(x), d) {}`)).map((spec) => spec.name), ["a", "b", "c", "d"]);
  });

  it("reads a slash after a value as a division, not a regex", () => {
    const fn = compile("function f(a = 6 / 3, b = (1) / 2 / (1), c = [4][0] / 2, d = x++ / 2, e = 'x'.length / 1, é = 1, g = é / 2, h) {}");
    assert.deepEqual(parseSignature(fn).map((spec) => spec.name), ["a", "b", "c", "d", "e", "é", "g", "h"]);
  });

  it("skips template literals whole, nested ones and ${} holding brackets and quotes", () => {
    const fn = compile("function f(a = `x${ `)` + \"}\" }y`, b = `${ { k: ')' }.k }`, c = `\\${(`, d) {}");
    assert.deepEqual(parseSignature(fn).map((spec) => spec.name), ["a", "b", "c", "d"]);
  });

  it("fails loudly on a default it cannot read, rather than dropping parameters", () => {
    // After `}` a slash divides (an object) or starts a regex (a block): read as a division, `[` then `)` do not match.
    assert.throws(() => parseSignature(compile("function f(a = () => { if (x) {} /[)]/.test(x) }, b) {}")), unreadable);
  });

  it("fails loudly when the source shows fewer parameters than the function has", () => {
    // A bound function's source is `function () { [native code] }`: its names are gone.
    const bound = function greet(name: string, times: number) { return [name, times]; }.bind(null);
    assert.throws(() => parseSignature(bound), (error: unknown) => unreadable(error) && /greet/.test((error as Error).message));
  });

  it("fails route definition with UPIE_ERR_SIGNATURE_UNREADABLE", async () => {
    const { App } = await import("../../lib/index.js");
    const handler = compile("function item(a = () => { if (x) {} /[)]/.test(x) }, id) { return id; }") as (id: string) => string;
    assert.throws(() => new App().route("/items/:id", handler), unreadable);
  });
});

