/**
 * The benchmark harness.
 *
 *   npm run bench                          every scenario, every server
 *   npm run bench -- hello ws-echo         some scenarios
 *   npm run bench -- --runs 5 --duration 10 --warmup 3
 *   npm run bench -- --servers uws,upie    some servers (uws is always kept: it is the ratio's base)
 *   npm run bench -- --node 24             servers on Node 24 + uWS 20.57 natively, in the Debian 13 root
 *   npm run bench -- --targets --runs 5    only the scenarios and servers the issue's targets compare
 *   npm run bench -- --runner bundle       the esbuild bundle of lib/ instead of the packed package
 *   npm run bench:smoke                    seconds-long run of everything (CI: checks the scripts produce numbers)
 *
 * For each scenario, each server runs in turn: a fresh child process pinned to
 * core 1, a sanity request, a warm-up, then N runs of the generator pinned to
 * core 0; the table shows the medians and the ratio to raw uWebSockets.js.
 *
 * @module
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { prepareRunner, type Runner, type RunnerKind } from "./harness/build.js";
import { renderChart } from "./harness/chart.js";
import { sectionMarker, withSection } from "./harness/results-file.js";
import { describeRun } from "./harness/machine.js";
import { choosePinning } from "./harness/processes.js";
import { aggregateRow, errorRow, notApplicableRow, resultOf, type Row, type ScenarioResult } from "./harness/results.js";
import { benchSettings, SERVERS, sleep, type RunContext, type Sample, type Scenario, type ServerName, type Settings } from "./harness/scenario.js";
import { SCENARIOS } from "./harness/scenarios/index.js";
import { ServerProcess } from "./harness/server-process.js";
import { formatTable, generatorCheck } from "./harness/table.js";
import { checkTargets, formatTargets, TARGETS, targetServers } from "./harness/targets.js";

const HELP = `Usage: npm run bench -- [scenario ...] [options]

Scenarios: ${SCENARIOS.map((s) => s.name).join(", ")} (default: all)

Options:
  --smoke            seconds-long run of everything: 1 run of 1 s, no warm-up, 1000 idle connections
  --runs N           measured runs per server (default 3; the median is reported)
  --duration S       seconds per run (default 5)
  --warmup S         warm-up seconds before the runs (default 3)
  --servers a,b      only these servers (${SERVERS.join(", ")}); uws is always kept
  --targets          only what the targets compare: their scenarios, with raw uWS, upie, the servers
                     a target names, and every server where a target compares with the smallest peer
  --runner R         packed (default: npm pack + install, servers import "upie"), bundle (esbuild
                     bundles of lib/ run by plain node) or tsx (node --import tsx)
  --node N           20 (default: the harness's own Node) or 22 / 24: servers run natively inside
                     the Debian 13 root (.ci/debian13-root) with /opt/nodeN/bin/node; generators stay here
  --root DIR         the Debian 13 root for --node 22/24 (default /tmp/trixie)
  --reuse-pack       packed runner: reuse bench/output/packed/ from the last run instead of packing again
  --no-pin           do not pin server and generator to cores with taskset
  --write-results    write bench/RESULTS.md and bench/RESULTS.svg even for a partial or smoke run
  --help             this text
`;

const benchDir = fileURLToPath(new URL(".", import.meta.url));

function parseCli() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      smoke: { type: "boolean", default: false },
      runs: { type: "string" },
      duration: { type: "string" },
      warmup: { type: "string" },
      servers: { type: "string" },
      targets: { type: "boolean", default: false },
      runner: { type: "string", default: "packed" },
      node: { type: "string", default: "20" },
      root: { type: "string", default: "/tmp/trixie" },
      "no-pin": { type: "boolean", default: false },
      "write-results": { type: "boolean", default: false },
      "reuse-pack": { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  const number = (text: string | undefined, fallback: number, name: string, min: number) => {
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value < min) throw new Error(`--${name} must be a number ≥ ${min}`);
    return value;
  };
  const unknown = positionals.filter((name) => !SCENARIOS.some((s) => s.name === name));
  if (unknown.length > 0) throw new Error(`unknown scenario(s): ${unknown.join(", ")}`);
  const servers = values.servers?.split(",").map((s) => s.trim()).filter(Boolean) ?? [...SERVERS];
  const badServer = servers.find((s) => !(SERVERS as readonly string[]).includes(s));
  if (badServer !== undefined) throw new Error(`unknown server: ${badServer}`);
  if (values.runner !== "packed" && values.runner !== "bundle" && values.runner !== "tsx") throw new Error("--runner must be packed, bundle or tsx");
  const node = Number(values.node);
  if (![20, 22, 24].includes(node)) throw new Error("--node must be 20, 22 or 24");
  if (values.targets && values.servers !== undefined) throw new Error("--targets chooses the servers itself: drop --servers");
  const smoke = values.smoke;
  const targetScenarios = new Set(TARGETS.map((t) => t.scenario));
  return {
    help: values.help,
    smoke,
    scenarios:
      positionals.length > 0
        ? SCENARIOS.filter((s) => positionals.includes(s.name))
        : values.targets ? SCENARIOS.filter((s) => targetScenarios.has(s.name)) : SCENARIOS,
    targets: values.targets,
    servers: new Set<ServerName>(["uws", ...(servers as ServerName[])]),
    allServers: values.servers === undefined && !values.targets,
    runs: Math.floor(number(values.runs, smoke ? 1 : 3, "runs", 1)),
    durationS: number(values.duration, smoke ? 1 : 5, "duration", 1),
    warmupS: number(values.warmup, smoke ? 0 : 3, "warmup", 0),
    runner: values.runner as RunnerKind,
    runtime: { node, root: values.root.replace(/\/$/, "") },
    pin: !values["no-pin"],
    writeResults: values["write-results"],
    reusePack: values["reuse-pack"],
  };
}

const log = (line: string) => process.stderr.write(`${line}\n`);

/** One server taking part in a scenario: its process, context and samples so far. */
interface Contender {
  name: ServerName;
  server: ServerProcess;
  context: Omit<RunContext, "warmup" | "durationS">;
  samples: Sample[];
  error?: unknown;
}

