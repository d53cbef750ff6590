/**
 * Child processes of the harness: spawned pinned to a core (taskset), tracked,
 * and always killed when the harness ends (normally, on Ctrl-C, or on a crash),
 * plus the /proc readings (RSS, peak RSS, CPU time) the tables report.
 *
 * @module
 */
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";

const children = new Set<ChildProcess>();

function killAll(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
  children.clear();
}

process.on("exit", killAll);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}
process.on("uncaughtException", (error) => {
  killAll();
  console.error(error);
  process.exit(1);
});

/** Which cores the server and the load generator run on (null: not pinned). */
export interface Pinning {
  server: number | null;
  generator: number | null;
}

/** Server on core 1, generator on core 0, when there are two cores and taskset works. */
export function choosePinning(enabled: boolean): Pinning {
  if (!enabled || os.availableParallelism() < 2) return { server: null, generator: null };
  try {
    execFileSync("taskset", ["-c", "0", "true"], { stdio: "ignore" });
    return { server: 1, generator: 0 };
  } catch {
    return { server: null, generator: null };
  }
}

/**
 * Raises the soft open-files limit to the hard one (10,000 idle connections
 * need more than the common 1024), then execs the command: the pid stays the
 * command's own, through `sh`, `taskset` and the command itself.
 */
const RAISE_FILE_LIMIT = 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"';

/** Spawns `command` on `core` (if any); the child is killed when the harness exits. */
export function spawnOnCore(core: number | null, command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
  const pinned = core === null ? [command, ...args] : ["taskset", "-c", String(core), command, ...args];
  const child = spawn("sh", ["-c", RAISE_FILE_LIMIT, "sh", ...pinned], { stdio: ["pipe", "pipe", "pipe"], ...options });
  children.add(child);
  child.on("exit", () => children.delete(child));
  return child;
}

/** Sends SIGTERM, then SIGKILL if the child has not exited within `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 2_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

let clockTicks: number | undefined;

function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** User + system CPU seconds of a live process (all its threads), or null once it is gone. */
export function cpuSeconds(pid: number): number | null {
  const times = cpuTimes(pid);
  return times === null ? null : times.user + times.system;
}

/**
 * A live process's CPU seconds (all its threads), split: `user` is its own
 * code (for a server, the framework, V8 and uWS), `system` the kernel's work
 * on its behalf (for a server, mostly loopback TCP). Null once it is gone.
 */
export function cpuTimes(pid: number): { user: number; system: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { user: Number(fields[11]) / ticksPerSecond(), system: Number(fields[12]) / ticksPerSecond() };
  } catch {
    return null;
  }
}

/** Resident set size and its peak (VmRSS, VmHWM) in MiB, or null once the process is gone. */
export function memoryMiB(pid: number): { rss: number; peak: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "latin1");
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
    return { rss: kib("VmRSS") / 1024, peak: kib("VmHWM") / 1024 };
  } catch {
    return null;
  }
}

/** Busy and total jiffies of each core, from /proc/stat. */
function coreTimes(): Map<number, { busy: number; total: number }> {
  const times = new Map<number, { busy: number; total: number }>();
  try {
    for (const line of readFileSync("/proc/stat", "latin1").split("\n")) {
      const match = /^cpu(\d+) (.*)$/.exec(line);
      if (match === null) continue;
      // user nice system idle iowait irq softirq steal …: idle and iowait are not busy.
      const values = match[2]!.trim().split(/\s+/).slice(0, 8).map(Number);
      const total = values.reduce((sum, v) => sum + v, 0);
      times.set(Number(match[1]), { busy: total - values[3]! - values[4]!, total });
    }
  } catch {
    // Not Linux: no core readings.
  }
  return times;
}

/**
 * Loopback packets dropped by the kernel (per-CPU backlog full, softnet_stat's
 * second column) and TCP segments retransmitted, machine-wide. A drop on
 * loopback costs a 200 ms retransmit timeout, so a run with drops is flagged.
 */
function networkCounters(): { drops: number; retransmits: number } {
  let drops = 0;
  let retransmits = 0;
  try {
    for (const line of readFileSync("/proc/net/softnet_stat", "latin1").trim().split("\n")) {
      drops += Number.parseInt(line.split(" ")[1] ?? "0", 16);
    }
    const tcp = readFileSync("/proc/net/snmp", "latin1").split("\n").filter((l) => l.startsWith("Tcp:"));
    const names = tcp[0]?.split(" ") ?? [];
    const values = tcp[1]?.split(" ") ?? [];
    retransmits = Number(values[names.indexOf("RetransSegs")] ?? 0);
  } catch {
    // Not Linux: no counters.
  }
  return { drops, retransmits };
}

