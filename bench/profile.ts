/**
 * Profiles upie (the same build and runtime `npm run bench` measures) under
 * one scenario's load and prints where the time or the bytes go, as markdown.
 *
 *   npx tsx bench/profile.ts cpu hello            --cpu-prof under wrk; self time by function and by area
 *   npx tsx bench/profile.ts cpu ws-echo --node 24
 *   npx tsx bench/profile.ts heap ws-idle         heap snapshots before/after N idle WebSockets; bytes per connection by constructor, and their retainers
 *   npx tsx bench/profile.ts alloc ws-idle        V8's sampling heap profiler over N handshakes, garbage included; bytes allocated per connection by function
 *
 * Options: --node 20|22|24, --root DIR, --runner packed|bundle|tsx (as bench/run.ts),
 * --server upie|uws (default upie), --duration S (cpu, default 10), --connections N (heap and alloc, default 5000),
 * --reuse (use the package already installed in bench/output/packed/ instead of packing again),
 * --node-flags "..." (more flags for the server's node; `alloc` with `--node-flags=--no-turbo-inlining`
 * charges each allocation to the function that made it, not to the one it was inlined into).
 * Profiles and snapshots are kept in bench/output/profiles/.
 *
 * Run: `npx tsx bench/profile.ts cpu hello`.
 *
 * @module
 */
import { mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { DEFAULT_ROOT, prepareRunner, type RunnerKind } from "./harness/build.js";
import { wsLoad } from "./harness/load.js";
import { choosePinning } from "./harness/processes.js";
import { benchSettings, sleep } from "./harness/scenario.js";
import { SERVERS, type ServerName } from "./harness/servers.js";
import { SCENARIOS } from "./harness/scenarios/index.js";
import { ServerProcess } from "./harness/server-process.js";

const repoDir = fileURLToPath(new URL("..", import.meta.url));
const profilesDir = fileURLToPath(new URL("./output/profiles/", import.meta.url));
const log = (line: string) => process.stderr.write(`${line}\n`);

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    node: { type: "string", default: "20" },
    root: { type: "string", default: DEFAULT_ROOT },
    runner: { type: "string", default: "packed" },
    server: { type: "string", default: "upie" },
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "5000" },
    reuse: { type: "boolean", default: false },
    "node-flags": { type: "string", default: "" },
  },
});
const [kind, scenarioName] = positionals;
if ((kind !== "cpu" && kind !== "heap" && kind !== "alloc") || scenarioName === undefined) {
  throw new Error("usage: bench/profile.ts cpu <scenario> | heap ws-idle | alloc ws-idle [--node 24] [--server upie|uws]");
}
const server = values.server as ServerName;
if (!SERVERS.includes(server)) throw new Error(`unknown server ${server}`);
const node = Number(values.node);
const extraFlags = values["node-flags"].split(" ").filter((flag) => flag !== "");
const scenario = SCENARIOS.find((s) => s.name === scenarioName);
if (scenario === undefined) throw new Error(`unknown scenario ${scenarioName}`);

mkdirSync(profilesDir, { recursive: true });
const runner = await prepareRunner(values.runner as RunnerKind, { node, root: values.root }, [server], log, { reusePacked: values.reuse });
const settings = benchSettings({
  smoke: false,
  runs: 1,
  durationS: Number(values.duration),
  warmupS: 3,
  pinning: choosePinning(true),
  runner,
});
const label = `${server}-${scenario.name}-node${node}-${runner.kind}`;
log(`${label}: Node ${runner.facts.nodeVersion}, uWS ${runner.facts.uwsVersion} (${runner.facts.uwsPackage}), upie ${runner.facts.upie}`);
process.stdout.write(`#### ${{ cpu: "CPU profile", heap: "Heap snapshots", alloc: "Allocation sampling" }[kind]}: ${server}, \`${scenario.name}\`, Node ${runner.facts.nodeVersion}, uWS ${runner.facts.uwsVersion}, ${runner.kind}\n\n`);


