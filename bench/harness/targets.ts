/**
 * The targets of issue 21, checked against a run's medians. Every target
 * compares one of upie's forms (async methods, plain methods, the WebSocket
 * fast path) with another server measured in the same run: a ratio of
 * throughputs, a difference of memory per connection, or a ratio of peak RSS
 * to the smallest peer's. The floors (raw uWS answering from a microtask, raw
 * uWS behind `for await`) run with them, so every verdict sits next to the bound.
 *
 * @module
 */
import { valueOf, type ScenarioResult } from "./results.js";
import { SERVER_INFO, SERVER_LABELS, type ServerName } from "./servers.js";

/** One target from the performance issue. */
export interface Target {
  scenario: string;
  /** The form of upie measured. */
  server: ServerName;
  label: string;
  /**
   * - `ratio-at-least`: the server's metric ÷ `against`'s ≥ goal;
   * - `difference-at-most`: the server's metric − `against`'s ≤ goal (memory per connection);
   * - `peak-ratio-at-most`: the server's peak RSS ÷ the smallest peak RSS among the other frameworks ≤ goal.
   */
  kind: "ratio-at-least" | "difference-at-most" | "peak-ratio-at-most";
  /** The server compared with; `smallest-peer` for `peak-ratio-at-most`. */
  against: ServerName | "smallest-peer";
  goal: number;
  unit: string;
  /** Strictly ahead / below (for "ahead of hyper-express"): equal is a miss. */
  strict?: boolean;
  /** The Node majors the target is set for (default: every one). */
  nodes?: readonly number[];
}

const vsRaw = (scenario: string, server: ServerName, label: string, goal: number): Target =>
  ({ scenario, server, label: `${label}: vs raw uWS`, kind: "ratio-at-least", against: "uws", goal, unit: "×" });
const aheadOf = (scenario: string, server: ServerName, label: string, against: ServerName): Target =>
  ({ scenario, server, label: `${label}: ahead of ${SERVER_LABELS[against]}`, kind: "ratio-at-least", against, goal: 1, unit: "×", strict: true });
const belowHyperExpress = (server: ServerName, label: string, nodes?: readonly number[], scenario = "ws-idle"): Target =>
  ({ scenario, server, label: `${label}: below hyper-express`, kind: "difference-at-most", against: "hyper-express", goal: 0, unit: "KB/conn", strict: true, nodes });

const GET_SCENARIOS = [["hello", "HTTP hello"], ["json", "JSON"], ["params", "params"]] as const;

export const TARGETS: readonly Target[] = [
  ...GET_SCENARIOS.flatMap(([scenario, name]) => [
    vsRaw(scenario, "upie", `${name}, async method`, 0.92),
    aheadOf(scenario, "upie", `${name}, async method`, "hyper-express-async"),
    vsRaw(scenario, "upie-plain", `${name}, plain method`, 0.95),
    aheadOf(scenario, "upie-plain", `${name}, plain method`, "hyper-express"),
  ]),
  vsRaw("ws-echo", "upie", "WS echo, idiomatic", 0.65),
  { scenario: "ws-echo", server: "upie", label: "WS echo, idiomatic: vs the awaitable floor", kind: "ratio-at-least", against: "uws-await", goal: 1, unit: "×" },
  { scenario: "ws-echo", server: "upie-fast", label: "WS echo, fast path: vs hyper-express", kind: "ratio-at-least", against: "hyper-express", goal: 1, unit: "×" },
  { scenario: "ws-idle", server: "upie", label: "Idle WS, idiomatic: above the awaitable floor", kind: "difference-at-most", against: "uws-await", goal: 0.5, unit: "KB/conn" },
  belowHyperExpress("upie", "Idle WS, idiomatic", [24]),
  belowHyperExpress("upie-fast", "Idle WS, fast path"),
  // The same three, once the server has been idle a minute (ws-idle.ts says why both).
  { scenario: "ws-idle-settled", server: "upie", label: "Idle WS settled, idiomatic: above the awaitable floor", kind: "difference-at-most", against: "uws-await", goal: 0.5, unit: "KB/conn" },
  belowHyperExpress("upie", "Idle WS settled, idiomatic", [24], "ws-idle-settled"),
  belowHyperExpress("upie-fast", "Idle WS settled, fast path", undefined, "ws-idle-settled"),
  vsRaw("ws-broadcast", "upie", "WS broadcast", 0.9),
  { scenario: "upload", server: "upie", label: "10 MB upload: peak RSS vs the smallest peer's", kind: "peak-ratio-at-most", against: "smallest-peer", goal: 1.2, unit: "×" },
];

/** upie's own forms: never a "peer" of upie. */
const isUpie = (server: ServerName) => SERVER_INFO[server].entry === "upie";

