#!/usr/bin/env node
/**
 * The `upie` command: `npx upie app.ts[:Export] [--host H] [--port P]
 * [--workers N] [--reload]`, like uvicorn for ASGI apps. One worker without
 * `--reload` serves in this process; otherwise this process supervises
 * forked workers (each of them runs this file too, told so by its environment).
 *
 * @module
 */
import { fileURLToPath } from "node:url";

// The runner is a composition root, as lib/index.ts is: it wires the uWS adapter.
import "../server/uws/register.js";
import { InvalidOptionError } from "../protocol/errors.js";
import { parseRunnerArgs, USAGE } from "./runner-options.js";
import { serve, type ServeOptions } from "./serve.js";
import { Supervisor, WORKER_ENV } from "./supervisor.js";

async function main(): Promise<number | undefined> {
  const worker = process.env[WORKER_ENV];
  if (worker !== undefined) {
    await serve(JSON.parse(worker) as ServeOptions);
    return undefined; // serving until a signal
  }
  let options;
  try {
    options = parseRunnerArgs(process.argv.slice(2), process.env);
  } catch (error) {
    console.error(`upie: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (options === "help") {
    console.log(USAGE);
    return 0;
  }
  if (options.workers === 1 && !options.reload) {
    await serve({ ...options, reusePort: false });
    return undefined;
  }
  return new Supervisor(options, fileURLToPath(import.meta.url)).run();
}

main().then(
  (code) => {
    if (code !== undefined) process.exit(code);
  },
  (error: unknown) => {
    // A user's mistake (a bad export, no tsx) is a message; anything else keeps its stack.
    console.error(error instanceof InvalidOptionError ? `upie: ${error.message}` : error);
    process.exit(1);
  },
);