/** Files in the profiles folder that appeared since `before`. */
function newFiles(before: Set<string>, suffix: string): string[] {
  return readdirSync(profilesDir).filter((f) => f.endsWith(suffix) && !before.has(f));
}

/** Waits until a new file with `suffix` exists and its size stopped changing. */
async function waitForFile(before: Set<string>, suffix: string, timeoutMs = 120_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  while (Date.now() < deadline) {
    const [file] = newFiles(before, suffix);
    if (file !== undefined) {
      const size = statSync(`${profilesDir}${file}`).size;
      if (size > 0 && size === last) return `${profilesDir}${file}`;
      last = size;
    }
    await sleep(500);
  }
  throw new Error(`no ${suffix} file appeared in ${profilesDir}`);
}

async function cpuProfile(): Promise<void> {
  const before = new Set(readdirSync(profilesDir));
  const flags = ["--cpu-prof", `--cpu-prof-dir=${profilesDir}`, `--cpu-prof-name=${label}-${Date.now()}.cpuprofile`];
  const proc = await ServerProcess.start(server, runner.server(server, [...flags, ...extraFlags]), settings.pinning.server);
  try {
    const state = await scenario!.prepare?.(proc, settings, server);
    const context = { name: server, server: proc, settings, state };
    await scenario!.measure({ ...context, warmup: true, durationS: settings.warmupS });
    const sample = await scenario!.measure({ ...context, warmup: false, durationS: settings.durationS });
    process.stdout.write(`Under load: ${Math.round(sample.value).toLocaleString("en-US")} ${scenario!.metric.unit}, server CPU ${Math.round((sample.serverCpu ?? 0) * 100)}%.\n\n`);
  } finally {
    await proc.stop(); // SIGTERM → process.exit → the profile is written
  }
  const file = await waitForFile(before, ".cpuprofile");
  process.stdout.write(`${summarizeCpuProfile(JSON.parse(readFileSync(file, "utf8")) as CpuProfile)}\nProfile: \`${file.startsWith(repoDir) ? file.slice(repoDir.length) : file}\`\n`);
}

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] }>;
  samples: number[];
}