/**
 * Runs every server through one scenario. Runs are interleaved: all servers
 * are started (idle ones use no CPU), warmed up, then measured round-robin, so
 * drift in a shared machine's speed hits every server alike instead of
 * whichever ran during a slow minute. Scenarios that need a fresh server per
 * run (idle memory) run one server at a time.
 */
async function runScenario(scenario: Scenario, names: readonly ServerName[], settings: Settings): Promise<Map<ServerName, Row>> {
  const rows = new Map<ServerName, Row>();
  if (scenario.freshServerPerRun) {
    for (const name of names) rows.set(name, await runFresh(scenario, name, settings));
    return rows;
  }
  const contenders: Contender[] = [];
  try {
    for (const name of names) {
      try {
        const server = await ServerProcess.start(name, settings.runner.server(name), settings.pinning.server);
        const contender: Contender = { name, server, context: { name, server, settings, state: undefined }, samples: [] };
        contenders.push(contender);
        contender.context.state = await scenario.prepare?.(server, settings, name);
        if (settings.warmupS > 0) await scenario.measure({ ...contender.context, warmup: true, durationS: Math.max(1, settings.warmupS) });
      } catch (error) {
        fail(contenders.find((c) => c.name === name), name, error, rows);
      }
    }
    for (let r = 0; r < settings.runs; r++) {
      for (const contender of contenders) {
        if (contender.error !== undefined) continue;
        try {
          if (!contender.server.alive) throw new Error(`${contender.name} died: ${contender.server.output().trim().slice(0, 300)}`);
          const sample = await scenario.measure({ ...contender.context, warmup: false, durationS: settings.durationS });
          contender.samples.push(sample);
          log(`  ${contender.name.padEnd(14)} run ${contender.samples.length}/${settings.runs}: ${sample.value.toFixed(2)} ${scenario.metric.unit}` +
            (sample.errors > 0 ? ` (${sample.errors} errors)` : ""));
        } catch (error) {
          fail(contender, contender.name, error, rows);
        }
      }
    }
    for (const contender of contenders) {
      if (contender.error !== undefined) continue;
      if (!contender.server.alive) {
        fail(contender, contender.name, new Error(`${contender.name} died: ${contender.server.output().trim().slice(0, 300)}`), rows);
        continue;
      }
      rows.set(contender.name, aggregateRow(contender.name, contender.samples, contender.server.memory()?.peak ?? null));
    }
  } finally {
    await Promise.all(contenders.map((c) => c.server.stop()));
    await sleep(200);
  }
  return rows;
}

