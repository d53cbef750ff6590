/**
 * Every code block in README.md and docs/*.md is checked, so the docs cannot
 * rot: a block's info string says how.
 *
 * - ```ts / ```js: a complete module, type-checked against upie's source (the
 *   package names `upie`, `upie/client`, `upie/testing`, `upie/redis` and `upie/adapter` map
 *   to lib/) with the project's own compiler options, all blocks in one `tsc`
 *   run. There are no fragments: a block that shows a method shows its class.
 * - ```ts run / ```js run: also run, as a program, to a clean exit within
 *   {@link RUN_TIMEOUT_MS}. Such a block asserts what it shows (node:assert)
 *   and closes whatever it starts (a server listens on port 0).
 * - ```sh: every npm script it names exists in package.json; every file it
 *   runs with `npx tsx` exists.
 * - ```json: parses.
 * - ```text: diagrams and wire samples; not checked.
 * Any other info string, or none, fails: a block must say what it is.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { promisify } from "node:util";
import { ROOT, codeBlocks, docFiles, readDoc, type CodeBlock } from "./markdown.js";

const run = promisify(execFile);

/** How long one runnable block may take, start to exit. */
const RUN_TIMEOUT_MS = 30_000;

const CHECKED = new Set(["ts", "js", "sh", "json", "text"]);
const COMPILED = new Set(["ts", "js"]);

/** The package's entry points, as its package.json exports them, mapped to their sources. */
const ENTRY_POINTS: Record<string, string> = {
  upie: "lib/index.ts",
  "upie/client": "lib/ws-client/index.ts",
  "upie/testing": "lib/testing/index.ts",
  "upie/redis": "lib/redis/index.ts",
  "upie/adapter": "lib/adapter.ts",
};

const blocks: CodeBlock[] = docFiles().flatMap((file) => codeBlocks(file, readDoc(file)));
const where = (block: CodeBlock): string => `${block.file}:${block.line - 1}`;

/** A folder of one module per compiled block, with a tsconfig that maps upie to lib/. */
function writeModules(dir: string): Map<string, CodeBlock> {
  const modules = new Map<string, CodeBlock>();
  for (const block of blocks.filter((b) => COMPILED.has(b.lang))) {
    const name = `${block.file.replace(/[^a-z0-9]+/gi, "-")}-L${block.line}.${block.lang}`;
    // `export {}` makes a block without imports a module too, so blocks never share globals.
    writeFileSync(join(dir, name), `${block.code}\nexport {};\n`);
    modules.set(name, block);
  }
  const paths = Object.fromEntries(Object.entries(ENTRY_POINTS).map(([name, path]) => [name, [`${ROOT}${path}`]]));
  const tsconfig = {
    extends: `${ROOT}tsconfig.json`,
    compilerOptions: {
      noEmit: true,
      allowJs: true,
      checkJs: true,
      paths,
      types: ["node"],
      typeRoots: [`${ROOT}node_modules/@types`],
    },
    include: ["*.ts", "*.js"],
  };
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  return modules;
}