/** Which part of the stack a frame belongs to. */
function area(url: string, name: string): string {
  if (url === "") return name.startsWith("(") ? name : "V8 builtins / native (uWS calls included)";
  if (url.includes("/node_modules/upie/") || url.startsWith(`file://${repoDir}lib/`)) return "upie";
  if (url.startsWith("node:")) return "Node internals (node:*)";
  if (/servers\//.test(url)) return "the bench server file";
  return "other packages";
}

const shortUrl = (url: string) => url.replace(/^.*\/node_modules\/upie\/dist\//, "upie/").replace(/^file:\/\/.*\/(lib|bench)\//, "$1/").replace(/^.*\/node_modules\//, "");

function summarizeCpuProfile(profile: CpuProfile): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const total = profile.samples.length;
  const hits = new Map<number, number>();
  for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  const idle = profile.nodes.filter((n) => n.callFrame.functionName === "(idle)").reduce((sum, n) => sum + (hits.get(n.id) ?? 0), 0);
  const busy = Math.max(1, total - idle);
  const key = (n: CpuProfile["nodes"][number]) =>
    `${n.callFrame.functionName || "(anonymous)"}${n.callFrame.url ? ` ${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}` : ""}`;

  const self = new Map<string, number>();
  const areas = new Map<string, number>();
  for (const n of profile.nodes) {
    const h = hits.get(n.id) ?? 0;
    if (h === 0 || n.callFrame.functionName === "(idle)") continue;
    self.set(key(n), (self.get(key(n)) ?? 0) + h);
    const a = area(n.callFrame.url, n.callFrame.functionName);
    areas.set(a, (areas.get(a) ?? 0) + h);
  }
  // Inclusive time of upie's functions (a frame counted once per stack it is on).
  const inclusive = new Map<string, number>();
  const walk = (id: number, onStack: Set<string>): number => {
    const n = byId.get(id)!;
    let sum = n.callFrame.functionName === "(idle)" ? 0 : hits.get(id) ?? 0;
    const k = key(n);
    const fresh = !onStack.has(k);
    if (fresh) onStack.add(k);
    for (const child of n.children ?? []) sum += walk(child, onStack);
    if (fresh) {
      onStack.delete(k);
      if (area(n.callFrame.url, n.callFrame.functionName) === "upie") inclusive.set(k, (inclusive.get(k) ?? 0) + sum);
    }
    return sum;
  };
  walk(profile.nodes[0]!.id, new Set());

  const pct = (h: number) => `${((h / busy) * 100).toFixed(1)}%`;
  const lines = [`${busy.toLocaleString("en-US")} busy samples (idle ${((idle / Math.max(1, total)) * 100).toFixed(0)}% of ${total.toLocaleString("en-US")}); shares are of busy samples.`, ""];
  lines.push("| area | self |", "|---|--:|");
  for (const [a, h] of [...areas].sort((x, y) => y[1] - x[1])) lines.push(`| ${a} | ${pct(h)} |`);
  lines.push("", "| function (self time) | self |", "|---|--:|");
  for (const [k, h] of [...self].sort((x, y) => y[1] - x[1]).slice(0, 20)) lines.push(`| \`${k}\` | ${pct(h)} |`);
  lines.push("", "| upie function (inclusive: itself and what it calls) | total |", "|---|--:|");
  for (const [k, h] of [...inclusive].sort((x, y) => y[1] - x[1]).slice(0, 15)) lines.push(`| \`${k}\` | ${pct(h)} |`);
  return `${lines.join("\n")}\n`;
}

async function heapProfile(connections: number): Promise<void> {
  const flags = ["--heapsnapshot-signal=SIGWINCH", `--diagnostic-dir=${profilesDir}`];
  const proc = await ServerProcess.start(server, runner.server(server, [...flags, ...extraFlags]), settings.pinning.server);
  const snapshot = async () => {
    const before = new Set(readdirSync(profilesDir));
    process.kill(proc.pid, "SIGWINCH");
    return waitForFile(before, ".heapsnapshot");
  };
  let files: [string, string] | undefined;
  let held = 0;
  try {
    const context = { name: server, server: proc, settings, state: undefined, durationS: 1 };
    await wsLoad({ ...context, warmup: true }, { mode: "idle", connections: 100 }, async () => {});
    await sleep(500);
    const first = await snapshot();
    const { ws } = await wsLoad({ ...context, warmup: false }, { mode: "idle", connections, concurrency: 100 }, async (opened) => {
      held = opened;
      await sleep(1_000);
      files = [first, await snapshot()];
    });
    held = ws.count || held;
  } finally {
    await proc.stop();
  }
  if (files === undefined) throw new Error("the second snapshot was not taken");
  process.stdout.write(
    `${held.toLocaleString("en-US")} idle connections held. Both snapshots are taken after a full GC, so they show what stays live ` +
      `(RSS is the bench's \`ws-idle\` scenario's job: a snapshot itself grows RSS).\n\n${diffSnapshots(readSnapshot(files[0]), readSnapshot(files[1]), held)}\n` +
      `Snapshots: \`${files[0].slice(files[0].indexOf("bench/"))}\`, \`${files[1].slice(files[1].indexOf("bench/"))}\`\n`,
  );
}

/**
 * Every byte the server allocates while N idle WebSockets connect, freed or
 * not, by the function that allocated it: the handshake's garbage sizes the
 * young generation, whose pages an idle server keeps in its RSS.
 */
async function allocProfile(connections: number): Promise<void> {
  const sampler = fileURLToPath(new URL("./profiling/alloc-sampler.mjs", import.meta.url));
  const proc = await ServerProcess.start(server, runner.server(server, ["--import", sampler, `--diagnostic-dir=${profilesDir}`, ...extraFlags]), settings.pinning.server);
  let file: string | undefined;
  let held = 0;
  try {
    const context = { name: server, server: proc, settings, state: undefined, durationS: 1 };
    // Warm up first: the JIT's own allocations are not a handshake's.
    await wsLoad({ ...context, warmup: true }, { mode: "idle", connections: 500, concurrency: 100 }, async () => {});
    await sleep(500);
    const before = new Set(readdirSync(profilesDir));
    process.kill(proc.pid, "SIGWINCH");
    await sleep(200);
    const { ws } = await wsLoad({ ...context, warmup: false }, { mode: "idle", connections, concurrency: 100 }, async (opened) => {
      held = opened;
      await sleep(500);
      process.kill(proc.pid, "SIGWINCH");
      file = await waitForFile(before, ".heapprofile");
    });
    held = ws.count || held;
  } finally {
    await proc.stop();
  }
  if (file === undefined) throw new Error("no allocation profile was written");
  if (held === 0) throw new Error(`no WebSocket connected to ${server}`);
  process.stdout.write(`${held.toLocaleString("en-US")} connections opened while sampling (every 128 B, objects the GC freed included).\n\n${summarizeAllocations(JSON.parse(readFileSync(file, "utf8")) as AllocationProfile, held)}\nProfile: \`${file.slice(file.indexOf("bench/"))}\`\n`);
}

interface AllocationNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: AllocationNode[];
}
interface AllocationProfile {
  head: AllocationNode;
}

