/**
 * The benchmark harness.
 *
 *   npm run bench                          every scenario, every server
 *   npm run bench -- hello ws-echo         some scenarios
 *   npm run bench -- --runs 5 --duration 10 --warmup 3
 *   npm run bench -- --servers uws,upie    some servers (uws is always kept: it is the ratio's base)
 *   npm run bench -- --node 24             servers on Node 24 + uWS 20.57 natively, in the Debian 13 root
 *   npm run bench -- --targets --runs 5    issue 21's targets: their scenarios, upie's forms, the floors, the peers they name
 *   npm run bench -- --runner bundle       the esbuild bundle of lib/ instead of the packed package
 *   npm run bench:smoke                    seconds-long run of everything (CI: checks the scripts produce numbers)
 *
 * Run: `npm run bench -- --help`.
 *
 * For each scenario, every server runs as a child process pinned to core 1:
 * a sanity request, a warm-up, then N alternating rounds of the generator
 * pinned to core 0 (bench/harness/rounds.ts); the table shows the medians and
 * the ratio to raw uWebSockets.js, the targets their verdicts.
 *
 * @module
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { DEFAULT_ROOT, prepareRunner, type Runner, type RunnerKind } from "./harness/build.js";
import { renderChart } from "./harness/chart.js";
import { describeRun } from "./harness/machine.js";
import { choosePinning } from "./harness/processes.js";
import { fullReport, historyFile, summarySection, type RunReport } from "./harness/report.js";
import { withSection } from "./harness/results-file.js";
import { notApplicableRow, resultOf, type Row, type ScenarioResult } from "./harness/results.js";
import { runScenario } from "./harness/rounds.js";
import { benchSettings, type Scenario } from "./harness/scenario.js";
import { SCENARIOS } from "./harness/scenarios/index.js";
import { isServerName, SERVERS, unavailable, type ServerName } from "./harness/servers.js";
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
  --targets          issue 21's targets: their scenarios, with raw uWS, the floors, upie's forms, the
                     servers a target names, and every server where a target compares with the smallest peer
  --runner R         packed (default: npm pack + install, servers import "upie"), bundle (esbuild
                     bundles of lib/ run by plain node) or tsx (node --import tsx)
  --node N           20 (default: the harness's own Node) or 22 / 24: servers run natively inside
                     the Debian 13 root (.ci/debian13-root) with /opt/nodeN/bin/node; generators stay here
  --root DIR         the Debian 13 root for --node 22/24 (default: $UPIE_DEBIAN13_ROOT, else /var/tmp/upie-debian13, as CI)
  --reuse-pack       packed runner: reuse bench/output/packed/ from the last run instead of packing again
  --no-pin           do not pin server and generator to cores with taskset
  --write-results    write this runtime's section of bench/RESULTS.md, its chart and bench/history/<date>-<runtime>.md
                     even for a partial, --targets or smoke run (a full run always writes them)
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
      root: { type: "string", default: DEFAULT_ROOT },
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
  const badServer = servers.find((s) => !isServerName(s));
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
    runner: await prepareRunner(cli.runner, cli.runtime, serversNeeded, log, {
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
    const sitsOut = (name: ServerName) => unavailable(name, settings.runner.facts.features) ?? scenario.sitsOut?.(name, settings.runner.facts);
    const taking = scenario.servers.filter((name) => selected(scenario, name) && sitsOut(name) === undefined);
    const measured = await runScenario(scenario, taking, settings);
    // A table lists the scenario's servers; one that did not run says why.
    const rows: Row[] = SERVERS.filter((name) => scenario.servers.includes(name)).map((name) =>
      measured.get(name) ??
      notApplicableRow(name, sitsOut(name) ?? (cli.targets ? "no target compares with it (--targets)" : "not selected (--servers)")));
    const result = resultOf(scenario, rows);
    results.push(result);
    const check = generatorCheck(result);
    process.stdout.write(`## ${scenario.title} (\`${scenario.name}\`)\n\n${scenario.summary}\n\n${runtime}\n\n${formatTable(result)}\n\n${check ? `${check}\n\n` : ""}`);
  }

  const facts = settings.runner.facts;
  const targets = formatTargets(checkTargets(results, Number(/^v(\d+)/.exec(facts.nodeVersion)?.[1] ?? cli.runtime.node)));
  process.stdout.write(`## Targets (issue 21, ratios from this run)\n\n${targets}\n`);

  const key = `node${settings.runner.runtime.node}-${settings.runner.kind}`;
  const report: RunReport = {
    key,
    title: `Node ${facts.nodeVersion} + uWS ${facts.uwsVersion}, ${settings.runner.kind} upie`,
    command,
    date: new Date().toISOString().slice(0, 10),
    header,
    runtime,
    chartFile: key === "node20-packed" ? "RESULTS.svg" : `RESULTS-${key}.svg`,
    results,
    targets,
    smoke: cli.smoke,
  };
  const subtitle = `${command} · ${report.date} · Node ${facts.nodeVersion} · uWS ${facts.uwsVersion} · ${settings.runner.kind}` +
    `${cli.smoke ? " · SMOKE RUN (not meaningful)" : ""}`;
  const chart = renderChart(results, subtitle);
  const outputDir = `${benchDir}output/`;
  mkdirSync(outputDir, { recursive: true });
  writeFileSync(`${outputDir}results.json`, `${JSON.stringify({ command, settings: { ...settings, runner: settings.runner.kind }, results }, null, 2)}\n`);
  writeFileSync(`${outputDir}results.md`, fullReport(report));
  writeFileSync(`${outputDir}results.svg`, chart);
  const complete = cli.scenarios.length === SCENARIOS.length && cli.allServers;
  if ((complete && !cli.smoke) || cli.writeResults) {
    const path = `${benchDir}RESULTS.md`;
    writeFileSync(path, withSection(existsSync(path) ? readFileSync(path, "utf8") : "", key, summarySection(report)));
    writeFileSync(`${benchDir}${report.chartFile}`, chart);
    mkdirSync(`${benchDir}history`, { recursive: true });
    writeFileSync(`${benchDir}${historyFile(report)}`, fullReport(report));
    log(`\nwrote the ${key} section of bench/RESULTS.md, bench/${report.chartFile} and bench/${historyFile(report)}`);
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

/** The line under every table: which Node, uWS build and upie build the servers ran. */
function runtimeLine(runner: Runner): string {
  const f = runner.facts;
  return `Servers: Node ${f.nodeVersion} (${f.where}); uWS ${f.uwsVersion} (\`${f.uwsPackage}\`), the same build for raw uWS and upie; upie ${f.upie}.`;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
