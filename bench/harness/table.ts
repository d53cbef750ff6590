/**
 * Prints a scenario's result as a markdown table: the metric, latency, memory,
 * CPU of server and generator, and the ratio to raw uWebSockets.js measured in
 * the same run. Absolute numbers depend on the machine; the ratio is the claim.
 *
 * @module
 */
import { valueOf, type Row, type ScenarioResult } from "./results.js";
import { SERVER_LABELS, SERVERS } from "./servers.js";

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** A metric value with a sensible number of digits for its size. */
export function formatValue(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return "–";
  const size = Math.abs(value);
  if (size >= 1000) return integer.format(value);
  if (size >= 100) return value.toFixed(0);
  if (size >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

function formatMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return "–";
  if (ms < 1) return `${(ms * 1000).toFixed(0)} µs`;
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  return `${ms.toFixed(1)} ms`;
}

function formatMiB(mib: number | null): string {
  return mib === null || !Number.isFinite(mib) ? "–" : mib.toFixed(1);
}

function formatShare(share: number | null): string {
  return share === null || !Number.isFinite(share) ? "–" : `${Math.round(share * 100)}%`;
}

/** The row's standing against raw uWS: a ratio, or for lower-is-better metrics the difference too. */
export function versusUws(result: ScenarioResult, row: Row): string {
  const uws = valueOf(result, "uws");
  const value = row.status === "ok" ? row.value : null;
  if (uws === null || value === null || !Number.isFinite(value) || uws === 0) return "–";
  if (result.higherIsBetter) return `${(value / uws).toFixed(2)}×`;
  const difference = value - uws;
  return `${difference >= 0 ? "+" : "−"}${Math.abs(difference).toFixed(2)} ${result.unit}`;
}

/** The markdown table of one scenario. */
export function formatTable(result: ScenarioResult): string {
  const lines = [
    `| server | ${result.unit} | p50 | p99 | RSS MiB | peak RSS MiB | server CPU | generator CPU | vs uWS | notes |`,
    "|---|--:|--:|--:|--:|--:|--:|--:|--:|---|",
  ];
  for (const row of result.rows) {
    if (row.status === "n/a") {
      lines.push(`| ${row.label} | n/a | | | | | | | | ${row.reason ?? ""} |`);
      continue;
    }
    const notes = [...row.notes];
    if (row.errors > 0) notes.push(`⚠ ${row.errors} errors`);
    if (row.status === "error") notes.unshift(`**error**: ${row.reason ?? "failed"}`);
    if (row.runs.length > 1) notes.push(`runs: ${row.runs.map(formatValue).join(" / ")}`);
    lines.push(
      `| ${row.label} | ${formatValue(row.value)} | ${formatMs(row.p50Ms)} | ${formatMs(row.p99Ms)} | ${formatMiB(row.rssMiB)} | ` +
        `${formatMiB(row.peakMiB)} | ${formatShare(row.serverCpu)} | ${formatShare(row.generatorCpu)} | ${versusUws(result, row)} | ` +
        `${notes.join("; ").replaceAll("|", "\\|")} |`,
    );
  }
  return lines.join("\n");
}

/**
 * One line showing that the load generator outran the fastest server: a server
 * process using (nearly) all of its core cannot go faster, whatever the
 * generator does; a generator near 100% with a server below that is the bottleneck.
 */
export function generatorCheck(result: ScenarioResult): string | null {
  if (!result.higherIsBetter) return null;
  const measured = result.rows.filter((r) => r.status === "ok" && r.value !== null && r.serverCpu !== null);
  if (measured.length === 0) return null;
  const fastest = measured.reduce((a, b) => ((b.value ?? 0) > (a.value ?? 0) ? b : a));
  const server = fastest.serverCpu ?? 0;
  const generator = fastest.generatorCpu ?? 0;
  const cores =
    fastest.serverCore === null
      ? ""
      : `; cores busy (softirq and any other process included): server's ${formatShare(fastest.serverCore)}, generator's ${formatShare(fastest.generatorCore)}`;
  const facts =
    `fastest server ${fastest.label} (${formatValue(fastest.value)} ${result.unit}) used ${formatShare(server)} of its core, ` +
    `the generator process ${formatShare(generator)} of its own${cores}`;
  if (server >= 0.9) return `Generator check: ${facts} → server-bound: the server had no CPU left, the generator kept up.`;
  if (generator >= 0.9) return `Generator check: ⚠ ${facts} → generator-bound: that number is a lower bound.`;
  if ((fastest.generatorCore ?? 0) >= 0.9) {
    return (
      `Generator check: ⚠ ${facts} → the generator's core was full (the kernel's loopback TCP work runs mostly on the sending side's core, ` +
      "and other processes count too) while the server's process was not: treat that number as a lower bound."
    );
  }
  return `Generator check: ⚠ ${facts} → neither process saturated its core: other load on the machine, or latency-bound.`;
}

/**
 * The run on one page: a row per scenario, a column per server that took part
 * anywhere, each cell its standing against raw uWS (a ratio, or for idle
 * memory the difference per connection). RESULTS.md shows this; the full
 * tables go to the run's history file.
 */
export function formatSummary(results: readonly ScenarioResult[]): string {
  const servers = SERVERS.filter((server) => results.some((r) => r.rows.some((row) => row.server === server && row.status !== "n/a")));
  const lines = [`| scenario | ${servers.map((s) => SERVER_LABELS[s]).join(" | ")} |`, `|---|${servers.map(() => "--:").join("|")}|`];
  for (const result of results) {
    const cells = servers.map((server) => {
      const row = result.rows.find((r) => r.server === server);
      if (row === undefined || row.status === "n/a") return "";
      return row.status === "error" ? "error" : versusUws(result, row);
    });
    lines.push(`| ${result.title} | ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}
