/**
 * What a run produced: one row per server per scenario, the median of its runs.
 *
 * @module
 */
import type { Sample, Scenario } from "./scenario.js";
import { SERVER_LABELS, type ServerName } from "./servers.js";
import { median } from "./stats.js";

/** One server's line in a scenario's table. */
export interface Row {
  server: ServerName;
  label: string;
  status: "ok" | "n/a" | "error";
  /** Why n/a, or the error. */
  reason?: string;
  /** Medians over the runs. */
  value: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
  rssMiB: number | null;
  /** VmHWM of the server process (the highest of its processes for fresh-per-run scenarios), MiB. */
  peakMiB: number | null;
  serverCpu: number | null;
  generatorCpu: number | null;
  serverCore: number | null;
  generatorCore: number | null;
  /** Errors summed over the runs. */
  errors: number;
  /** Every run's metric, in order. */
  runs: number[];
  notes: string[];
}

/** One scenario's table. */
export interface ScenarioResult {
  name: string;
  title: string;
  summary: string;
  unit: string;
  higherIsBetter: boolean;
  rows: Row[];
}

/** A row for a server that sits the scenario out. */
export function notApplicableRow(server: ServerName, reason: string): Row {
  return {
    server, label: SERVER_LABELS[server], status: "n/a", reason, value: null, p50Ms: null, p99Ms: null,
    rssMiB: null, peakMiB: null, serverCpu: null, generatorCpu: null, serverCore: null, generatorCore: null, errors: 0, runs: [], notes: [],
  };
}

/** A row for a server that failed. */
export function errorRow(server: ServerName, error: unknown, samples: readonly Sample[] = []): Row {
  const message = error instanceof Error ? error.message : String(error);
  return { ...aggregateRow(server, samples, null), status: "error", reason: message.split("\n")[0]!.slice(0, 200) };
}

/** The medians of a server's samples. */
export function aggregateRow(server: ServerName, samples: readonly Sample[], peakMiB: number | null): Row {
  const pick = (key: "value" | "p50Ms" | "p99Ms" | "rssMiB" | "serverCpu" | "generatorCpu" | "serverCore" | "generatorCore") =>
    median(samples.map((s) => s[key]));
  const last = samples.at(-1);
  return {
    server,
    label: SERVER_LABELS[server],
    status: "ok",
    value: pick("value"),
    p50Ms: pick("p50Ms"),
    p99Ms: pick("p99Ms"),
    rssMiB: pick("rssMiB"),
    peakMiB,
    serverCpu: pick("serverCpu"),
    generatorCpu: pick("generatorCpu"),
    serverCore: pick("serverCore"),
    generatorCore: pick("generatorCore"),
    errors: samples.reduce((sum, s) => sum + s.errors, 0),
    runs: samples.map((s) => s.value),
    notes: last?.notes ?? [],
  };
}

/** The row of `server` in `result`, if it has a number. */
export function valueOf(result: ScenarioResult | undefined, server: ServerName): number | null {
  const row = result?.rows.find((r) => r.server === server);
  return row?.status === "ok" && row.value !== null && Number.isFinite(row.value) ? row.value : null;
}

/** The scenario's header fields for a result. */
export function resultOf(scenario: Scenario, rows: Row[]): ScenarioResult {
  return {
    name: scenario.name,
    title: scenario.title,
    summary: scenario.summary,
    unit: scenario.metric.unit,
    higherIsBetter: scenario.metric.higherIsBetter,
    rows,
  };
}
