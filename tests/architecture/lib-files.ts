/** The source files of lib/, for the tests that check the whole tree. */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** lib/, with a trailing slash. */
export const LIB = fileURLToPath(new URL("../../lib/", import.meta.url));

/** Every .ts file below `dir` (default lib/), as absolute paths. */
export function libFiles(dir: string = LIB): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? libFiles(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : [],
  );
}
