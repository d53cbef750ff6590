/**
 * The shape of a scenario, the servers it can name, and the settings a run uses.
 * Each file in bench/scenarios/ exports one {@link Scenario}.
 *
 * @module
 */
import type { Runner, RuntimeFacts } from "./build.js";
import type { Pinning } from "./processes.js";
import type { ServerProcess } from "./server-process.js";
import type { ServerName } from "./servers.js";

/** Everything a run is told (printed with the results). */
export interface Settings {
  smoke: boolean;
  runs: number;
  durationS: number;
  warmupS: number;
  httpConnections: number;
  uploadConnections: number;
  uploadBytes: number;
  wsConnections: number;
  wsWindow: number;
  wsBatch: number;
  wsPayloadBytes: number;
  subscribers: number;
  broadcastWindow: number;
  broadcastBatch: number;
  idleConnections: number;
  connectConcurrency: number;
  pinning: Pinning;
  runner: Runner;
}

/** The fixed load shape of every run (connections, windows, sizes) around what the CLI chose. */
export function benchSettings(chosen: Pick<Settings, "smoke" | "runs" | "durationS" | "warmupS" | "pinning" | "runner">): Settings {
  return {
    ...chosen,
    httpConnections: 100,
    uploadConnections: 8,
    uploadBytes: 10 * 2 ** 20,
    wsConnections: 100,
    wsWindow: 64,
    wsBatch: 16,
    wsPayloadBytes: 32,
    subscribers: 1000,
    broadcastWindow: 32,
    broadcastBatch: 16,
    idleConnections: chosen.smoke ? 1000 : 10_000,
    connectConcurrency: 32,
  };
}

/** One measured run of one server. */
export interface Sample {
  /** The scenario's metric (req/s, msg/s, deliveries/s, KB per connection, connections/s, MB/s). */
  value: number;
  p50Ms: number | null;
  p99Ms: number | null;
  /** Failed requests, handshakes or connections (a run with errors is flagged in the table). */
  errors: number;
  /** Share of one core the server used during the window (0..1). */
  serverCpu: number | null;
  /** The part of serverCpu spent in user space (the server's own code, not the kernel's TCP). */
  serverUserCpu: number | null;
  /** Share of one core the load generator used (0..1): below the server's means the server is the bottleneck. */
  generatorCpu: number | null;
  /** How busy the server's / generator's core was (0..1, softirq included, other processes too). */
  serverCore: number | null;
  generatorCore: number | null;
  /** Highest server RSS seen in the window, MiB. */
  rssMiB: number | null;
  /** Short extra facts for the notes column, e.g. "52 req/s". */
  notes: string[];
}

/** What `measure` is given. */
export interface RunContext {
  name: ServerName;
  server: ServerProcess;
  settings: Settings;
  /** True for the warm-up (its sample is thrown away). */
  warmup: boolean;
  /** Length of this run, seconds. */
  durationS: number;
  /** What `prepare` returned for this server process. */
  state: unknown;
}

/** One benchmark scenario. */
export interface Scenario {
  /** CLI name, e.g. `hello`. */
  name: string;
  title: string;
  /** One sentence: what is sent and what the server does. */
  summary: string;
  metric: { unit: string; higherIsBetter: boolean };
  servers: readonly ServerName[];
  notApplicable?: Partial<Record<ServerName, string>>;
  /** Why a server of the scenario cannot run it on this runtime (it then sits out as n/a), or undefined. */
  sitsOut?(name: ServerName, facts: RuntimeFacts): string | undefined;
  /** Start a new server process for every run (memory scenarios). */
  freshServerPerRun?: boolean;
  /** Once per server process, before the warm-up: sanity checks, cookies, body files. */
  prepare?(server: ServerProcess, settings: Settings, name: ServerName): Promise<unknown>;
  measure(ctx: RunContext): Promise<Sample>;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