/** npm scripts and `npx tsx` files a shell block names. */
function shellReferences(code: string): { scripts: string[]; files: string[] } {
  const scripts: string[] = [];
  const files: string[] = [];
  for (const line of code.split("\n")) {
    const command = line.replace(/#.*$/, "");
    for (const match of command.matchAll(/\bnpm\s+(?:run\s+([\w:.-]+)|(start|test)\b)/g)) scripts.push(match[1] ?? match[2]!);
    for (const match of command.matchAll(/\bnpx\s+tsx\s+([\w./-]+)/g)) files.push(match[1]!);
  }
  return { scripts, files };
}

/** A failed run's stderr from its first error line on, a few lines of it: where and why, without the runner's frames. */
function firstError(stderr: string): string {
  const lines = stderr.trim().split("\n");
  const start = Math.max(0, lines.findIndex((line) => /\b\w*Error\b/.test(line)));
  return lines.slice(start, start + 10).join("\n");
}

/** The failing tests a block's own node:test run reported on stdout, with their errors. */
function failedTests(stdout = ""): string {
  return stdout
    .split("\n")
    .filter((line) => /^\s*not ok\b|^\s*error:|^\s*[+-] /.test(line))
    .join("\n");
}

describe("the code blocks of README.md and docs/", () => {
  // Inside the repository (tests/output is ignored by git), so a block's own imports
  // (zod, valibot, node:test) resolve from the project's node_modules, as in a user's project.
  mkdirSync(join(ROOT, "tests/output"), { recursive: true });
  const dir = mkdtempSync(join(ROOT, "tests/output/doc-blocks-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const modules = writeModules(dir);

  it("say what they are: ts, js, sh, json or text, and only ts and js may run", () => {
    const unknown = blocks
      .filter((b) => !CHECKED.has(b.lang) || b.flags.some((flag) => flag !== "run" || !COMPILED.has(b.lang)))
      .map((b) => `${where(b)}: \`\`\`${[b.lang, ...b.flags].join(" ")}`);
    assert.deepEqual(unknown, []);
    assert.ok(modules.size >= 20, `only ${modules.size} ts/js blocks found: is the extraction broken?`);
  });

  it("type-check against upie, every ts and js block in one tsc run", { timeout: 240_000 }, async () => {
    const tsc = join(ROOT, "node_modules/typescript/bin/tsc");
    const result = await run(process.execPath, [tsc, "-p", join(dir, "tsconfig.json"), "--pretty", "false"], {
      cwd: dir,
      maxBuffer: 16 << 20,
    }).then(
      () => "",
      (error: { stdout?: string; message: string }) => error.stdout || error.message,
    );
    // Map `<module>(line,col): error …` back to the Markdown file and line.
    const errors = result
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const match = /^(?:.*[\\/])?([^\\/(]+)\((\d+),(\d+)\): (.*)$/.exec(line);
        const block = match && modules.get(match[1]!);
        return block ? `${block.file}:${block.line + Number(match[2]) - 1}:${match[3]}: ${match[4]}` : line;
      });
    assert.deepEqual(errors, []);
  });

  it("run to a clean exit where marked `run`", { timeout: 600_000 }, async () => {
    const runnable = [...modules].filter(([, block]) => block.flags.includes("run"));
    assert.ok(runnable.length >= 5, "the docs keep a few runnable examples");
    const tsx = import.meta.resolve("tsx");
    // A block that uses node:test runs its tests as a program of its own, reporting and
    // exiting as one, not as a child of this test runner.
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const failures: string[] = [];
    for (const [name, block] of runnable) {
      await run(process.execPath, ["--import", tsx, join(dir, name)], {
        cwd: dir,
        timeout: RUN_TIMEOUT_MS,
        env: { ...env, TSX_TSCONFIG_PATH: join(dir, "tsconfig.json") },
      }).catch((error: { stdout?: string; stderr?: string; message: string; killed?: boolean }) => {
        const why = error.killed ? `still running after ${RUN_TIMEOUT_MS} ms` : firstError(error.stderr || failedTests(error.stdout) || error.message);
        failures.push(`${where(block)}: ${why}`);
      });
    }
    assert.deepEqual(failures, []);
  });

  it("name only npm scripts that package.json has, and files that exist", () => {
    const { scripts } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
    const missing: string[] = [];
    for (const block of blocks.filter((b) => b.lang === "sh")) {
      const named = shellReferences(block.code);
      for (const script of named.scripts) if (!(script in scripts)) missing.push(`${where(block)}: npm script "${script}"`);
      for (const file of named.files) if (!existsSync(join(ROOT, file))) missing.push(`${where(block)}: file ${file}`);
    }
    assert.deepEqual(missing, []);
  });

  it("parse, where they are JSON", () => {
    for (const block of blocks.filter((b) => b.lang === "json")) {
      assert.doesNotThrow(() => JSON.parse(block.code), `${where(block)} is not JSON`);
    }
  });
});
