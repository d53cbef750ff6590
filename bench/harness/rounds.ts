/**
 * Runs the servers of one scenario in alternating rounds: round 1 measures
 * every server once, then round 2, and so on, so that drift in a shared
 * machine's speed hits every server alike instead of whichever ran during a
 * slow minute. Each row is then the median of its server's rounds.
 *
 * Scenarios sharing a server across runs start every server first (an idle
 * server uses no CPU), warm each up, then measure round-robin. Scenarios that
 * need a fresh process per run (idle memory) start, measure and stop each
 * server in turn within every round.
 *
 * @module
 */
import { aggregateRow, errorRow, type Row } from "./results.js";
import { sleep, type RunContext, type Sample, type Scenario, type Settings } from "./scenario.js";
import { ServerProcess } from "./server-process.js";
import type { ServerName } from "./servers.js";

/** One server taking part: its samples so far, its peak RSS, and its error once it failed. */
interface Contender {
  name: ServerName;
  samples: Sample[];
  peakMiB: number | null;
  error?: unknown;
  /** Shared-server scenarios: the running process and what `prepare` returned. */
  server?: ServerProcess;
  state?: unknown;
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
const died = (c: { name: string; server: ServerProcess }) => new Error(`${c.name} died: ${c.server.output().trim().slice(0, 300)}`);

function fail(contender: Contender, error: unknown): void {
  log(`  ${contender.name.padEnd(20)} error: ${message(error)}`);
  contender.error = error;
}

function record(scenario: Scenario, contender: Contender, sample: Sample, runs: number): void {
  contender.samples.push(sample);
  log(`  ${contender.name.padEnd(20)} run ${contender.samples.length}/${runs}: ${sample.value.toFixed(2)} ${scenario.metric.unit}` +
    (sample.errors > 0 ? ` (${sample.errors} errors)` : ""));
}

/** One measured run of a server that is already prepared. */
async function measureOnce(scenario: Scenario, contender: Contender, server: ServerProcess, settings: Settings): Promise<void> {
  if (!server.alive) throw died({ name: contender.name, server });
  const context: RunContext = { name: contender.name, server, settings, state: contender.state, warmup: false, durationS: settings.durationS };
  record(scenario, contender, await scenario.measure(context), settings.runs);
}

async function start(contender: Contender, settings: Settings): Promise<ServerProcess> {
  contender.server = await ServerProcess.start(contender.name, settings.runner.server(contender.name), settings.pinning.server);
  return contender.server;
}

/** Prepares a started server and warms it up. */
async function prepare(scenario: Scenario, contender: Contender, server: ServerProcess, settings: Settings, warmupS: number): Promise<void> {
  contender.state = await scenario.prepare?.(server, settings, contender.name);
  if (warmupS > 0) {
    await scenario.measure({ name: contender.name, server, settings, state: contender.state, warmup: true, durationS: Math.max(1, warmupS) });
  }
}

async function sharedRounds(scenario: Scenario, contenders: Contender[], settings: Settings): Promise<void> {
  try {
    // Started together (starting is not measured), then prepared and warmed up one at a time.
    await Promise.all(contenders.map((contender) => start(contender, settings).catch((error: unknown) => fail(contender, error))));
    for (const contender of contenders) {
      if (contender.error !== undefined || contender.server === undefined) continue;
      await prepare(scenario, contender, contender.server, settings, settings.warmupS).catch((error: unknown) => fail(contender, error));
    }
    for (let round = 0; round < settings.runs; round++) {
      for (const contender of contenders) {
        if (contender.error !== undefined || contender.server === undefined) continue;
        await measureOnce(scenario, contender, contender.server, settings).catch((error: unknown) => fail(contender, error));
      }
    }
    for (const contender of contenders) {
      const server = contender.server;
      if (contender.error === undefined && server !== undefined) {
        if (!server.alive) fail(contender, died({ name: contender.name, server }));
        else contender.peakMiB = server.memory()?.peak ?? null;
      }
    }
  } finally {
    await Promise.all(contenders.map((c) => c.server?.stop()));
    await sleep(200);
  }
}

async function freshRounds(scenario: Scenario, contenders: Contender[], settings: Settings): Promise<void> {
  for (let round = 0; round < settings.runs; round++) {
    for (const contender of contenders) {
      if (contender.error !== undefined) continue;
      let server: ServerProcess | undefined;
      try {
        // A fresh process always gets its warm-up (idle memory's opens and closes a few connections).
        server = await start(contender, settings);
        await prepare(scenario, contender, server, settings, Math.max(1, settings.warmupS));
        await measureOnce(scenario, contender, server, settings);
        const memory = server.memory();
        if (memory !== null) contender.peakMiB = Math.max(contender.peakMiB ?? 0, memory.peak);
        if (!server.alive) throw died({ name: contender.name, server });
      } catch (error) {
        fail(contender, error);
      } finally {
        await server?.stop();
        await sleep(200);
      }
    }
  }
}

/**
 * Runs `names` through `scenario` for `settings.runs` alternating rounds.
 *
 * @returns a row per server: the medians of its runs, or its error.
 */
export async function runScenario(scenario: Scenario, names: readonly ServerName[], settings: Settings): Promise<Map<ServerName, Row>> {
  const contenders: Contender[] = names.map((name) => ({ name, samples: [], peakMiB: null }));
  await (scenario.freshServerPerRun ? freshRounds : sharedRounds)(scenario, contenders, settings);
  return new Map(contenders.map((c) => [c.name, c.error === undefined ? aggregateRow(c.name, c.samples, c.peakMiB) : errorRow(c.name, c.error, c.samples)]));
}
