/**
 * The issue's targets, checked against a run's medians. Every target is a
 * ratio (or a difference) between two servers measured in the same run.
 *
 * @module
 */
import { valueOf, type ScenarioResult } from "./results.js";
import type { ServerName } from "./scenario.js";

/** One target from the benchmark issue. */
export interface Target {
  scenario: string;
  label: string;
  /** upie's number relative to `against`'s: a ratio, or a difference for memory. */
  kind: "ratio-at-least" | "difference-at-most";
  against: ServerName;
  goal: number;
  unit: string;
  /** Context printed beside the verdict. */
  note?: string;
}

export const TARGETS: readonly Target[] = [
  { scenario: "hello", label: "HTTP hello vs raw uWS", kind: "ratio-at-least", against: "uws", goal: 0.9, unit: "×", note: "hyper-express ≈ 0.83× per the issue" },
  { scenario: "ws-echo", label: "WS echo vs raw uWS", kind: "ratio-at-least", against: "uws", goal: 0.7, unit: "×" },
  { scenario: "ws-broadcast", label: "WS broadcast vs raw uWS", kind: "ratio-at-least", against: "uws", goal: 0.8, unit: "×" },
  { scenario: "ws-idle", label: "Idle WS memory above raw uWS", kind: "difference-at-most", against: "uws", goal: 2, unit: "KB/conn" },
  { scenario: "hello", label: "HTTP hello vs Fastify", kind: "ratio-at-least", against: "fastify", goal: 2.5, unit: "×" },
  { scenario: "ws-echo", label: "WS echo vs node:http + ws", kind: "ratio-at-least", against: "node-http", goal: 4, unit: "×" },
];

/** A target's verdict. */
export interface TargetCheck {
  target: Target;
  measured: number | null;
  met: boolean | null;
}

export function checkTargets(results: readonly ScenarioResult[]): TargetCheck[] {
  return TARGETS.map((target) => {
    const result = results.find((r) => r.name === target.scenario);
    const upie = valueOf(result, "upie");
    const other = valueOf(result, target.against);
    if (upie === null || other === null || (target.kind === "ratio-at-least" && other === 0)) {
      return { target, measured: null, met: null };
    }
    const measured = target.kind === "ratio-at-least" ? upie / other : upie - other;
    return { target, measured, met: target.kind === "ratio-at-least" ? measured >= target.goal : measured <= target.goal };
  });
}

/** The targets as a markdown table. */
export function formatTargets(checks: readonly TargetCheck[]): string {
  const lines = ["| target | goal | measured | verdict |", "|---|---|---|---|"];
  for (const { target, measured, met } of checks) {
    const goal = target.kind === "ratio-at-least" ? `≥ ${target.goal}${target.unit}` : `≤ +${target.goal} ${target.unit}`;
    const value =
      measured === null
        ? "–"
        : target.kind === "ratio-at-least"
          ? `${measured.toFixed(2)}${target.unit}`
          : `${measured >= 0 ? "+" : ""}${measured.toFixed(2)} ${target.unit}`;
    const verdict = met === null ? "not measured" : met ? "met" : "**missed**";
    lines.push(`| ${target.label}${target.note ? ` (${target.note})` : ""} | ${goal} | ${value} | ${verdict} |`);
  }
  return lines.join("\n");
}
