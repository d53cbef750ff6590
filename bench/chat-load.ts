/**
 * Chat load: the private-chat example (examples/private-chat) under many
 * users. 1000 simulated users log in over HTTP, open `/chat` with their
 * session cookie, and are paired into 500 dialogs; each user sends
 * `new-message` packets to their partner for a fixed time. The server
 * stores each message and sends it to both users' sockets.
 *
 * Two runs:
 * - `paced`: every user sends 5 messages a second (under the app's default
 *   budget of 20 packets/s per socket): latency under ordinary load.
 * - `saturated`: every user keeps 4 messages in flight (the per-socket
 *   budget lifted): the most the server delivers.
 *
 * Metric: messages delivered to the partner per second (each also goes back
 * to its sender, so the server writes twice as many frames), and the
 * latency from send to the partner's receipt (p50, p99).
 *
 * The server runs in its own process (this file with `--serve`); the load
 * generator is raw TCP with hand-written frames, so the client is cheaper
 * than the server; like bench/run.ts, the server is pinned to core 1 and the
 * generator to core 0 with `taskset` (`--no-pin` to leave them be).
 * Run: `npx tsx bench/chat-load.ts [--runs 3] [--duration 10] [--warmup 2] [--users 1000] [--rate 5] [--window 4]`.
 *
 * @module
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { scriptCommand } from "./harness/build.js";
import { maskedFrame } from "./harness/generators/frame.js";
import { ServerProcess } from "./harness/server-process.js";
import { median, percentileOfSorted } from "./harness/stats.js";
import { announce } from "./servers/shared.js";

interface Settings {
  pin: boolean;
  users: number;
  durationS: number;
  warmupS: number;
  pacedRate: number;
  window: number;
  runs: number;
}

interface RunResult extends Window {
  mode: string;
  offered: string;
  /** Every run's delivered msg/s (`delivered` is their median). */
  runs: number[];
}

const HOST = "127.0.0.1";

// ---------------------------------------------------------------------------
// Server side (child process)
// ---------------------------------------------------------------------------

async function serve(unlimited: boolean): Promise<void> {
  const { PrivateChatApp } = await import("../examples/private-chat/app.js");
  const app = new PrivateChatApp({
    loginRate: false, // a thousand logins from one address
    ...(unlimited ? { packetRate: { perSecond: 1e9, burst: 1e9 } } : {}),
  });
  const server = await app.listen({ port: 0, host: HOST });
  const started = process.cpuUsage();
  let mark = { cpu: started, at: performance.now() };
  announce(server.port);
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === "mark") {
      mark = { cpu: process.cpuUsage(), at: performance.now() };
      console.log(JSON.stringify({ ok: true }));
    } else if (line === "stats") {
      const cpu = process.cpuUsage(mark.cpu);
      const share = (cpu.user + cpu.system) / 1000 / (performance.now() - mark.at);
      console.log(JSON.stringify({ cpu: share, rssMiB: process.memoryUsage().rss / 2 ** 20 }));
    } else if (line === "quit") {
      await server.close();
      process.exit(0);
    }
  }
}

/** The chat server: this file with `--serve`, on core 1 like bench/run.ts's servers (the load generator is on core 0). */
function startServer(unlimited: boolean, pin: boolean): Promise<ServerProcess> {
  // CHAT_LOAD_NODE_OPTIONS: extra node flags for the server, e.g. "--cpu-prof" to profile it.
  const flags = (process.env.CHAT_LOAD_NODE_OPTIONS ?? "").split(" ").filter(Boolean);
  return ServerProcess.start("private chat", scriptCommand(import.meta.url, unlimited ? ["--unlimited"] : [], flags), pin ? 1 : null);
}

// ---------------------------------------------------------------------------
// Load generator: raw WebSocket frames
// ---------------------------------------------------------------------------

const PONG = maskedFrame(Buffer.alloc(0), 0xa);

/** What one measured window counts. */
class Counts {
  delivered = 0;
  errors = 0;
  lost = 0;
  readonly latencies: number[] = [];
}

