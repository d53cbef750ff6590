import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fullReport, historyFile, summarySection, type RunReport } from "../../../bench/harness/report.js";
import { notApplicableRow, type Row } from "../../../bench/harness/results.js";
import { sectionMarker } from "../../../bench/harness/results-file.js";
import type { ServerName } from "../../../bench/harness/servers.js";

function row(server: ServerName, value: number): Row {
  return { ...notApplicableRow(server, ""), status: "ok", reason: undefined, value, runs: [value] };
}

const report: RunReport = {
  key: "node24-packed",
  title: "Node v24.22.3 + uWS 20.57.0, packed upie",
  command: "npm run bench -- --targets",
  date: "2026-12-04",
  header: "- Machine: test",
  runtime: "Servers: Node v24.22.3.",
  chartFile: "RESULTS-node24-packed.svg",
  results: [{ name: "hello", title: "HTTP hello text", summary: "GET /", unit: "req/s", higherIsBetter: true, rows: [row("uws", 100), row("upie", 90)] }],
  targets: "| target | goal | measured | verdict |",
  smoke: false,
};

describe("historyFile", () => {
  it("files a run by date and runtime", () => {
    assert.equal(historyFile(report), "history/2026-12-04-node24-packed.md");
  });
});

describe("summarySection", () => {
  it("opens with the runtime's marker and links the chart and the full report", () => {
    const text = summarySection(report);
    assert.ok(text.startsWith(`${sectionMarker("node24-packed")}\n## Node v24.22.3`));
    assert.match(text, /\(RESULTS-node24-packed\.svg\)/);
    assert.match(text, /\[history\/2026-12-04-node24-packed\.md\]\(history\/2026-12-04-node24-packed\.md\)/);
  });

  it("holds the targets and one line per scenario, not the full tables", () => {
    const text = summarySection(report);
    assert.match(text, /\| target \| goal \| measured \| verdict \|/);
    assert.match(text, /\| HTTP hello text \| 1\.00× \| 0\.90× \|/);
    assert.doesNotMatch(text, /p99/);
  });

  it("says a smoke run is not a result", () => {
    assert.match(summarySection({ ...report, smoke: true }), /Smoke run/);
  });
});

describe("fullReport", () => {
  it("keeps every table with the machine and the runtime line", () => {
    const text = fullReport(report);
    assert.match(text, /- Machine: test/);
    assert.match(text, /## HTTP hello text \(`hello`\)/);
    assert.match(text, /\| server \| req\/s \| p50 \| p99 \|/);
  });
});
