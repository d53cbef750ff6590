import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { notApplicableRow, type Row, type ScenarioResult } from "../../../bench/harness/results.js";
import type { ServerName } from "../../../bench/harness/servers.js";
import { checkTargets, formatTargets, TARGETS, targetServers, type TargetCheck } from "../../../bench/harness/targets.js";

function row(server: ServerName, value: number, peakMiB: number | null = null): Row {
  return { ...notApplicableRow(server, ""), status: "ok", reason: undefined, value, peakMiB, runs: [value] };
}

function result(name: string, rows: Row[], higherIsBetter = true): ScenarioResult {
  return { name, title: name, summary: "", unit: "", higherIsBetter, rows };
}

const verdict = (results: ScenarioResult[], label: string, node = 24): TargetCheck => {
  const check = checkTargets(results, node).find((c) => c.target.label === label);
  assert.ok(check, `no target ${label} on Node ${node}`);
  return check;
};

describe("TARGETS", () => {
  it("holds issue 21's set: HTTP for async and plain methods, echo and idle for both WebSocket forms, broadcast, upload", () => {
    const names = new Set(TARGETS.map((t) => `${t.scenario}/${t.server}`));
    for (const scenario of ["hello", "json", "params"]) {
      assert.ok(names.has(`${scenario}/upie`) && names.has(`${scenario}/upie-plain`), scenario);
    }
    for (const scenario of ["ws-echo", "ws-idle"]) assert.ok(names.has(`${scenario}/upie`) && names.has(`${scenario}/upie-fast`), scenario);
    assert.ok(names.has("ws-broadcast/upie") && names.has("upload/upie"));
    assert.ok(!TARGETS.some((t) => t.scenario === "post-json"), "issue 21 sets no POST target");
  });

  it("gives every label once, so a verdict can be found by it", () => {
    assert.equal(new Set(TARGETS.map((t) => t.label)).size, TARGETS.length);
  });
});

describe("checkTargets", () => {
  it("holds an async method to 0.92× raw uWS and a plain one to 0.95×", () => {
    const results = [result("hello", [row("uws", 100), row("upie", 92), row("upie-plain", 94)])];
    assert.equal(verdict(results, "HTTP hello, async method: vs raw uWS").met, true);
    assert.equal(verdict(results, "HTTP hello, plain method: vs raw uWS").met, false);
  });

  it("compares an async method with hyper-express's async handlers and a plain one with its synchronous handlers", () => {
    const results = [result("json", [row("uws", 100), row("upie", 91), row("upie-plain", 96), row("hyper-express", 97), row("hyper-express-async", 90)])];
    assert.equal(verdict(results, "JSON, async method: ahead of hyper-express (async handlers)").met, true);
    assert.equal(verdict(results, "JSON, plain method: ahead of hyper-express").met, false);
  });

  it("counts a tie with hyper-express as not ahead", () => {
    const results = [result("params", [row("uws", 100), row("upie", 80), row("hyper-express-async", 80)])];
    const check = verdict(results, "params, async method: ahead of hyper-express (async handlers)");
    assert.equal(check.measured, 1);
    assert.equal(check.met, false);
  });

  it("holds the idiomatic echo to 0.65× raw uWS and to the awaitable floor", () => {
    const results = [result("ws-echo", [row("uws", 100), row("uws-await", 60), row("upie", 66)])];
    assert.equal(verdict(results, "WS echo, idiomatic: vs raw uWS").met, true);
    const floor = verdict(results, "WS echo, idiomatic: vs the awaitable floor");
    assert.equal(floor.measured, 1.1);
    assert.equal(floor.met, true);
  });

  it("meets the fast-path echo target at hyper-express's rate (at or above)", () => {
    const results = [result("ws-echo", [row("uws", 100), row("upie-fast", 75), row("hyper-express", 75)])];
    assert.equal(verdict(results, "WS echo, fast path: vs hyper-express").met, true);
  });

  it("reports the fast path as not measured while upie has none", () => {
    const rows = [row("uws", 100), notApplicableRow("upie-fast", "upie has no WebSocket fast path yet (issue 21)"), row("hyper-express", 75)];
    const check = verdict([result("ws-echo", rows)], "WS echo, fast path: vs hyper-express");
    assert.equal(check.met, null);
    assert.equal(check.measured, null);
    assert.match(formatTargets([check]), /not measured \(upie \(WebSocket fast path\): upie has no WebSocket fast path yet \(issue 21\)\)/);
  });

  it("compares idle memory with the awaitable floor as a difference per connection", () => {
    const results = [result("ws-idle", [row("uws", 0.7), row("uws-await", 2.2), row("upie", 2.65), row("hyper-express", 2.0)], false)];
    const floor = verdict(results, "Idle WS, idiomatic: above the awaitable floor");
    assert.ok(Math.abs(floor.measured! - 0.45) < 1e-9);
    assert.equal(floor.met, true);
    assert.equal(verdict(results, "Idle WS, idiomatic: below hyper-express").met, false);
  });

  it("asks idle memory below hyper-express of the idiomatic form on Node 24 only", () => {
    const results = [result("ws-idle", [row("uws", 0.7), row("upie", 1.5), row("hyper-express", 2.0)], false)];
    assert.equal(verdict(results, "Idle WS, idiomatic: below hyper-express", 24).met, true);
    assert.equal(checkTargets(results, 20).some((c) => c.target.label === "Idle WS, idiomatic: below hyper-express"), false);
    assert.equal(checkTargets(results, 20).some((c) => c.target.label === "Idle WS, fast path: below hyper-express"), true);
  });

  it("divides upload peak RSS by the smallest peer's, never by another upie variant's", () => {
    const results = [result("upload", [row("uws", 100, 130), row("upie", 150, 150), row("upie-plain", 150, 100), row("fastify", 90, 125), row("express", 80, 200)])];
    const check = verdict(results, "10 MB upload: peak RSS vs the smallest peer's");
    assert.equal(check.measured, 150 / 125);
    assert.equal(check.met, true);
    assert.match(check.peer ?? "", /Fastify 5 125\.0 MiB/);
  });

  it("keeps broadcast at 0.90× raw uWS", () => {
    assert.equal(verdict([result("ws-broadcast", [row("uws", 100), row("upie", 89)])], "WS broadcast: vs raw uWS").met, false);
  });

  it("reports a scenario that did not run as not measured", () => {
    const check = verdict([], "WS broadcast: vs raw uWS");
    assert.equal(check.met, null);
    assert.equal(check.why, "scenario not run");
  });
});