/**
 * The servers a scenario needs for its targets: raw uWS, the floors, each
 * form of upie a target measures, every server a target compares with, and
 * for a peak-RSS target every server of the scenario.
 *
 * @param scenario - a scenario name, e.g. `upload`.
 * @param available - the servers that scenario can run.
 * @returns the servers to run, in `available`'s order; empty when no target names the scenario.
 */
export function targetServers(scenario: string, available: readonly ServerName[]): Set<ServerName> {
  const targets = TARGETS.filter((t) => t.scenario === scenario);
  if (targets.length === 0) return new Set();
  const needed = new Set<ServerName>(["uws", ...available.filter((s) => SERVER_INFO[s].floor === true)]);
  for (const target of targets) {
    needed.add(target.server);
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

function peakOf(result: ScenarioResult, server: ServerName): number | null {
  const row = result.rows.find((r) => r.server === server);
  return row?.status === "ok" && row.peakMiB !== null && Number.isFinite(row.peakMiB) ? row.peakMiB : null;
}

/** Why a server of a target has no number: it sat out, failed, or was not run. */
function missing(result: ScenarioResult, server: ServerName): string {
  const row = result.rows.find((r) => r.server === server);
  if (row === undefined) return `${SERVER_LABELS[server]}: not run`;
  if (row.status === "n/a") return `${row.label}: ${row.reason ?? "n/a"}`;
  return row.status === "error" ? `${row.label}: error` : `${row.label}: no number`;
}

function checkPeak(target: Target, result: ScenarioResult): TargetCheck {
  const own = peakOf(result, target.server);
  const peers = result.rows
    .filter((row) => !isUpie(row.server))
    .map((row) => ({ server: row.server, peak: peakOf(result, row.server) }))
    .filter((p): p is { server: ServerName; peak: number } => p.peak !== null)
    .sort((a, b) => a.peak - b.peak);
  const smallest = peers[0];
  if (own === null) return { target, measured: null, met: null, why: missing(result, target.server) };
  if (smallest === undefined) return { target, measured: null, met: null, why: "no peer's peak RSS" };
  const measured = own / smallest.peak;
  const peer = `${SERVER_LABELS[smallest.server]} ${smallest.peak.toFixed(1)} MiB, ${SERVER_LABELS[target.server]} ${own.toFixed(1)} MiB`;
  return { target, measured, met: measured <= target.goal, peer };
}

/**
 * The verdict of every target set for this Node.
 *
 * @param results - the run's scenarios.
 * @param node - the servers' Node major (targets set for other runtimes are left out).
 */
export function checkTargets(results: readonly ScenarioResult[], node: number): TargetCheck[] {
  return TARGETS.filter((t) => t.nodes === undefined || t.nodes.includes(node)).map((target) => {
    const result = results.find((r) => r.name === target.scenario);
    if (result === undefined) return { target, measured: null, met: null, why: "scenario not run" };
    if (target.kind === "peak-ratio-at-most") return checkPeak(target, result);
    const against = target.against as ServerName;
    const own = valueOf(result, target.server);
    const other = valueOf(result, against);
    if (own === null) return { target, measured: null, met: null, why: missing(result, target.server) };
    if (other === null || (target.kind === "ratio-at-least" && other === 0)) return { target, measured: null, met: null, why: missing(result, against) };
    const measured = target.kind === "ratio-at-least" ? own / other : own - other;
    const met = target.kind === "ratio-at-least"
      ? target.strict ? measured > target.goal : measured >= target.goal
      : target.strict ? measured < target.goal : measured <= target.goal;
    return { target, measured, met };
  });
}

/** The goal as the table prints it, e.g. `≥ 0.92×`, `≤ +0.5 KB/conn`. */
function goalText(target: Target): string {
  if (target.kind === "difference-at-most") return target.strict ? `< ${target.goal} ${target.unit}` : `≤ +${target.goal} ${target.unit}`;
  if (target.kind === "peak-ratio-at-most") return `≤ ${target.goal}${target.unit}`;
  return `${target.strict ? ">" : "≥"} ${target.goal}${target.unit}`;
}

/** The targets as a markdown table. */
export function formatTargets(checks: readonly TargetCheck[]): string {
  const lines = ["| target | goal | measured | verdict |", "|---|---|---|---|"];
  for (const { target, measured, met, peer, why } of checks) {
    const value =
      measured === null
        ? "–"
        : target.kind === "difference-at-most"
          ? `${measured >= 0 ? "+" : "−"}${Math.abs(measured).toFixed(2)} ${target.unit}`
          : `${measured.toFixed(2)}${target.unit}${peer ? ` (${peer})` : ""}`;
    const verdict = met === null ? `not measured (${why ?? "–"})` : met ? "met" : "**missed**";
    lines.push(`| ${target.label} | ${goalText(target)} | ${value} | ${verdict.replaceAll("|", "\\|")} |`);
  }
  return lines.join("\n");
}
