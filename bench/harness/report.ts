/**
 * What a run writes: the full report (every table, the machine, the
 * settings) for bench/output/ and bench/history/, and the short section of
 * bench/RESULTS.md for its runtime (the targets, one summary table, the chart,
 * a link to the full report).
 *
 * @module
 */
import type { ScenarioResult } from "./results.js";
import { sectionMarker } from "./results-file.js";
import { formatSummary, formatTable, generatorCheck } from "./table.js";

/** One run, as the report needs it. */
export interface RunReport {
  /** The runtime's section key, e.g. `node24-packed`. */
  key: string;
  /** e.g. `Node v24.22.3 + uWS 20.57.0, packed upie`. */
  title: string;
  command: string;
  /** YYYY-MM-DD. */
  date: string;
  /** The machine, versions and settings (markdown list). */
  header: string;
  /** The line under every table: which Node, uWS and upie the servers ran. */
  runtime: string;
  chartFile: string;
  results: readonly ScenarioResult[];
  /** The targets table (markdown). */
  targets: string;
  smoke: boolean;
}

const SMOKE_NOTE =
  "> **Smoke run.** One 1-second run per server, no warm-up, on a shared machine: these numbers only show that every scenario produces numbers. They are not results.";
const RATIO_NOTE =
  "> Every ratio compares servers measured in the same run on the same machine; the absolute numbers are this machine's and are not the claim.";

/** Where a run's full report is kept, relative to bench/. */
export function historyFile(report: Pick<RunReport, "date" | "key">): string {
  return `history/${report.date}-${report.key}.md`;
}

/** Every table of the run, with the machine and settings: bench/output/results.md and the history file. */
export function fullReport(report: RunReport): string {
  const parts = [`# ${report.title} (${report.date})`, "", report.smoke ? SMOKE_NOTE : RATIO_NOTE, "", report.header, ""];
  for (const result of report.results) {
    const check = generatorCheck(result);
    parts.push(`## ${result.title} (\`${result.name}\`)`, "", result.summary, "", report.runtime, "", formatTable(result), "");
    if (check) parts.push(check, "");
  }
  parts.push("## Targets (issue 21)", "", report.targets, "", "How to read these tables: bench/README.md.", "");
  return parts.join("\n");
}

/** The runtime's section of bench/RESULTS.md: short enough that the whole file stays one screenful per runtime. */
export function summarySection(report: RunReport): string {
  const history = historyFile(report);
  return [
    sectionMarker(report.key),
    `## ${report.title}`,
    "",
    // The file's intro says once that every ratio is from the same run; a smoke run says what it is.
    ...(report.smoke ? [SMOKE_NOTE, ""] : []),
    `\`${report.command}\`, ${report.date}. ${report.runtime} Every table, the machine and the settings: [${history}](${history}).`,
    "",
    `![Throughput relative to raw uWebSockets.js, and idle memory per connection](${report.chartFile})`,
    "",
    "**Targets (issue 21)**",
    "",
    report.targets,
    "",
    "**Every scenario** (throughput ÷ raw uWS's; idle memory: KB per connection above raw uWS's)",
    "",
    formatSummary(report.results),
    "",
  ].join("\n");
}
