#!/usr/bin/env node
/**
 * The package.json that users install: without the repository's scripts,
 * devDependencies and overrides. npm 11 asks users to approve a dependency's
 * `prepare` script, and upie's `prepare` is only for building a git checkout.
 *
 *   node scripts/pack-manifest.mjs clean     (prepack: after the build)
 *   node scripts/pack-manifest.mjs restore   (postpack)
 *
 * `clean` keeps the original beside it; `restore` puts it back byte for byte.
 * If a pack is interrupted between the two, `restore` is safe to run by hand.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";

const MANIFEST = "package.json";
const BACKUP = ".package.json.unpacked";
/** What only the repository needs: installing the package never uses them. */
const REPOSITORY_ONLY = ["scripts", "devDependencies", "overrides"];

const command = process.argv[2];
if (command === "clean") {
  if (existsSync(BACKUP)) {
    console.error(`${BACKUP} exists: a previous pack did not finish. Run "node scripts/pack-manifest.mjs restore" first.`);
    process.exit(1);
  }
  const text = readFileSync(MANIFEST, "utf8");
  const manifest = JSON.parse(text);
  for (const key of REPOSITORY_ONLY) delete manifest[key];
  writeFileSync(BACKUP, text);
  writeFileSync(MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);
} else if (command === "restore") {
  if (existsSync(BACKUP)) renameSync(BACKUP, MANIFEST);
} else {
  console.error("usage: node scripts/pack-manifest.mjs clean|restore");
  process.exit(2);
}
