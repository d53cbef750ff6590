/**
 * Server CPU per operation: what each server spends, in CPU-µs, for one
 * request (`hello`, `json`, `params`) or one echoed message (`ws-echo`): the
 * server's CPU seconds over the run ÷ the operations it answered.
 * Throughput ratios on a 2-core machine move with whatever else runs; this
 * figure moves much less, so it is the one to compare changes with. Servers
 * alternate round by round; medians are reported, with the ratio to the
 * first server named.
 *
 * Each figure comes twice: all of the server's CPU, and its user-space part.
 * Over loopback the kernel's TCP work is about two thirds of a request's
 * CPU, the same for every uWS server and the noisiest part of the reading;
 * what a framework adds is in user space (its JavaScript, V8, uWS).
 *
 * Run: `npx tsx bench/cpu-cost.ts [--scenario ws-echo] [--servers upie-fast,hyper-express,uws] [--rounds 5] [--node 24] [--reuse-pack]`
 *
 * @module
 */
import { parseArgs } from "node:util";
import { DEFAULT_ROOT, prepareRunner } from "./harness/build.js";
import { choosePinning } from "./harness/processes.js";
import { benchSettings } from "./harness/scenario.js";
import { SCENARIOS } from "./harness/scenarios/index.js";
import { ServerProcess } from "./harness/server-process.js";
import { SERVER_INFO, SERVERS, type ServerName } from "./harness/servers.js";
import { median } from "./harness/stats.js";

const { values } = parseArgs({
  options: {
    scenario: { type: "string", default: "ws-echo" },
    servers: { type: "string", default: "uws,uws-await,upie,upie-fast,hyper-express" },
    rounds: { type: "string", default: "5" },
    duration: { type: "string", default: "4" },
    node: { type: "string", default: "20" },
    root: { type: "string", default: DEFAULT_ROOT },
    "reuse-pack": { type: "boolean", default: false },
  },
});
const servers = values.servers.split(",") as ServerName[];
for (const name of servers) if (!SERVERS.includes(name)) throw new Error(`unknown server ${name} (known: ${SERVERS.join(", ")})`);
const log = (line: string) => process.stderr.write(`${line}\n`);

const runner = await prepareRunner("packed", { node: Number(values.node), root: values.root }, servers, log, { reusePacked: values["reuse-pack"] });
const settings = benchSettings({ smoke: false, runs: 1, durationS: Number(values.duration), warmupS: 2, pinning: choosePinning(true), runner });
const PER_OPERATION = new Set(["hello", "json", "params", "ws-echo"]);
if (!PER_OPERATION.has(values.scenario)) throw new Error(`--scenario is one of ${[...PER_OPERATION].join(", ")}`);
const scenario = SCENARIOS.find((candidate) => candidate.name === values.scenario)!;

/** CPU-µs per request or message: all of it, and the user-space part. */
interface Cost {
  total: number;
  user: number;
}

/** One run of `name`. */
async function measure(name: ServerName): Promise<Cost> {
  const server = await ServerProcess.start(name, runner.server(name, []), settings.pinning.server);
  try {
    const context = { name, server, settings, state: await scenario.prepare?.(server, settings, name) };
    await scenario.measure({ ...context, warmup: true, durationS: settings.warmupS });
    const sample = await scenario.measure({ ...context, warmup: false, durationS: settings.durationS });
    const perOperation = (share: number | null) => ((share ?? Number.NaN) / sample.value) * 1e6;
    return { total: perOperation(sample.serverCpu), user: perOperation(sample.serverUserCpu) };
  } finally {
    await server.stop();
  }
}

const runs = new Map<ServerName, Cost[]>(servers.map((name) => [name, []]));
for (let round = 1; round <= Number(values.rounds); round++) {
  for (const name of servers) {
    const cost = await measure(name);
    runs.get(name)!.push(cost);
    log(`round ${round}: ${name} ${cost.total.toFixed(3)} µs, user space ${cost.user.toFixed(3)} µs`);
  }
}

const middle = (name: ServerName, part: keyof Cost) => median(runs.get(name)!.map((cost) => cost[part]))!;
const first = servers[0]!;
const base = { total: middle(first, "total"), user: middle(first, "user") };
process.stdout.write(`Server CPU per operation (\`${scenario.name}\`), Node ${runner.facts.nodeVersion}, uWS ${runner.facts.uwsVersion}, packed (\`npx tsx bench/cpu-cost.ts ${process.argv.slice(2).join(" ")}\`)\n\n`);
process.stdout.write(`| server | CPU-µs per operation (median) | ÷ ${SERVER_INFO[first].label} | user-space CPU-µs | ÷ ${SERVER_INFO[first].label} | runs (all / user space) |\n|---|--:|--:|--:|--:|---|\n`);
for (const [name, costs] of runs) {
  const total = middle(name, "total");
  const user = middle(name, "user");
  const each = costs.map((cost) => `${cost.total.toFixed(2)} / ${cost.user.toFixed(2)}`).join(", ");
  process.stdout.write(`| ${SERVER_INFO[name].label} | ${total.toFixed(2)} | ${(total / base.total).toFixed(2)}× | ${user.toFixed(2)} | ${(user / base.user).toFixed(2)}× | ${each} |\n`);
}
