/**
 * The sizes of lib/: no file over 400 lines, no function over 60. A file
 * that grows past the first holds more than one concern and is split by
 * concern (one per file, named after what it exports); a function past the
 * second is split into steps with names (STYLE.md: "a 360-line function is
 * what we avoid"). Functions are measured with the TypeScript compiler API:
 * every function declaration, method, constructor, accessor, function
 * expression and arrow, from the first line of its body to the last.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import ts from "typescript";

import { LIB, libFiles } from "./lib-files.js";

const MAX_FILE_LINES = 400;
const MAX_FUNCTION_LINES = 60;

/**
 * Exempt from both limits: the contract suites (lib/testing/*-contract.ts).
 * Each is one builder function that registers a whole suite of `describe` and
 * `it` blocks for an implementation, read as a list of cases; splitting it
 * would only scatter the cases.
 */
const CONTRACT_SUITE = /^testing\/[^/]+-contract\.ts$/;

/** The files of lib/ the limits apply to, as paths relative to lib/. */
function measured(): string[] {
  return libFiles().map((path) => relative(LIB, path)).filter((name) => !CONTRACT_SUITE.test(name)).sort();
}

function lineCount(text: string): number {
  const lines = text.split("\n");
  return text.endsWith("\n") ? lines.length - 1 : lines.length;
}

/** A readable name for a function node: its own name, or the name it is assigned to. */
function functionName(node: ts.FunctionLikeDeclaration, source: ts.SourceFile): string {
  if (ts.isConstructorDeclaration(node)) return "constructor";
  if (node.name !== undefined) return node.name.getText(source);
  const parent = node.parent;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && parent.name !== undefined) {
    return parent.name.getText(source);
  }
  return "(anonymous)";
}

/** Every function of `name` whose body spans more than MAX_FUNCTION_LINES lines, as `file:line name (N lines)`. */
function longFunctions(name: string): string[] {
  const text = readFileSync(join(LIB, name), "utf8");
  const source = ts.createSourceFile(name, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && "body" in node && node.body !== undefined) {
      const fn = node as ts.FunctionLikeDeclaration;
      const body = fn.body!;
      const first = source.getLineAndCharacterOfPosition(body.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(body.getEnd()).line;
      const lines = last - first + 1;
      if (lines > MAX_FUNCTION_LINES) found.push(`${name}:${first + 1} ${functionName(fn, source)} (${lines} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe("the sizes of lib/", () => {
  it(`has no file over ${MAX_FILE_LINES} lines`, () => {
    const long = measured()
      .map((name) => ({ name, lines: lineCount(readFileSync(join(LIB, name), "utf8")) }))
      .filter(({ lines }) => lines > MAX_FILE_LINES)
      .map(({ name, lines }) => `${name} (${lines} lines)`);
    assert.deepEqual(long, []);
  });

  it(`has no function over ${MAX_FUNCTION_LINES} lines`, () => {
    assert.deepEqual(measured().flatMap(longFunctions), []);
  });
});
