/**
 * The facts printed with every result: machine, OS, Node, package versions,
 * load generator, pinning and settings. Without them a number means nothing.
 *
 * @module
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import type { Settings } from "./scenario.js";

const require = createRequire(import.meta.url);

/** The installed version of a package (with its real name when installed under an alias), or "not installed". */
export function packageVersion(name: string): string {
  try {
    const json = JSON.parse(readFileSync(require.resolve(`${name}/package.json`), "utf8")) as { name: string; version: string };
    return json.name === name ? json.version : `${json.version} (${json.name})`;
  } catch {
    return "not installed";
  }
}

function wrkVersion(): string {
  try {
    return execFileSync("wrk", ["-v"], { stdio: ["ignore", "pipe", "pipe"] }).toString().split(" [")[0]!.trim();
  } catch (error) {
    // wrk -v exits non-zero after printing its banner.
    const output = (error as { stdout?: Buffer }).stdout?.toString() ?? "";
    return output.split(" [")[0]?.trim() || "not installed (apt-get install -y wrk)";
  }
}

function distro(): string {
  try {
    return /^PRETTY_NAME="?(.*?)"?$/m.exec(readFileSync("/etc/os-release", "utf8"))?.[1] ?? os.type();
  } catch {
    return os.type();
  }
}

const RUNNER_TEXT = {
  packed: "from esbuild bundles of the server files that import the packed, installed `upie` (its tsc output is not bundled)",
  bundle: "as esbuild bundles (upie's lib/ bundled in) with plain `node`",
  tsx: "with `node --import tsx`",
} as const;

/** Markdown lines describing this machine, versions and the run's settings. */
export function describeRun(settings: Settings, command: string): string {
  const cpus = os.cpus();
  const upie = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  const [l1, l5] = os.loadavg();
  const pin = settings.pinning;
  const facts = settings.runner.facts;
  const lines = [
    `- Command: \`${command}\``,
    `- Date: ${new Date().toISOString()}${settings.smoke ? " — **smoke run: seconds-long, numbers are not meaningful**" : ""}`,
    `- Machine: ${cpus[0]?.model.trim() ?? "unknown CPU"} × ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM; ` +
      `${distro()}, Linux ${os.release()}; load average at start ${l1!.toFixed(2)} / ${l5!.toFixed(2)}`,
    `- Servers on Node ${facts.nodeVersion} (${facts.where}); upie ${upie.version}: ${facts.upie}; ` +
      `uWS ${facts.uwsVersion} from \`${facts.uwsPackage}\` (what upie's loader picks here; raw uWS loads it the same way); ` +
      `${facts.hyperExpress}; fastify ${packageVersion("fastify")} + @fastify/websocket ${packageVersion("@fastify/websocket")}; ` +
      `express ${packageVersion("express")}; ws ${packageVersion("ws")}; socket.io ${packageVersion("socket.io")}`,
    `- Generators, on the host: ${wrkVersion()} (HTTP, 1 thread); raw-frame WebSocket client (bench/generators/ws-frames.ts) on Node ${process.version}`,
    `- Pinning: ${pin.server === null ? "off (taskset unavailable or one core)" : `server on core ${pin.server}, generator on core ${pin.generator} (taskset)`}; ` +
      `servers started ${RUNNER_TEXT[settings.runner.kind]}, NODE_ENV=production, one process each`,
    `- Settings: warm-up ${settings.warmupS} s, ${settings.runs} run(s) × ${settings.durationS} s, median reported; ` +
      `HTTP ${settings.httpConnections} connections (upload ${settings.uploadConnections}, ${settings.uploadBytes / 2 ** 20} MiB file); ` +
      `WS echo ${settings.wsConnections} connections × window ${settings.wsWindow} (batches of ${settings.wsBatch}), ${settings.wsPayloadBytes}-byte messages; ` +
      `broadcast ${settings.subscribers} subscribers, window ${settings.broadcastWindow}; idle ${settings.idleConnections} connections; ` +
      `connect ${settings.connectConcurrency} concurrent handshakes`,
  ];
  return lines.join("\n");
}
