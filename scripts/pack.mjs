#!/usr/bin/env node
/**
 * What `npm pack` and `npm publish` do around packing (prepack / postpack):
 *
 *   node scripts/pack.mjs before   build dist/ afresh, then write the package.json users install
 *   node scripts/pack.mjs after    put the repository's package.json back, byte for byte
 *
 * dist/ is rebuilt from nothing so that files whose source was moved or deleted
 * do not ship. The installed package.json has no scripts, devDependencies or
 * overrides: npm 11 asks users to approve a dependency's `prepare` script, and
 * upie's `prepare` is only for building a git checkout. If a pack is
 * interrupted between the two steps, `after` is safe to run by hand.
 */
import { execSync } from "node:child_process";
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";

const MANIFEST = "package.json";
const BACKUP = ".package.json.unpacked";
/** What only the repository needs: installing the package never uses them. */
const REPOSITORY_ONLY = ["scripts", "devDependencies", "overrides"];

const step = process.argv[2];
if (step === "before") {
  if (existsSync(BACKUP)) {
    console.error(`${BACKUP} exists: a previous pack did not finish. Run "node scripts/pack.mjs after" first.`);
    process.exit(1);
  }
  rmSync("dist", { recursive: true, force: true });
  execSync("npm run build", { stdio: "inherit" });
  const text = readFileSync(MANIFEST, "utf8");
  const manifest = JSON.parse(text);
  for (const key of REPOSITORY_ONLY) delete manifest[key];
  writeFileSync(BACKUP, text);
  writeFileSync(MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);
} else if (step === "after") {
  if (existsSync(BACKUP)) renameSync(BACKUP, MANIFEST);
} else {
  console.error("usage: node scripts/pack.mjs before|after");
  process.exit(2);
}
