import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runScenario } from "../../../bench/harness/rounds.js";
import type { RunContext, Sample, Scenario, Settings } from "../../../bench/harness/scenario.js";

/** A stand-in server process: announces a port and waits to be stopped. */
const STAND_IN = `process.stdout.write("READY 1\\n"); setInterval(() => {}, 1000);`;

const settings = {
  runs: 2,
  warmupS: 0,
  durationS: 1,
  pinning: { server: null, generator: null },
  runner: { server: () => ({ command: process.execPath, args: ["-e", STAND_IN] }) },
} as unknown as Settings;

function sample(value: number): Sample {
  return { value, p50Ms: null, p99Ms: null, errors: 0, serverCpu: null, serverUserCpu: null, generatorCpu: null, serverCore: null, generatorCore: null, rssMiB: null, notes: [] };
}

/** A scenario that records which server each measure ran on, and fails `failing`'s measured runs. */
function recording(fresh: boolean, failing?: string): { scenario: Scenario; calls: string[] } {
  const calls: string[] = [];
  const scenario: Scenario = {
    name: "recorded",
    title: "recorded",
    summary: "",
    metric: { unit: "x", higherIsBetter: true },
    servers: ["uws", "upie"],
    freshServerPerRun: fresh,
    async measure(ctx: RunContext) {
      calls.push(`${ctx.name}${ctx.warmup ? " warm-up" : ""}`);
      if (!ctx.warmup && ctx.name === failing) throw new Error("no number");
      return sample(ctx.name === "uws" ? 10 : 8);
    },
  };
  return { scenario, calls };
}

describe("runScenario", () => {
  it("alternates the servers round by round on shared processes", async () => {
    const { scenario, calls } = recording(false);
    const rows = await runScenario(scenario, ["uws", "upie"], settings);
    assert.deepEqual(calls, ["uws", "upie", "uws", "upie"]);
    assert.deepEqual(rows.get("upie")?.runs, [8, 8]);
    assert.equal(rows.get("uws")?.value, 10);
  });

  it("alternates fresh processes too, each warmed up", async () => {
    const { scenario, calls } = recording(true);
    await runScenario(scenario, ["uws", "upie"], settings);
    assert.deepEqual(calls, ["uws warm-up", "uws", "upie warm-up", "upie", "uws warm-up", "uws", "upie warm-up", "upie"]);
  });

  it("gives a failing server its error row and goes on with the others", async () => {
    const { scenario, calls } = recording(false, "uws");
    const rows = await runScenario(scenario, ["uws", "upie"], settings);
    assert.equal(rows.get("uws")?.status, "error");
    assert.match(rows.get("uws")?.reason ?? "", /no number/);
    assert.deepEqual(rows.get("upie")?.runs, [8, 8]);
    assert.deepEqual(calls, ["uws", "upie", "upie"]);
  });
});