function fail(contender: Contender | undefined, name: ServerName, error: unknown, rows: Map<ServerName, Row>): void {
  log(`  ${name.padEnd(14)} error: ${error instanceof Error ? error.message : String(error)}`);
  if (contender !== undefined) contender.error = error;
  rows.set(name, errorRow(name, error, contender?.samples ?? []));
}

/** One server, a fresh process per run (for scenarios measuring a new process, like idle memory). */
async function runFresh(scenario: Scenario, name: ServerName, settings: Settings): Promise<Row> {
  const samples: Sample[] = [];
  let peak: number | null = null;
  try {
    for (let p = 0; p < settings.runs; p++) {
      const server = await ServerProcess.start(name, settings.runner.server(name), settings.pinning.server);
      try {
        const state = await scenario.prepare?.(server, settings, name);
        const context = { name, server, settings, state };
        await scenario.measure({ ...context, warmup: true, durationS: Math.max(1, settings.warmupS) });
        if (!server.alive) throw new Error(`${name} died: ${server.output().trim().slice(0, 300)}`);
        const sample = await scenario.measure({ ...context, warmup: false, durationS: settings.durationS });
        samples.push(sample);
        log(`  ${name.padEnd(14)} run ${samples.length}/${settings.runs}: ${sample.value.toFixed(2)} ${scenario.metric.unit}` +
          (sample.errors > 0 ? ` (${sample.errors} errors)` : ""));
        const memory = server.memory();
        if (memory !== null) peak = Math.max(peak ?? 0, memory.peak);
        if (!server.alive) throw new Error(`${name} died: ${server.output().trim().slice(0, 300)}`);
      } finally {
        await server.stop();
      }
      await sleep(200);
    }
    return aggregateRow(name, samples, peak);
  } catch (error) {
    log(`  ${name.padEnd(14)} error: ${error instanceof Error ? error.message : String(error)}`);
    return errorRow(name, error, samples);
  }
}

