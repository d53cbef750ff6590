/**
 * Running `.ts` apps: Node cannot import TypeScript with decorators by
 * itself, so the runner loads tsx's entry point (what `node --import tsx`
 * loads; it registers tsx's module hooks) in the process that imports the app,
 * before importing it. tsx is
 * looked up from the app's folder first (the user's project), then from the
 * working directory, then beside upie; it is never a dependency of upie.
 *
 * @module
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import { InvalidOptionError } from "../protocol/errors.js";

const TYPESCRIPT = /\.(?:[cm]?ts|tsx)$/;

/** True for the file names tsx must load (`.ts`, `.mts`, `.cts`, `.tsx`). */
export function isTypeScript(file: string): boolean {
  return TYPESCRIPT.test(file);
}

/** True when this process already runs under tsx (`tsx app`, `node --import tsx`). */
function tsxActive(): boolean {
  const flags = [...process.execArgv, process.env.NODE_OPTIONS ?? ""].join(" ");
  return /(?:^|[\s=/\\])tsx(?:[\s/\\]|$)|tsx[/\\]dist/.test(flags);
}

/**
 * Where tsx's entry point is, or undefined when it is not installed anywhere we look.
 * (`tsx/esm/api` would resolve to its CommonJS build here: `require.resolve` uses require conditions.)
 */
function findTsx(appDir: string): string | undefined {
  for (const base of [appDir, process.cwd(), fileURLToPath(new URL(".", import.meta.url))]) {
    try {
      return createRequire(join(base, "noop.js")).resolve("tsx");
    } catch {
      // Not installed there: try the next place.
    }
  }
  return undefined;
}

/**
 * Makes `import()` of TypeScript work in this process.
 *
 * @param file - the app file (its folder is where tsx is looked for first).
 * @param appDir - that folder.
 * @throws InvalidOptionError naming the install command when tsx is not installed.
 */
export async function registerTypeScript(file: string, appDir: string): Promise<void> {
  if (tsxActive()) return;
  const entry = findTsx(appDir);
  if (entry === undefined) {
    throw new InvalidOptionError(
      `${file} is TypeScript, and running it needs tsx, which is not installed. ` +
        `Install it in your project: npm install --save-dev tsx (or compile to JavaScript and run the .js file).`,
    );
  }
  await import(pathToFileURL(entry).href);
}