/** Shared by the users: they count into the window being measured, and nowhere during the warm-up or between windows. */
class Meter {
  window: Counts | undefined;

  error(): void {
    if (this.window) this.window.errors++;
  }
}

/** One simulated user: one socket, one partner. */
class User {
  readonly name: string;
  partner!: User;
  readonly #meter: Meter;
  #socket!: net.Socket;
  #buffer: Buffer = Buffer.alloc(0);
  #out: Buffer[] = [];
  #flushScheduled = false;
  /** Sequence of the next message we send, and of the next we expect from the partner. */
  #sent = 0;
  #expected = 0;
  /** Messages sent whose delivery to the partner has not been seen yet. */
  inFlight = 0;
  /** Called when one of our messages reached the partner (closed-loop mode sends the next). */
  onDelivered: (() => void) | undefined;
  readonly #prefix: Buffer;

  constructor(name: string, meter: Meter) {
    this.name = name;
    this.#meter = meter;
    this.#prefix = Buffer.from(`{"type":"new-message","username":"`);
  }

  connect(port: number, cookie: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: HOST, port, noDelay: true });
      this.#socket = socket;
      let open = false;
      socket.once("error", (error) => (open ? this.#meter.error() : reject(error)));
      socket.on("close", () => {
        if (open) this.#meter.error();
      });
      socket.on("connect", () => {
        const key = randomBytes(16).toString("base64");
        socket.write(
          `GET /chat HTTP/1.1\r\nHost: ${HOST}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nCookie: ${cookie}\r\n\r\n`,
        );
      });
      socket.on("data", (chunk: Buffer) => {
        this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
        if (!open) {
          const end = this.#buffer.indexOf("\r\n\r\n");
          if (end < 0) return;
          const head = this.#buffer.subarray(0, end).toString("latin1");
          if (!head.startsWith("HTTP/1.1 101")) return reject(new Error(`handshake refused: ${head.split("\r\n")[0]}`));
          open = true;
          this.#buffer = this.#buffer.subarray(end + 4);
          resolve();
        }
        this.#readFrames();
      });
    });
  }

  /** Queues one `new-message` to the partner carrying our sequence number and the send time. */
  send(): void {
    const text = `${this.#sent++}:${performance.now().toFixed(3)}`;
    const payload = Buffer.concat([this.#prefix, Buffer.from(`${this.partner.name}","message":"${text}"}`)]);
    this.inFlight++;
    this.#out.push(maskedFrame(payload));
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => this.#flush());
    }
  }

  #flush(): void {
    this.#flushScheduled = false;
    const out = this.#out;
    this.#out = [];
    if (out.length === 1) this.#socket.write(out[0]!);
    else if (out.length > 1) this.#socket.write(Buffer.concat(out));
  }

  #readFrames(): void {
    let buffer = this.#buffer;
    for (;;) {
      if (buffer.length < 2) break;
      const opcode = buffer[0]! & 0x0f;
      let length = buffer[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buffer.length < 4) break;
        length = buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buffer.length < 10) break;
        length = Number(buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (buffer.length < offset + length) break;
      const payload = buffer.subarray(offset, offset + length);
      buffer = buffer.subarray(offset + length);
      if (opcode === 0x1) this.#packet(payload.toString("latin1"));
      else if (opcode === 0x9) this.#socket.write(PONG);
      else if (opcode === 0x8) this.#meter.error();
    }
    this.#buffer = buffer.length === 0 ? Buffer.alloc(0) : buffer;
  }

  /** A packet for this user: the partner's message (count it) or our own echo (ignore it). */
  #packet(text: string): void {
    if (!text.startsWith('{"type":"new-message"')) {
      if (text.includes('"type":"error"')) this.#meter.error();
      return;
    }
    const senderAt = text.indexOf('"sender_name":"') + 15;
    if (text.startsWith(this.name, senderAt) && text.charCodeAt(senderAt + this.name.length) === 34) return; // our own echo
    const start = text.indexOf('"message":"') + 11;
    const colon = text.indexOf(":", start);
    const seq = Number(text.slice(start, colon));
    const sentAt = Number(text.slice(colon + 1, text.indexOf('"', colon)));
    const counts = this.#meter.window;
    if (seq !== this.#expected && counts) counts.lost += Math.max(0, seq - this.#expected);
    this.#expected = seq + 1;
    if (counts) {
      counts.delivered++;
      counts.latencies.push(performance.now() - sentAt);
    }
    const sender = this.partner;
    sender.inFlight--;
    sender.onDelivered?.();
  }

  close(): void {
    this.#socket.destroy();
  }
}