/** CPU use (0..1 of one core) and the highest RSS seen, sampled while a load runs. */
export interface MeterReading {
  /** The server process's user + system time (softirq work of the network stack is not in it). */
  serverCpu: number | null;
  /** The part of serverCpu spent in user space: what frameworks differ in, without the kernel's TCP work they share. */
  serverUserCpu: number | null;
  generatorCpu: number | null;
  /** How busy the server's and the generator's cores were, whoever used them (includes softirq). */
  serverCore: number | null;
  generatorCore: number | null;
  /** Packets the kernel dropped and TCP segments retransmitted during the window (machine-wide). */
  packetDrops: number;
  retransmits: number;
  /** Highest server VmRSS sampled during the window, MiB. */
  rssMiB: number | null;
}

/** A process's CPU seconds at its first and latest samples, and when they were taken. */
interface CpuSpan {
  t0: number;
  cpu0: number;
  t1: number;
  cpu1: number;
}

/**
 * Samples the server and the generator every `intervalMs` between `start()` and
 * `stop()`. The generator may exit before `stop()` (wrk does): its CPU share is
 * taken over the span it was seen alive.
 */
export class Meter {
  readonly #serverPid: number;
  readonly #cores: Pinning;
  #coresAtStart = new Map<number, { busy: number; total: number }>();
  #networkAtStart = { drops: 0, retransmits: 0 };
  #generatorPid = 0;
  #timer: NodeJS.Timeout | undefined;
  #server: CpuSpan | undefined;
  #serverUser: CpuSpan | undefined;
  #generator: CpuSpan | undefined;
  #rss: number | null = null;

  constructor(serverPid: number, cores: Pinning, readonly intervalMs = 200) {
    this.#serverPid = serverPid;
    this.#cores = cores;
  }

  /** Starts sampling; call again when the generator's pid becomes known. */
  start(generatorPid: number): void {
    this.#generatorPid = generatorPid;
    this.#server = undefined;
    this.#serverUser = undefined;
    this.#generator = undefined;
    this.#rss = null;
    this.#coresAtStart = coreTimes();
    this.#networkAtStart = networkCounters();
    this.#sample();
    clearInterval(this.#timer);
    this.#timer = setInterval(() => this.#sample(), this.intervalMs);
  }

  stop(): MeterReading {
    this.#sample();
    clearInterval(this.#timer);
    this.#timer = undefined;
    const share = (span: CpuSpan | undefined) =>
      span === undefined || span.t1 - span.t0 < 0.05 ? null : (span.cpu1 - span.cpu0) / (span.t1 - span.t0);
    const coresNow = coreTimes();
    const network = networkCounters();
    const busy = (core: number | null) => {
      const a = core === null ? undefined : this.#coresAtStart.get(core);
      const b = core === null ? undefined : coresNow.get(core);
      return a === undefined || b === undefined || b.total === a.total ? null : (b.busy - a.busy) / (b.total - a.total);
    };
    return {
      serverCpu: share(this.#server),
      serverUserCpu: share(this.#serverUser),
      generatorCpu: share(this.#generator),
      serverCore: busy(this.#cores.server),
      generatorCore: busy(this.#cores.generator),
      packetDrops: network.drops - this.#networkAtStart.drops,
      retransmits: network.retransmits - this.#networkAtStart.retransmits,
      rssMiB: this.#rss,
    };
  }

  #sample(): void {
    const now = performance.now() / 1000;
    const server = cpuTimes(this.#serverPid);
    if (server !== null) {
      this.#server = extend(this.#server, now, server.user + server.system);
      this.#serverUser = extend(this.#serverUser, now, server.user);
    }
    const generatorCpu = this.#generatorPid > 0 ? cpuSeconds(this.#generatorPid) : null;
    if (generatorCpu !== null) this.#generator = extend(this.#generator, now, generatorCpu);
    const memory = memoryMiB(this.#serverPid);
    if (memory !== null && (this.#rss === null || memory.rss > this.#rss)) this.#rss = memory.rss;
  }
}

/** A CPU reading span from its first sample to `now`'s. */
function extend(span: CpuSpan | undefined, now: number, cpu: number): CpuSpan {
  if (span === undefined) return { t0: now, cpu0: cpu, t1: now, cpu1: cpu };
  span.t1 = now;
  span.cpu1 = cpu;
  return span;
}