describe("formatTargets", () => {
  it("prints each verdict with its goal and what it was compared with", () => {
    const results = [result("hello", [row("uws", 100), row("upie", 93), row("hyper-express-async", 90)])];
    const text = formatTargets(checkTargets(results, 20).filter((c) => c.target.scenario === "hello" && c.target.server === "upie"));
    assert.match(text, /\| HTTP hello, async method: vs raw uWS \| ≥ 0\.92× \| 0\.93× \| met \|/);
    assert.match(text, /ahead of hyper-express \(async handlers\) \| > 1× \| 1\.03× \| met \|/);
  });

  it("marks a miss in bold", () => {
    const text = formatTargets(checkTargets([result("ws-broadcast", [row("uws", 100), row("upie", 50)])], 20).filter((c) => c.target.scenario === "ws-broadcast"));
    assert.match(text, /\*\*missed\*\*/);
  });
});

describe("targetServers", () => {
  it("runs raw uWS, the floors, upie's forms and what they are compared with", () => {
    const get: ServerName[] = ["uws", "uws-async", "upie", "upie-plain", "hyper-express", "hyper-express-async", "fastify", "express", "node-http"];
    assert.deepEqual([...targetServers("hello", get)], ["uws", "uws-async", "upie", "upie-plain", "hyper-express", "hyper-express-async"]);
  });

  it("keeps the awaitable floor in the WebSocket runs", () => {
    const ws: ServerName[] = ["uws", "uws-await", "upie", "upie-fast", "hyper-express", "fastify", "node-http", "socketio"];
    assert.deepEqual([...targetServers("ws-echo", ws)], ["uws", "uws-await", "upie", "upie-fast", "hyper-express"]);
  });

  it("runs every peer where a target compares with the smallest peer", () => {
    const upload: ServerName[] = ["uws", "upie", "fastify", "express", "node-http"];
    assert.deepEqual([...targetServers("upload", upload)], upload);
  });

  it("runs nothing for a scenario no target names", () => {
    assert.equal(targetServers("ws-connect", ["uws", "upie"]).size, 0);
  });
});
