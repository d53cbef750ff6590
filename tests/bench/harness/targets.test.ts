import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { notApplicableRow, type Row, type ScenarioResult } from "../../../bench/harness/results.js";
import type { ServerName } from "../../../bench/harness/scenario.js";
import { checkTargets, formatTargets, targetServers } from "../../../bench/harness/targets.js";

function row(server: ServerName, value: number, peakMiB: number | null = null): Row {
  return { ...notApplicableRow(server, ""), status: "ok", reason: undefined, value, peakMiB, runs: [value] };
}

function result(name: string, rows: Row[], higherIsBetter = true): ScenarioResult {
  return { name, title: name, summary: "", unit: "", higherIsBetter, rows };
}

const verdict = (results: ScenarioResult[], label: string) => {
  const check = checkTargets(results).find((c) => c.target.label === label);
  assert.ok(check, `no target ${label}`);
  return check;
};

describe("checkTargets", () => {
  it("meets a ratio target at the goal and misses it below", () => {
    assert.equal(verdict([result("hello", [row("uws", 100), row("upie", 90)])], "HTTP hello vs raw uWS").met, true);
    assert.equal(verdict([result("hello", [row("uws", 100), row("upie", 89)])], "HTTP hello vs raw uWS").met, false);
  });

  it("counts a tie with hyper-express as not ahead", () => {
    const results = [result("ws-echo", [row("uws", 100), row("upie", 80), row("hyper-express", 80)])];
    const check = verdict(results, "WS echo: ahead of hyper-express");
    assert.equal(check.measured, 1);
    assert.equal(check.met, false);
  });

  it("compares idle memory as a difference per connection", () => {
    const results = [result("ws-idle", [row("uws", 0.7), row("upie", 2.1), row("hyper-express", 1.9)], false)];
    const aboveRaw = verdict(results, "Idle WS memory above raw uWS");
    assert.ok(Math.abs(aboveRaw.measured! - 1.4) < 1e-9);
    assert.equal(aboveRaw.met, true);
    assert.equal(verdict(results, "Idle WS memory: below hyper-express").met, false);
  });

  it("divides upload peak RSS by the smallest other server's peak", () => {
    const results = [result("upload", [row("uws", 100, 130), row("upie", 150, 150), row("fastify", 90, 125), row("express", 80, 200)])];
    const check = verdict(results, "10 MB upload peak RSS vs the smallest peer's");
    assert.equal(check.measured, 150 / 125);
    assert.equal(check.met, true);
    assert.match(check.peer ?? "", /fastify 125\.0 MiB/);
  });

  it("says why a target is not measured when hyper-express sits out", () => {
    const rows = [row("uws", 100), row("upie", 95), notApplicableRow("hyper-express", "sits out on Node 24: pins uWS 20.30")];
    const check = verdict([result("json", rows)], "JSON: ahead of hyper-express");
    assert.equal(check.met, null);
    assert.match(formatTargets([check]), /not measured \(hyper-express 6\.14: sits out on Node 24\)/);
  });

  it("reports a scenario that did not run as not measured", () => {
    const check = verdict([], "WS broadcast vs raw uWS");
    assert.equal(check.met, null);
    assert.equal(check.why, "scenario not run");
  });
});

describe("targetServers", () => {
  const http: ServerName[] = ["uws", "upie", "hyper-express", "fastify", "express", "node-http"];

  it("runs raw uWS, upie and hyper-express where a target compares with hyper-express", () => {
    assert.deepEqual([...targetServers("hello", http)], ["uws", "upie", "hyper-express"]);
  });

  it("runs every peer where a target compares with the smallest peer", () => {
    assert.deepEqual([...targetServers("upload", http.filter((s) => s !== "hyper-express"))], ["uws", "upie", "fastify", "express", "node-http"]);
  });

  it("runs nothing for a scenario no target names", () => {
    assert.equal(targetServers("ws-connect", http).size, 0);
  });
});
