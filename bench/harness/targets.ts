/**
 * The targets of issue #16, checked against a run's medians. Every target
 * compares upie with another server measured in the same run: a ratio of
 * throughputs, a difference of memory per connection, or a ratio of peak RSS
 * to the smallest peer's.
 *
 * @module
 */
import { valueOf, type ScenarioResult } from "./results.js";
import type { ServerName } from "./scenario.js";

/** One target from the performance issue. */
export interface Target {
  scenario: string;
  label: string;
  /**
   * - `ratio-at-least`: upie's metric ÷ `against`'s ≥ goal;
   * - `difference-at-most`: upie's metric − `against`'s ≤ goal (memory per connection);
   * - `peak-ratio-at-most`: upie's peak RSS ÷ the smallest peak RSS among the other servers ≤ goal.
   */
  kind: "ratio-at-least" | "difference-at-most" | "peak-ratio-at-most";
  /** The server compared with; `smallest-peer` for `peak-ratio-at-most`. */
  against: ServerName | "smallest-peer";
  goal: number;
  unit: string;
  /** Strictly ahead / below (for "ahead of hyper-express"): equal is a miss. */
  strict?: boolean;
}

const ratio = (scenario: string, label: string, goal: number): Target =>
  ({ scenario, label: `${label} vs raw uWS`, kind: "ratio-at-least", against: "uws", goal, unit: "×" });
const aheadOfHyperExpress = (scenario: string, label: string): Target =>
  ({ scenario, label: `${label}: ahead of hyper-express`, kind: "ratio-at-least", against: "hyper-express", goal: 1, unit: "×", strict: true });

export const TARGETS: readonly Target[] = [
  ratio("hello", "HTTP hello", 0.9),
  aheadOfHyperExpress("hello", "HTTP hello"),
  ratio("json", "JSON", 0.9),
  aheadOfHyperExpress("json", "JSON"),
  ratio("params", "params", 0.9),
  aheadOfHyperExpress("params", "params"),
  ratio("post-json", "POST 1 KB JSON", 0.8),
  ratio("ws-echo", "WS echo", 0.7),
  aheadOfHyperExpress("ws-echo", "WS echo"),
  ratio("ws-broadcast", "WS broadcast", 0.9),
  { scenario: "ws-idle", label: "Idle WS memory above raw uWS", kind: "difference-at-most", against: "uws", goal: 1.5, unit: "KB/conn" },
  { scenario: "ws-idle", label: "Idle WS memory: below hyper-express", kind: "difference-at-most", against: "hyper-express", goal: 0, unit: "KB/conn", strict: true },
  { scenario: "upload", label: "10 MB upload peak RSS vs the smallest peer's", kind: "peak-ratio-at-most", against: "smallest-peer", goal: 1.2, unit: "×" },
];

/**
 * The servers a scenario needs for its targets: raw uWS, upie, every server a
 * target compares with, and for a peak-RSS target every server of the scenario.
 *
 * @param scenario - a scenario name, e.g. `upload`.
 * @param available - the servers that scenario can run.
 * @returns the servers to run; empty when no target names the scenario.
 */
export function targetServers(scenario: string, available: readonly ServerName[]): Set<ServerName> {
  const targets = TARGETS.filter((t) => t.scenario === scenario);
  if (targets.length === 0) return new Set();
  const needed = new Set<ServerName>(["uws", "upie"]);
  for (const target of targets) {
    if (target.against === "smallest-peer") for (const server of available) needed.add(server);
    else needed.add(target.against);
  }
  return new Set(available.filter((server) => needed.has(server)));
}

/** A target's verdict; `why` says why there is no number (a server sat out or was not run). */
export interface TargetCheck {
  target: Target;
  measured: number | null;
  met: boolean | null;
  /** For peak RSS: which peer was smallest. */
  peer?: string;
  why?: string;
}

function peakOf(result: ScenarioResult | undefined, server: ServerName): number | null {
  const row = result?.rows.find((r) => r.server === server);
  return row?.status === "ok" && row.peakMiB !== null && Number.isFinite(row.peakMiB) ? row.peakMiB : null;
}

export function checkTargets(results: readonly ScenarioResult[]): TargetCheck[] {
  return TARGETS.map((target) => {
    const result = results.find((r) => r.name === target.scenario);
    if (result === undefined) return { target, measured: null, met: null, why: "scenario not run" };
    if (target.kind === "peak-ratio-at-most") {
      const upie = peakOf(result, "upie");
      const peers = result.rows
        .filter((row) => row.server !== "upie")
        .map((row) => ({ server: row.server, peak: peakOf(result, row.server) }))
        .filter((p): p is { server: ServerName; peak: number } => p.peak !== null)
        .sort((a, b) => a.peak - b.peak);
      const smallest = peers[0];
      if (upie === null || smallest === undefined) return { target, measured: null, met: null, why: "no peak RSS" };
      const measured = upie / smallest.peak;
      return { target, measured, met: measured <= target.goal, peer: `${smallest.server} ${smallest.peak.toFixed(1)} MiB, upie ${upie.toFixed(1)} MiB` };
    }
    const against = target.against as ServerName;
    const upie = valueOf(result, "upie");
    const other = valueOf(result, against);
    if (upie === null || other === null || (target.kind === "ratio-at-least" && other === 0)) {
      const row = result.rows.find((r) => r.server === (other === null ? against : "upie"));
      const why = row?.status === "n/a" ? `${row.label}: ${row.reason?.split(":")[0] ?? "n/a"}` : row?.status === "error" ? `${row.label}: error` : "no number";
      return { target, measured: null, met: null, why };
    }
    const measured = target.kind === "ratio-at-least" ? upie / other : upie - other;
    const met = target.kind === "ratio-at-least"
      ? target.strict ? measured > target.goal : measured >= target.goal
      : target.strict ? measured < target.goal : measured <= target.goal;
    return { target, measured, met };
  });
}

/** The targets as a markdown table. */
export function formatTargets(checks: readonly TargetCheck[]): string {
  const lines = ["| target | goal | measured | verdict |", "|---|---|---|---|"];
  for (const { target, measured, met, peer, why } of checks) {
    const goal =
      target.kind === "difference-at-most"
        ? target.strict ? `< ${target.goal} ${target.unit}` : `≤ +${target.goal} ${target.unit}`
        : target.kind === "peak-ratio-at-most"
          ? `≤ ${target.goal}${target.unit}`
          : target.strict ? `> ${target.goal}${target.unit}` : `≥ ${target.goal}${target.unit}`;
    const value =
      measured === null
        ? "–"
        : target.kind === "difference-at-most"
          ? `${measured >= 0 ? "+" : ""}${measured.toFixed(2)} ${target.unit}`
          : `${measured.toFixed(2)}${target.unit}${peer ? ` (${peer})` : ""}`;
    const verdict = met === null ? `not measured (${why ?? "–"})` : met ? "met" : "**missed**";
    lines.push(`| ${target.label} | ${goal} | ${value} | ${verdict} |`);
  }
  return lines.join("\n");
}