function summarizeAllocations(profile: AllocationProfile, held: number): string {
  const self = new Map<string, number>();
  const areas = new Map<string, number>();
  let total = 0;
  const walk = (node: AllocationNode): void => {
    const { functionName, url, lineNumber } = node.callFrame;
    if (node.selfSize > 0) {
      const k = `${functionName || "(anonymous)"}${url ? ` ${shortUrl(url)}:${lineNumber + 1}` : ""}`;
      self.set(k, (self.get(k) ?? 0) + node.selfSize);
      const a = area(url, functionName);
      areas.set(a, (areas.get(a) ?? 0) + node.selfSize);
      total += node.selfSize;
    }
    for (const child of node.children) walk(child);
  };
  walk(profile.head);
  const per = (bytes: number) => Math.round(bytes / held).toLocaleString("en-US");
  const lines = [`Allocated: ${per(total)} B per connection (sampled estimate).`, "", "| area | B per connection |", "|---|--:|"];
  for (const [a, b] of [...areas].sort((x, y) => y[1] - x[1])) lines.push(`| ${a} | ${per(b)} |`);
  lines.push("", "| function (allocating itself) | B per connection |", "|---|--:|");
  for (const [k, b] of [...self].sort((x, y) => y[1] - x[1]).slice(0, 25)) lines.push(`| \`${k}\` | ${per(b)} |`);
  return `${lines.join("\n")}\n`;
}

interface Snapshot {
  keys: string[];
  self: number[];
  /** For each node: the keys of the nodes that reference it (strong edges), with the edge name. */
  retainers: (index: number) => string[];
}

/** Groups a node as "type: constructor / function name"; strings and code are one group each. */
function groupOf(type: string, name: string): string {
  if (type.includes("string")) return "(strings)";
  if (type === "code") return "(compiled code)";
  if (type === "number") return "(heap numbers)";
  if (type === "closure") return `closure ${name || "(anonymous)"}`;
  if (type === "object") return name.length > 60 ? `${name.slice(0, 57)}…` : name;
  return `(${type}) ${name.length > 40 ? `${name.slice(0, 37)}…` : name}`;
}

