import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { renderChart } from "../../../bench/harness/chart.js";
import { notApplicableRow, type Row, type ScenarioResult } from "../../../bench/harness/results.js";
import { SERVER_LABELS, SERVERS, type ServerName } from "../../../bench/harness/servers.js";

function row(server: ServerName, value: number): Row {
  return { ...notApplicableRow(server, ""), status: "ok", reason: undefined, value, runs: [value] };
}

const everyServer = (value: (i: number) => number) => SERVERS.filter((s) => s !== "upie-fast").map((s, i) => row(s, value(i)));
const results: ScenarioResult[] = [
  { name: "hello", title: "HTTP hello text", summary: "", unit: "req/s", higherIsBetter: true, rows: everyServer((i) => 100 - i) },
  { name: "ws-idle", title: "Idle WebSocket memory", summary: "", unit: "KB/conn", higherIsBetter: false, rows: everyServer((i) => 1 + i / 4) },
];

describe("renderChart", () => {
  const svg = renderChart(results, "test run");
  const width = Number(/<svg[^>]* width="(\d+(?:\.\d+)?)"/.exec(svg)?.[1]);

  it("names in its legend every server that ran, and no other", () => {
    for (const server of SERVERS) {
      const named = svg.includes(`>${SERVER_LABELS[server].replace(/&/g, "&amp;")}</text>`);
      assert.equal(named, server !== "upie-fast", server);
    }
  });

  it("keeps every label inside its width: the legend wraps, the memory labels have room", () => {
    for (const match of svg.matchAll(/<text x="(-?\d+(?:\.\d+)?)"[^>]*>([^<]*)<\/text>/g)) {
      const x = Number(match[1]);
      assert.ok(x >= 0 && x < width, `${match[2]} at x=${x} (width ${width})`);
    }
  });
});