async function loginAll(port: number, names: string[]): Promise<string[]> {
  const cookies: string[] = new Array(names.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < names.length) {
      const i = next++;
      const res = await fetch(`http://${HOST}:${port}/login`, { method: "POST", body: new URLSearchParams({ username: names[i]! }), redirect: "manual" });
      if (res.status !== 303) throw new Error(`login ${names[i]}: HTTP ${res.status}`);
      cookies[i] = res.headers.get("set-cookie")!.split(";")[0]!;
    }
  }
  await Promise.all(Array.from({ length: 32 }, worker));
  return cookies;
}

/** One measured window. */
interface Window {
  delivered: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  lost: number;
  serverCpu: number;
  generatorCpu: number;
  rssMiB: number;
}

/** Counts deliveries for `durationS` seconds while the load keeps running. */
async function measure(server: ServerProcess, meter: Meter, durationS: number): Promise<Window> {
  const counts = new Counts();
  meter.window = counts;
  await server.ask("mark");
  const started = performance.now();
  const generatorStart = process.cpuUsage();
  await sleep(durationS * 1000);
  meter.window = undefined;
  const seconds = (performance.now() - started) / 1000;
  const generatorCpu = process.cpuUsage(generatorStart);
  const stats = await server.askJson<{ cpu: number; rssMiB: number }>("stats");
  const sorted = counts.latencies.sort((a, b) => a - b);
  return {
    delivered: counts.delivered / seconds,
    p50Ms: percentileOfSorted(sorted, 50) ?? Number.NaN,
    p99Ms: percentileOfSorted(sorted, 99) ?? Number.NaN,
    errors: counts.errors,
    lost: counts.lost,
    serverCpu: stats.cpu,
    generatorCpu: (generatorCpu.user + generatorCpu.system) / 1e6 / seconds,
    rssMiB: stats.rssMiB,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function run(mode: "paced" | "saturated", settings: Settings): Promise<RunResult> {
  const server = await startServer(mode === "saturated", settings.pin);
  const port = server.port;
  const meter = new Meter();
  const users: User[] = [];
  try {
    const names = Array.from({ length: settings.users }, (_, i) => `u${i}`);
    const cookies = await loginAll(port, names);
    for (const name of names) users.push(new User(name, meter));
    for (let i = 0; i < users.length; i += 2) {
      users[i]!.partner = users[i + 1]!;
      users[i + 1]!.partner = users[i]!;
    }
    for (let i = 0; i < users.length; i += 100) {
      await Promise.all(users.slice(i, i + 100).map((user, j) => user.connect(port, cookies[i + j]!)));
    }

    let stopped = false;
    let ticker: NodeJS.Timeout | undefined;
    if (mode === "saturated") {
      for (const user of users) {
        user.onDelivered = () => {
          if (!stopped) user.send();
        };
        for (let k = 0; k < settings.window; k++) user.send();
      }
    } else {
      // Every 20 ms each user earns rate × 20 ms of messages; phases are spread so sends don't come in waves.
      const credit = users.map((_, i) => (i / users.length) % 1);
      let last = performance.now();
      ticker = setInterval(() => {
        const now = performance.now();
        const earned = (settings.pacedRate * (now - last)) / 1000;
        last = now;
        for (let i = 0; i < users.length; i++) {
          credit[i]! += earned;
          while (credit[i]! >= 1) {
            credit[i]! -= 1;
            users[i]!.send();
          }
        }
      }, 20);
    }

    await sleep(settings.warmupS * 1000);
    const windows: Window[] = [];
    for (let run = 0; run < settings.runs; run++) windows.push(await measure(server, meter, settings.durationS));
    stopped = true;
    clearInterval(ticker);
    // Let what is in flight arrive, then count what never did.
    for (let waited = 0; waited < 5000 && users.some((u) => u.inFlight > 0); waited += 50) await sleep(50);
    const undelivered = users.reduce((sum, u) => sum + u.inFlight, 0);
    const middle = (pick: (w: Window) => number) => median(windows.map(pick)) ?? Number.NaN;
    return {
      mode,
      offered: mode === "paced" ? `${settings.pacedRate}/s per user` : `${settings.window} in flight per user`,
      delivered: middle((w) => w.delivered),
      runs: windows.map((w) => w.delivered),
      p50Ms: middle((w) => w.p50Ms),
      p99Ms: middle((w) => w.p99Ms),
      errors: windows.reduce((sum, w) => sum + w.errors, 0),
      lost: windows.reduce((sum, w) => sum + w.lost, 0) + undelivered,
      serverCpu: middle((w) => w.serverCpu),
      generatorCpu: middle((w) => w.generatorCpu),
      rssMiB: Math.max(...windows.map((w) => w.rssMiB)),
    };
  } finally {
    for (const user of users) user.close();
    await server.stop();
  }
}

/** Pins this process (the load generator) to core 0; false when taskset is missing or there is one core. */
function pinSelf(): boolean {
  if (os.cpus().length < 2) return false;
  try {
    execFileSync("taskset", ["-pc", "0", String(process.pid)], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} takes a positive number`);
  return value;
}

/** The version in a package.json, relative to this file (`../package.json` is upie's). */
function versionOf(path: string): string {
  try {
    return (JSON.parse(readFileSync(new URL(path, import.meta.url), "utf8")) as { version: string }).version;
  } catch {
    return "?";
  }
}

async function main(): Promise<void> {
  const settings: Settings = {
    pin: !process.argv.includes("--no-pin") && pinSelf(),
    users: option("users", 1000),
    durationS: option("duration", 10),
    warmupS: option("warmup", 2),
    pacedRate: option("rate", 5),
    window: option("window", 4),
    runs: option("runs", 3),
  };
  if (settings.users % 2 !== 0) throw new Error("--users must be even (users are paired into dialogs)");
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  console.log(`# Chat load — ${new Date().toISOString()}`);
  console.log(`machine: ${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB; ${os.type()} ${os.release()}; load average ${os.loadavg()[0]!.toFixed(2)} at start`);
  console.log(`node ${process.version}; upie ${versionOf("../package.json")}; uWebSockets.js ${versionOf("../node_modules/uWebSockets.js/package.json")}`);
  console.log(
    `settings: ${settings.users} users in ${settings.users / 2} dialogs, ${settings.runs} runs × ${settings.durationS} s after ${settings.warmupS} s warm-up (medians; rows of one mode share a server and its connections); ` +
      `server and load generator in separate processes, ${settings.pin ? "pinned to cores 1 and 0 (taskset)" : "unpinned"}`,
  );
  console.log("");
  console.log("| run | offered load | delivered msg/s | frames out/s | p50 ms | p99 ms | errors | lost | server CPU | generator CPU | server RSS | runs (msg/s) |");
  console.log("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
  for (const mode of ["paced", "saturated"] as const) {
    const r = await run(mode, settings);
    console.log(
      `| ${r.mode} | ${r.offered} | ${Math.round(r.delivered).toLocaleString("en-US")} | ${Math.round(r.delivered * 2).toLocaleString("en-US")} | ` +
        `${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${r.errors} | ${r.lost} | ${Math.round(r.serverCpu * 100)}% | ${Math.round(r.generatorCpu * 100)}% | ${Math.round(r.rssMiB)} MiB | ${r.runs.map((v) => Math.round(v).toLocaleString("en-US")).join(", ")} |`,
    );
  }
}

if (process.argv.includes("--serve")) await serve(process.argv.includes("--unlimited"));
else await main();