async function main(): Promise<number> {
  const cli = parseCli();
  if (cli.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const selected = (scenario: Scenario, name: ServerName) =>
    cli.targets ? targetServers(scenario.name, scenario.servers).has(name) : cli.servers.has(name);
  const serversNeeded = SERVERS.filter((s) => cli.scenarios.some((sc) => sc.servers.includes(s) && selected(sc, s)));
  const settings = benchSettings({
    smoke: cli.smoke,
    runs: cli.runs,
    durationS: cli.durationS,
    warmupS: cli.warmupS,
    pinning: choosePinning(cli.pin),
    runner: await prepareRunner(cli.runner, cli.runtime, serversNeeded.filter((s) => sitsOut(s, cli.runtime.node) === undefined), log, {
      reusePacked: cli.reusePack,
    }),
  });
  const command = `npm run ${cli.smoke && process.argv.length === 3 ? "bench:smoke" : `bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`}`;
  const header = describeRun(settings, command);
  const runtime = runtimeLine(settings.runner);
  log(runtime);
  process.stdout.write(`# upie benchmarks\n\n${header}\n\n`);

  const results: ScenarioResult[] = [];
  for (const scenario of cli.scenarios) {
    log(`\n== ${scenario.name}: ${scenario.title}`);
    const taking = SERVERS.filter((name) => scenario.servers.includes(name) && selected(scenario, name) && sitsOut(name, cli.runtime.node) === undefined);
    const measured = await runScenario(scenario, taking, settings);
    const rows: Row[] = SERVERS.map((name) =>
      measured.get(name) ??
      notApplicableRow(
        name,
        !scenario.servers.includes(name)
          ? scenario.notApplicable?.[name] ?? "not part of this scenario"
          : sitsOut(name, cli.runtime.node) ?? (cli.targets ? "no target compares with it (--targets)" : "not selected (--servers)"),
      ));
    const result = resultOf(scenario, rows);
    results.push(result);
    const check = generatorCheck(result);
    process.stdout.write(`## ${scenario.title} (\`${scenario.name}\`)\n\n${scenario.summary}\n\n${runtime}\n\n${formatTable(result)}\n\n${check ? `${check}\n\n` : ""}`);
  }

  const targets = formatTargets(checkTargets(results));
  process.stdout.write(`## Targets (upie, ratios from this run)\n\n${targets}\n`);

  const outputDir = `${benchDir}output/`;
  mkdirSync(outputDir, { recursive: true });
  const facts = settings.runner.facts;
  const subtitle = `${command} · ${new Date().toISOString().slice(0, 10)} · Node ${facts.nodeVersion} · uWS ${facts.uwsVersion} · ${settings.runner.kind}` +
    `${cli.smoke ? " · SMOKE RUN (not meaningful)" : ""}`;
  const key = sectionKey(settings.runner);
  const chartFile = key === "node20-packed" ? "RESULTS.svg" : `RESULTS-${key}.svg`;
  const title = `Node ${facts.nodeVersion} + uWS ${facts.uwsVersion}, ${settings.runner.kind} upie`;
  const markdown = renderSection(key, title, chartFile, header, runtime, results, targets, cli.smoke);
  const chart = renderChart(results, subtitle);
  writeFileSync(`${outputDir}results.json`, `${JSON.stringify({ command, settings: { ...settings, runner: settings.runner.kind }, results }, null, 2)}\n`);
  writeFileSync(`${outputDir}results.md`, markdown);
  writeFileSync(`${outputDir}results.svg`, chart);
  const complete = cli.scenarios.length === SCENARIOS.length && cli.allServers;
  if ((complete && !cli.smoke) || cli.writeResults) {
    const path = `${benchDir}RESULTS.md`;
    writeFileSync(path, withSection(existsSync(path) ? readFileSync(path, "utf8") : "", key, markdown));
    writeFileSync(`${benchDir}${chartFile}`, chart);
    log(`\nwrote the ${key} section of bench/RESULTS.md and bench/${chartFile}`);
  } else {
    log("\nwrote bench/output/results.{md,svg,json} (bench/RESULTS.md is only written by a full run or --write-results)");
  }

  // The run fails when a server that takes part produced no number (smoke: this is all CI checks).
  const failures = results.flatMap((r) =>
    r.rows
      .filter((row) => row.status === "error" || (row.status === "ok" && (row.value === null || !Number.isFinite(row.value) || (r.higherIsBetter && row.value <= 0))))
      .map((row) => `${r.name}/${row.server}: ${row.reason ?? `no number (${row.value})`}`),
  );
  if (failures.length > 0) {
    log(`\n${failures.length} scenario/server pair(s) produced no number:\n  ${failures.join("\n  ")}`);
    return 1;
  }
  log(`\nall ${results.reduce((n, r) => n + r.rows.filter((row) => row.status === "ok").length, 0)} scenario/server pairs produced numbers`);
  return 0;
}

/**
 * Why a server cannot take part on this Node: hyper-express 6.14 pins uWS
 * 20.30, whose binaries stop at Node 20; elsewhere it would silently run on
 * the trufflesuite package's JavaScript imitation, which measures nothing real.
 */
function sitsOut(name: ServerName, node: number): string | undefined {
  if (name === "hyper-express" && node !== 20) {
    return `sits out on Node ${node}: hyper-express 6.14 pins uWS 20.30 (native binaries for Node ≤ 20 only); here it would run on the JavaScript imitation, which is never measured`;
  }
  return undefined;
}

/** The line under every table: which Node, uWS build and upie build the servers ran. */
function runtimeLine(runner: Runner): string {
  const f = runner.facts;
  return `Servers: Node ${f.nodeVersion} (${f.where}); uWS ${f.uwsVersion} (\`${f.uwsPackage}\`), the same build for raw uWS and upie; upie ${f.upie}.`;
}

/** The RESULTS.md section a run writes: one per Node major and runner, e.g. `node20-packed`. */
function sectionKey(runner: Runner): string {
  return `node${runner.runtime.node}-${runner.kind}`;
}

function renderSection(key: string, title: string, chartFile: string, header: string, runtime: string, results: readonly ScenarioResult[], targets: string, smoke: boolean): string {
  const parts = [
    sectionMarker(key),
    `## ${title}`,
    "",
    smoke
      ? "> **Smoke run.** One 1-second run per server, no warm-up, on a shared machine: these numbers only show that every scenario produces numbers. They are not results."
      : "> Every ratio compares servers measured in the same run on the same machine; the absolute numbers are this machine's and are not the claim.",
    "",
    header,
    "",
    `![Throughput relative to raw uWebSockets.js, and idle memory per connection](${chartFile})`,
    "",
  ];
  for (const result of results) {
    const check = generatorCheck(result);
    parts.push(`### ${result.title} (\`${result.name}\`)`, "", result.summary, "", runtime, "", formatTable(result), "");
    if (check) parts.push(check, "");
  }
  parts.push(`### Targets (${title})`, "", targets, "", "How to read these tables: bench/README.md.", "", "");
  return parts.join("\n");
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
