/**
 * The runner's command line: `upie FILE[:Export] [--host H] [--port P]
 * [--workers N] [--reload]`, with `HOST` and `PORT` from the environment as
 * the defaults of their flags (as uvicorn and most hosting platforms do).
 *
 * @module
 */
import { parseArgs } from "node:util";

import { InvalidOptionError } from "../protocol/errors.js";

/** What the runner was asked to do. */
export interface RunnerOptions {
  /** The app module, as given (relative to the working directory). */
  file: string;
  /** The export to serve; undefined: the default export, else the module's only App. */
  exportName: string | undefined;
  host: string;
  port: number;
  /** Processes serving the port together (SO_REUSEPORT); 1 serves in the runner's own process unless `reload`. */
  workers: number;
  /** Restart when a file in the app's folder changes. */
  reload: boolean;
}

/** Printed by `--help` and after a usage error. */
export const USAGE = `Usage: upie FILE[:Export] [--host HOST] [--port PORT] [--workers N] [--reload]

Serves the App that FILE exports: Export, else the default export, else its only App.
An export may be an App subclass, an App, or a function returning one (async setup).
  --host HOST     interface to bind (default: $HOST, else 127.0.0.1)
  --port PORT     port (default: $PORT, else 8000; 0 picks a free one)
  --workers N     N processes share the port (SO_REUSEPORT); a crashed one is restarted
  --reload        restart when a file in FILE's folder changes (development)
TypeScript files run through tsx (npm install --save-dev tsx).`;

const DEFAULT_HOST = "127.0.0.1";
const DEFAULT_PORT = 8000;
/** More workers than this is a typo, not a deployment: each is a full process. */
const MAX_WORKERS = 512;

/**
 * Reads the runner's arguments.
 *
 * @param argv - the arguments after the program name.
 * @param env - where HOST and PORT come from.
 * @returns the options, or "help" for `--help`.
 * @throws InvalidOptionError for an unknown flag, a missing FILE or a bad number.
 */
export function parseRunnerArgs(argv: readonly string[], env: Record<string, string | undefined>): RunnerOptions | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        host: { type: "string" },
        port: { type: "string" },
        workers: { type: "string" },
        reload: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new InvalidOptionError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return "help";
  if (positionals.length !== 1) throw new InvalidOptionError(positionals.length === 0 ? "FILE is missing" : `one FILE only, got ${positionals.join(" ")}`);
  const { file, exportName } = splitTarget(positionals[0]!);
  const host = values.host ?? (env.HOST || DEFAULT_HOST);
  if (host === "" || /[\s/]/.test(host)) throw new InvalidOptionError(`--host must be a host name or address, got ${JSON.stringify(host)}`);
  return {
    file,
    exportName,
    host,
    port: integer("--port", values.port ?? (env.PORT || String(DEFAULT_PORT)), 0, 65535),
    workers: integer("--workers", values.workers ?? "1", 1, MAX_WORKERS),
    reload: values.reload ?? false,
  };
}

/** `app.ts:Chat` → file and export; a Windows drive letter (`C:\app.ts`) is not an export. */
function splitTarget(target: string): { file: string; exportName: string | undefined } {
  const colon = target.lastIndexOf(":");
  if (colon <= 1) return { file: target, exportName: undefined };
  const exportName = target.slice(colon + 1);
  if (!/^[A-Za-z_$][\w$]*$/.test(exportName)) throw new InvalidOptionError(`"${exportName}" is not an export name (FILE:Export)`);
  return { file: target.slice(0, colon), exportName };
}

function integer(flag: string, text: string, min: number, max: number): number {
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(value) || value < min || value > max) throw new InvalidOptionError(`${flag} must be an integer from ${min} to ${max}, got ${JSON.stringify(text)}`);
  return value;
}
