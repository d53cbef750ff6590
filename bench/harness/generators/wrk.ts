/**
 * HTTP load with wrk (the Debian package): one thread on its own core, keep-alive
 * connections, latency percentiles from `--latency`, and a Lua script for POST
 * bodies. autocannon tops out near 50k req/s on these machines, far below raw
 * uWS; wrk's C event loop does not.
 *
 * @module
 */
import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The Lua script that POSTs a body file. */
export const POST_BODY_SCRIPT = fileURLToPath(new URL("./lua/post-body.lua", import.meta.url));

/** One wrk run. */
export interface WrkOptions {
  url: string;
  connections: number;
  /** Whole seconds (wrk takes no fractions). */
  durationS: number;
  /** Extra request headers, e.g. a session cookie. */
  headers?: Record<string, string>;
  /** POST this file's bytes with this Content-Type (through {@link POST_BODY_SCRIPT}). */
  body?: { file: string; contentType: string };
  /** Per-request timeout in seconds (wrk's default of 2 s is short for 10 MiB uploads). */
  timeoutS?: number;
}

/** What wrk printed, in numbers. */
export interface WrkResult {
  requests: number;
  seconds: number;
  /** Requests per second. */
  rate: number;
  p50Ms: number | null;
  p99Ms: number | null;
  /** Non-2xx/3xx responses. */
  non2xx: number;
  /** connect + read + write + timeout errors. */
  socketErrors: number;
}

/** The wrk command line for `options` (without any CPU pinning). */
export function wrkArgs(options: WrkOptions): { args: string[]; env: Record<string, string> } {
  const args = [
    "-t1",
    `-c${options.connections}`,
    `-d${Math.max(1, Math.round(options.durationS))}s`,
    `--timeout`,
    `${options.timeoutS ?? 10}s`,
    "--latency",
  ];
  for (const [name, value] of Object.entries(options.headers ?? {})) args.push("-H", `${name}: ${value}`);
  const env: Record<string, string> = {};
  if (options.body !== undefined) {
    args.push("-s", POST_BODY_SCRIPT);
    env.WRK_BODY_FILE = options.body.file;
    env.WRK_CONTENT_TYPE = options.body.contentType;
  }
  args.push(options.url);
  return { args, env };
}

const TIME_UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function toMs(value: string, unit: string): number {
  return Number(value) * (TIME_UNITS[unit] ?? Number.NaN);
}

/**
 * Reads wrk's report.
 *
 * @throws Error when the report has no `Requests/sec` line.
 */
export function parseWrk(text: string): WrkResult {
  const requests = /(\d+) requests in ([\d.]+)(us|ms|s|m|h)/.exec(text);
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(text);
  if (requests === null || rate === null) throw new Error(`wrk printed no result:\n${text.trim().slice(0, 800)}`);
  const percentile = (p: string) => {
    const match = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m|h)\\s*$`, "m").exec(text);
    return match === null ? null : toMs(match[1]!, match[2]!);
  };
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(text);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  return {
    requests: Number(requests[1]),
    seconds: toMs(requests[2]!, requests[3]!) / 1000,
    rate: Number(rate[1]),
    p50Ms: percentile("50"),
    p99Ms: percentile("99"),
    non2xx: non2xx === null ? 0 : Number(non2xx[1]),
    socketErrors: socket === null ? 0 : socket.slice(1).reduce((sum, n) => sum + Number(n), 0),
  };
}

/**
 * Runs wrk and parses its report.
 *
 * @param spawnWrk starts `wrk` with these arguments and environment (the harness pins it to a core).
 */
export function runWrk(
  options: WrkOptions,
  spawnWrk: (args: string[], env: Record<string, string>) => ChildProcess,
): { pid: number; result: Promise<WrkResult> } {
  const { args, env } = wrkArgs(options);
  const child = spawnWrk(args, env);
  const guard = setTimeout(() => child.kill("SIGKILL"), (options.durationS + (options.timeoutS ?? 10) + 30) * 1000);
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const result = new Promise<WrkResult>((resolve, reject) => {
    child.on("error", (error) => {
      clearTimeout(guard);
      reject(new Error(`cannot run wrk (apt-get install -y wrk): ${error.message}`));
    });
    child.on("exit", () => {
      clearTimeout(guard);
      try {
        resolve(parseWrk(output));
      } catch (error) {
        reject(error);
      }
    });
  });
  return { pid: child.pid ?? 0, result };
}