function readSnapshot(file: string): Snapshot {
  const json = JSON.parse(readFileSync(file, "utf8")) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } };
    nodes: number[];
    edges: number[];
    strings: string[];
  };
  const { node_fields: nf, node_types: nt, edge_fields: ef, edge_types: et } = json.snapshot.meta;
  const width = nf.length;
  const [typeAt, nameAt, selfAt, edgesAt] = ["type", "name", "self_size", "edge_count"].map((f) => nf.indexOf(f));
  const edgeWidth = ef.length;
  const [edgeTypeAt, edgeNameAt, toAt] = ["type", "name_or_index", "to_node"].map((f) => ef.indexOf(f));
  const count = json.nodes.length / width;
  const keys: string[] = new Array(count);
  const self: number[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const type = nt[0][json.nodes[i * width + typeAt!]!]!;
    keys[i] = groupOf(type, json.strings[json.nodes[i * width + nameAt!]!] ?? "");
    self[i] = json.nodes[i * width + selfAt!]!;
  }
  const parents: Array<string[] | undefined> = new Array(count);
  let edge = 0;
  for (let i = 0; i < count; i++) {
    const edges = json.nodes[i * width + edgesAt!]!;
    for (let e = 0; e < edges; e++, edge++) {
      const edgeType = et[0][json.edges[edge * edgeWidth + edgeTypeAt!]!];
      if (edgeType === "weak" || edgeType === "shortcut") continue;
      const to = json.edges[edge * edgeWidth + toAt!]! / width;
      const rawName = json.edges[edge * edgeWidth + edgeNameAt!]!;
      const name = edgeType === "element" || edgeType === "hidden" ? `[${edgeType}]` : json.strings[rawName] ?? "?";
      (parents[to] ??= []).push(`${keys[i]}.${name}`);
    }
  }
  return { keys, self, retainers: (index) => parents[index] ?? [] };
}

function totals(snapshot: Snapshot): Map<string, { count: number; bytes: number }> {
  const map = new Map<string, { count: number; bytes: number }>();
  snapshot.keys.forEach((k, i) => {
    const entry = map.get(k) ?? { count: 0, bytes: 0 };
    entry.count++;
    entry.bytes += snapshot.self[i]!;
    map.set(k, entry);
  });
  return map;
}

function diffSnapshots(before: Snapshot, after: Snapshot, held: number): string {
  const a = totals(before);
  const b = totals(after);
  const rows = [...b].map(([k, v]) => {
    const old = a.get(k) ?? { count: 0, bytes: 0 };
    return { key: k, count: v.count - old.count, bytes: v.bytes - old.bytes };
  });
  const grown = rows.filter((r) => r.bytes > 0).sort((x, y) => y.bytes - x.bytes);
  const totalBytes = rows.reduce((sum, r) => sum + r.bytes, 0);
  const lines = [
    `JS heap growth: ${((totalBytes / held) / 1024).toFixed(2)} KB per connection (${(totalBytes / 2 ** 20).toFixed(1)} MiB for ${held.toLocaleString("en-US")}).`,
    "",
    "| what (constructor, closure or kind) | objects per connection | bytes per connection |",
    "|---|--:|--:|",
  ];
  for (const r of grown.slice(0, 20)) lines.push(`| \`${r.key.replace(/\|/g, "\\|")}\` | ${(r.count / held).toFixed(2)} | ${Math.round(r.bytes / held)} |`);
  // Who holds the biggest groups: the most common referrer of each one's new instances.
  const top = new Set(grown.slice(0, 8).map((r) => r.key));
  const referrers = new Map<string, Map<string, number>>();
  after.keys.forEach((k, i) => {
    if (!top.has(k)) return;
    const by = referrers.get(k) ?? new Map<string, number>();
    for (const parent of after.retainers(i)) by.set(parent, (by.get(parent) ?? 0) + 1);
    referrers.set(k, by);
  });
  lines.push("", "Held by (the most common references to the biggest groups, counted over all their instances):", "");
  for (const k of top) {
    const by = [...(referrers.get(k) ?? [])].sort((x, y) => y[1] - x[1]).slice(0, 4);
    lines.push(`- \`${k}\` ← ${by.map(([p, n]) => `\`${p}\` ×${n.toLocaleString("en-US")}`).join(", ") || "–"}`);
  }
  return `${lines.join("\n")}\n`;
}

// Last: the helpers above are initialised by now.
if (kind === "cpu") await cpuProfile();
else if (kind === "heap") await heapProfile(Number(values.connections));
else await allocProfile(Number(values.connections));
process.exit(0);
