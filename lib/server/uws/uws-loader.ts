/**
 * The one place that resolves uWebSockets.js: picks the first build that
 * loads **natively** on this Node.js, and never the JavaScript imitation
 * that the trufflesuite package swaps in when its binary does not fit (upie
 * crashes on it at the first request).
 *
 * Order (newest first, the user's own choice before ours):
 * 1. the user's own `uWebSockets.js` — an official build put in place with
 *    `overrides` (recognised because it is not the trufflesuite package);
 * 2. `@btc-vision/uwebsockets.js` 20.57.0 — the official 20.57 binaries,
 *    Node 20/22/24/25, glibc >= 2.38 on Linux;
 * 3. `@trufflesuite/uws-js-unofficial` 20.30 (installed as `uWebSockets.js`)
 *    — its native binary for Node 16/18/20 required directly, never its
 *    `uws.js`, whose fallback is the imitation.
 *
 * @module
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type * as Uws from "uWebSockets.js";
import { UwsUnavailableError } from "../../protocol/errors.js";

/** The uWebSockets.js module as upie uses it. */
export type UwsModule = typeof Uws;

/** Which uWebSockets.js build serves the app. */
export interface UwsBuild {
  /** The npm package it came from (`uWebSockets.js` for a user's override). */
  readonly package: string;
  /** The uWS version, e.g. "20.57.0". */
  readonly version: string;
}

/** A loaded build: its module and what it is. */
export interface LoadedUws extends UwsBuild {
  readonly uws: UwsModule;
}

const TRUFFLESUITE = "@trufflesuite/uws-js-unofficial";
const BTC_VISION = "@btc-vision/uwebsockets.js";
/** What to add to package.json when no bundled build fits (an official build from GitHub). */
const OVERRIDE_FIX = `{ "overrides": { "uWebSockets.js": "github:uNetworking/uWebSockets.js#v20.57.0" } }`;

const require = createRequire(import.meta.url);
let loaded: LoadedUws | undefined;

/**
 * The first uWebSockets.js build that loads natively here (loaded once, then cached).
 *
 * @returns the module and which build it is.
 * @throws {@link UwsUnavailableError} naming Node, ABI, platform and glibc, each
 *   build's reason, and the fix, when none fits.
 * @example
 * ```ts
 * const { uws, package: name, version } = loadUws();
 * const app = uws.App();
 * ```
 */
export function loadUws(): LoadedUws {
  return (loaded ??= firstNativeBuild(BUILDS));
}

/** One way to load a build: `undefined` when it is not installed, a throw when it cannot load. */
export interface BuildAttempt {
  readonly label: string;
  load(): LoadedUws | undefined;
}

/**
 * The first attempt that loads.
 *
 * @param attempts - tried in order.
 * @returns the first build that loaded.
 * @throws {@link UwsUnavailableError} with every attempt's reason and the fix.
 */
export function firstNativeBuild(attempts: readonly BuildAttempt[]): LoadedUws {
  const failures: string[] = [];
  for (const attempt of attempts) {
    try {
      const build = attempt.load();
      if (build !== undefined) return build;
      failures.push(`${attempt.label}: none installed`);
    } catch (error) {
      failures.push(`${attempt.label}: ${lastLine(error)}`);
    }
  }
  throw new UwsUnavailableError(unavailableMessage(failures));
}

/** The user's own `uWebSockets.js` (an override), if it is not the trufflesuite package. */
function ownBuild(): LoadedUws | undefined {
  const manifest = packageJson("uWebSockets.js/package.json");
  if (manifest === undefined || manifest.name === TRUFFLESUITE) return undefined;
  return { uws: require("uWebSockets.js") as UwsModule, package: "uWebSockets.js", version: manifest.version };
}

/** The official 20.57 binaries, republished (its `uws.js` throws when no binary fits). */
function btcVisionBuild(): LoadedUws {
  const main = require.resolve(BTC_VISION);
  const manifest = readManifest(join(dirname(main), "package.json"));
  return { uws: require(main) as UwsModule, package: BTC_VISION, version: manifest.version };
}

/** The trufflesuite binary for this ABI, required directly so its JS fallback never runs. */
function trufflesuiteNative(): LoadedUws | undefined {
  const manifestPath = resolveOrUndefined("uWebSockets.js/package.json");
  if (manifestPath === undefined) return undefined;
  const manifest = readManifest(manifestPath);
  if (manifest.name !== TRUFFLESUITE) return undefined;
  const binaries = join(dirname(manifestPath), "binaries");
  const name = `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`;
  if (!existsSync(join(binaries, name))) {
    const abis = readdirSync(binaries).filter((file) => file.startsWith(`uws_${process.platform}_${process.arch}_`)).map((file) => file.slice(file.lastIndexOf("_") + 1, -".node".length));
    throw new UwsUnavailableError(`no native binary for ABI ${process.versions.modules} on ${process.platform}-${process.arch} (it has ABI ${abis.join(", ") || "none"})`);
  }
  const uws = require(join(binaries, name)) as UwsModule;
  return { uws, package: TRUFFLESUITE, version: manifest.version.replace(/-unofficial.*$/, "") };
}

const BUILDS: readonly BuildAttempt[] = [
  { label: "uWebSockets.js (your override)", load: ownBuild },
  { label: BTC_VISION, load: btcVisionBuild },
  { label: TRUFFLESUITE, load: trufflesuiteNative },
];

interface Manifest {
  name: string;
  version: string;
}

function resolveOrUndefined(specifier: string): string | undefined {
  try {
    return require.resolve(specifier);
  } catch {
    return undefined;
  }
}

function packageJson(specifier: string): Manifest | undefined {
  const path = resolveOrUndefined(specifier);
  return path === undefined ? undefined : readManifest(path);
}

function readManifest(path: string): Manifest {
  return JSON.parse(readFileSync(path, "utf8")) as Manifest;
}

/** The most specific line of a load error (the official loader wraps the dlopen error last). */
function lastLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n").filter((line) => line.trim() !== "").at(-1)?.trim() ?? text;
}

/** "2.36" < "2.38", numerically. */
function versionBelow(version: string, minimum: string): boolean {
  const [a = 0, b = 0] = version.split(".").map(Number);
  const [c = 0, d = 0] = minimum.split(".").map(Number);
  return a < c || (a === c && b < d);
}

/** glibc's version on Linux ("" elsewhere, or for musl). */
function glibcVersion(): string {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return header?.glibcVersionRuntime ?? "";
}

function unavailableMessage(failures: readonly string[]): string {
  const glibc = glibcVersion();
  const where = `Node.js ${process.version} (ABI ${process.versions.modules}) on ${process.platform}-${process.arch}` +
    (process.platform === "linux" ? `, glibc ${glibc || "none (musl?)"}` : "");
  const major = Number(process.versions.node.split(".")[0]);
  const fixes = [
    major > 20 && process.platform === "linux" && glibc !== "" && versionBelow(glibc, "2.38")
      ? `run on a system with glibc >= 2.38 (Debian 13, Ubuntu 24.04 or newer), where ${BTC_VISION} is native on Node 20/22/24/25`
      : undefined,
    major !== 20 ? "or use Node.js 20, which the bundled uWS 20.30 build serves natively on older glibc" : undefined,
    `or add an official build to your package.json: ${OVERRIDE_FIX}, then npm install`,
  ].filter((fix) => fix !== undefined);
  return `No native uWebSockets.js build loads on ${where}. upie never runs on a JavaScript imitation.\n` +
    `Tried:\n${failures.map((failure) => `  - ${failure}`).join("\n")}\n` +
    `Fix: ${fixes.join(";\n     ")}.`;
}
