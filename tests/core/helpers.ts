/**
 * Shared fixtures for the core tests: a logger that records instead of
 * printing, and a private temp folder for uploads.
 */
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger } from "../../lib/index.js";

/** One call to the logger. */
export interface LoggedError {
  message: string;
  error: unknown;
}

/** A {@link Logger} that keeps every call, so tests can assert on logging and stay quiet. */
export interface RecordingLogger extends Logger {
  readonly errors: LoggedError[];
}

export function recordingLogger(): RecordingLogger {
  const errors: LoggedError[] = [];
  return {
    errors,
    error(message, error) {
      errors.push({ message, error });
    },
    warn(message, error) {
      errors.push({ message, error });
    },
  };
}

/**
 * Points `os.tmpdir()` (which upie's spools read on every spill) at a fresh
 * folder of this test process, so leftover temp files can be counted without
 * seeing other processes' files.
 *
 * @returns a function listing upie's temp files in that folder.
 */
export function privateTempDir(): () => string[] {
  const dir = mkdtempSync(join(tmpdir(), "upie-test-"));
  process.env.TMPDIR = dir;
  return () => readdirSync(dir).filter((name) => name.startsWith("upie-"));
}

/** Polls `check` until it returns true or `ms` pass; returns its last answer. */
export async function eventually(check: () => boolean, ms = 2000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return check();
}
