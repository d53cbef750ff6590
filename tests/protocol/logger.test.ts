import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { stderrLogger, type Logger } from "../../lib/protocol/logger.js";

/** Runs `fn` with process.stderr.write captured; returns what it wrote. */
function captureStderr(fn: () => void): string {
  const write = process.stderr.write;
  let written = "";
  process.stderr.write = ((chunk: string | Uint8Array) => {
    written += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    fn();
  } finally {
    process.stderr.write = write;
  }
  return written;
}

describe("stderrLogger", () => {
  it("writes one [upie] line, then an Error's stack", () => {
    const error = new Error("boom");
    const written = captureStderr(() => stderrLogger.error("GET /x", error));
    assert.equal(written, `[upie] GET /x\n${error.stack}\n`);
  });

  it("falls back to the message for an Error without a stack", () => {
    const error = new Error("no stack");
    error.stack = undefined;
    assert.equal(captureStderr(() => stderrLogger.error("failed", error)), "[upie] failed\nno stack\n");
  });

  it("appends any other thrown value as text on the same line, and nothing when there is none", () => {
    assert.equal(captureStderr(() => stderrLogger.error("thrown", "a string")), "[upie] thrown a string\n");
    assert.equal(captureStderr(() => stderrLogger.error("thrown", 42)), "[upie] thrown 42\n");
    assert.equal(captureStderr(() => stderrLogger.error("thrown", null)), "[upie] thrown null\n");
    assert.equal(captureStderr(() => stderrLogger.error("just a message")), "[upie] just a message\n");
  });

  it("writes warnings as errors are written", () => {
    assert.equal(captureStderr(() => stderrLogger.warn!("careful", "why")), "[upie] careful why\n");
  });

  it("is satisfied by console, and by an object with error alone", () => {
    const fromConsole: Logger = console;
    const minimal: Logger = { error() {} };
    assert.equal(typeof fromConsole.error, "function");
    assert.equal(minimal.warn, undefined);
    // @ts-expect-error a logger needs an error method
    const missing: Logger = { warn() {} };
    void missing;
  });
});
