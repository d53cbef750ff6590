import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { notApplicableRow, type Row, type ScenarioResult } from "../../../bench/harness/results.js";
import type { ServerName } from "../../../bench/harness/servers.js";
import { formatSummary, versusUws } from "../../../bench/harness/table.js";

function row(server: ServerName, value: number): Row {
  return { ...notApplicableRow(server, ""), status: "ok", reason: undefined, value, runs: [value] };
}

function result(name: string, rows: Row[], higherIsBetter = true, unit = "req/s"): ScenarioResult {
  return { name, title: name, summary: "", unit, higherIsBetter, rows };
}

describe("versusUws", () => {
  it("divides throughput by raw uWS's and subtracts memory from it", () => {
    const hello = result("hello", [row("uws", 200), row("upie", 180)]);
    assert.equal(versusUws(hello, hello.rows[1]!), "0.90×");
    const idle = result("ws-idle", [row("uws", 1), row("upie", 3.5)], false, "KB/conn");
    assert.equal(versusUws(idle, idle.rows[1]!), "+2.50 KB/conn");
  });
});

describe("formatSummary", () => {
  it("puts a scenario per row and a column per server that took part anywhere", () => {
    const results = [
      result("hello", [row("uws", 100), row("uws-async", 95), row("upie", 90), notApplicableRow("socketio", "n/a")]),
      result("ws-echo", [row("uws", 100), row("uws-await", 60), row("upie", 55)]),
    ];
    const lines = formatSummary(results).split("\n");
    assert.equal(lines[0], "| scenario | uWebSockets.js (raw) | raw uWS, answering from a microtask | raw uWS + for await (awaitable floor) | upie (async methods) |");
    assert.equal(lines[2], "| hello | 1.00× | 0.95× |  | 0.90× |");
    assert.equal(lines[3], "| ws-echo | 1.00× |  | 0.60× | 0.55× |");
  });

  it("says error where a server failed", () => {
    const failed = { ...row("upie", 0), status: "error" as const, value: null };
    assert.match(formatSummary([result("hello", [row("uws", 100), failed])]), /\| hello \| 1\.00× \| error \|/);
  });
});
