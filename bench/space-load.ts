/**
 * Space load: the space example (examples/space) with 500 bots in one
 * space, each sending 5 actions a second for 20 s: 70% moves, 30% the bots'
 * wider mix (chat, statuses, emotes, speaking, profile fields, rings,
 * whispers, follows, focus; `botAction` in examples/space/bots.ts). The
 * server batches each tick's events (20 Hz) into one frame per map and
 * publishes it to every player on the map, so every bot receives every
 * bot's events.
 *
 * Measured: the server's tick duration (p50, p99; the time to flush every
 * connection's own events and encode and publish each map's batch), events
 * delivered per second (events published × players on the map, counted by
 * the server; checked against what the bots receive), the move round trip
 * (a bot's move → its `transactionStatus`, which waits up to one tick: the
 * server answers in the next batch), and the server's CPU and RSS.
 *
 * The server runs in its own process (this file with `--serve`), pinned to
 * core 1 with `taskset` (`--no-pin` to leave it be); the bots are raw `ws`
 * sockets that send protobuf actions and count frames; ten of them decode
 * every batch (events received, move latency).
 * Run: `npx tsx bench/space-load.ts [--bots 500] [--rate 5] [--mix 0.3] [--duration 20] [--warmup 3] [--no-pin]`
 * (`--mix 0`: moves only, as before issue 23).
 *
 * @module
 */
import os from "node:os";
import { createInterface } from "node:readline";

import WebSocket from "ws";

import { botAction } from "../examples/space/bots.js";
import { actionArgs, actionSpecs } from "../examples/space/client/actions.js";
import { decodeBatch, encodeAction, loadSchema } from "../examples/space/schema.js";
import { scriptCommand } from "./harness/build.js";
import { ServerProcess } from "./harness/server-process.js";
import { percentile } from "./harness/stats.js";
import { announce } from "./servers/shared.js";

const HOST = "127.0.0.1";
const KEY = "bench-key";

interface ServerStats {
  tickMs: number[];
  ticks: number;
  eventsDelivered: number;
  actions: number;
  cpuMicros: number;
  rss: number;
}

// ---- server side (child process) -------------------------------------------------

async function serve(): Promise<void> {
  const { SpaceApp } = await import("../examples/space/app.js");
  // Bots move at 5/s; the default budget (20/s) is not what is measured here.
  const app = new SpaceApp({ apiKeys: { [KEY]: "Bot" }, actionRate: { perSecond: 100, burst: 200 } });
  const server = await app.listen({ port: 0, host: HOST });
  announce(server.port);
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === "reset") {
      const s = app.hub.stats;
      s.tickMs.length = 0;
      s.ticks = s.eventsDelivered = s.actions = 0;
      console.log(JSON.stringify({ ok: true }));
    } else if (line === "stats") {
      const { user, system } = process.cpuUsage();
      console.log(JSON.stringify({ ...app.hub.stats, cpuMicros: user + system, rss: process.memoryUsage().rss }));
    } else if (line === "stop") {
      await server.close();
      process.exit(0);
    }
  }
}

// ---- the bots ----------------------------------------------------------------------

const schema = loadSchema();
const specs = new Map(actionSpecs(schema).map((spec) => [spec.name, spec]));

interface Bot {
  ws: WebSocket;
  frames: number;
  bytes: number;
  events: number;
  encId: number;
  id: string;
  /** txn → when the move was sent (observers only). */
  pending: Map<number, number>;
  latencies: number[];
}

function startBot(url: string, observer: boolean): Promise<Bot> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const bot: Bot = { ws, frames: 0, bytes: 0, events: 0, encId: 0, id: "", pending: new Map(), latencies: [] };
    ws.binaryType = "nodebuffer";
    ws.on("open", () => ws.send(encodeAction(schema, { txnId: 1, init: { spaceId: "bench/Load", apiKey: KEY } })));
    ws.on("message", (data: Buffer) => {
      bot.frames++;
      bot.bytes += data.length;
      if (!observer && bot.encId !== 0) return;
      const batch = decodeBatch(schema, new Uint8Array(data));
      if (observer) bot.events += batch.events.length;
      for (const e of batch.events) {
        if (e.event === "ready") {
          bot.encId = e.ready.encId;
          bot.id = e.ready.id;
          resolve(bot);
        } else if (observer && e.event === "transactionStatus") {
          const sent = bot.pending.get(e.transactionStatus.txnId);
          if (sent !== undefined) bot.latencies.push(performance.now() - sent);
          bot.pending.delete(e.transactionStatus.txnId);
        }
      }
    });
    ws.on("error", reject);
  });
}

/** A percentile of the values, NaN when there are none (printed as such). */
const percentileOrNaN = (values: number[], p: number) => percentile(values, p) ?? Number.NaN;

async function main(): Promise<void> {
  const arg = (name: string, fallback: number) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? Number(process.argv[i + 1]) : fallback;
  };
  const bots = arg("bots", 500);
  const rate = arg("rate", 5);
  const mix = arg("mix", 0.3);
  const durationS = arg("duration", 20);
  const warmupS = arg("warmup", 3);
  const pin = !process.argv.includes("--no-pin") && os.cpus().length > 1;
  const server = await ServerProcess.start("space", scriptCommand(import.meta.url), pin ? 1 : null);
  const port = server.port;
  const url = `ws://${HOST}:${port}/space`;
  const all: Bot[] = [];
  for (let i = 0; i < bots; i += 50) {
    const batch = await Promise.all(Array.from({ length: Math.min(50, bots - i) }, (_, j) => startBot(url, i + j < 10)));
    all.push(...batch);
  }
  // Each bot acts `rate` times a second, spread over the second: a move (mostly in the same
  // direction), or with chance `mix` an action of the bots' mix, aimed at other bots.
  let txn = 10;
  let stopping = false;
  const ids = all.map((bot) => bot.id);
  const timers = all.map((bot, i) => {
    let dir = i % 4;
    const move = () => {
      if (stopping || bot.ws.readyState !== WebSocket.OPEN) return;
      const id = txn++;
      if (Math.random() < mix) {
        const others = Array.from({ length: 8 }, () => ids[Math.floor(Math.random() * ids.length)]!).filter((other) => other !== bot.id);
        const [name, args] = botAction(others);
        bot.ws.send(encodeAction(schema, { txnId: id, [name]: actionArgs(specs.get(name)!, args) }));
        return;
      }
      if (Math.random() < 0.3) dir = Math.floor(Math.random() * 4);
      if (i < 10) bot.pending.set(id, performance.now());
      bot.ws.send(encodeAction(schema, { txnId: id, move: { dir } }));
    };
    const start = setTimeout(() => timers[i]!.interval = setInterval(move, 1000 / rate), Math.random() * (1000 / rate));
    return { start, interval: undefined as ReturnType<typeof setInterval> | undefined };
  });
  await new Promise((resolve) => setTimeout(resolve, warmupS * 1000));
  await server.ask("reset");
  const before = await server.askJson<ServerStats>("stats");
  for (const bot of all) {
    bot.frames = bot.bytes = bot.events = 0;
    bot.latencies.length = 0;
  }
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await new Promise((resolve) => setTimeout(resolve, durationS * 1000));
  const after = await server.askJson<ServerStats>("stats");
  const seconds = (performance.now() - started) / 1000;
  const cpuGen = process.cpuUsage(cpuBefore);
  stopping = true;
  for (const t of timers) {
    clearTimeout(t.start);
    clearInterval(t.interval);
  }
  const observers = all.slice(0, 10);
  const open = all.filter((b) => b.ws.readyState === WebSocket.OPEN).length;
  const latencies = observers.flatMap((b) => b.latencies);
  const framesPerS = all.reduce((a, b) => a + b.frames, 0) / seconds;
  const bytesPerS = all.reduce((a, b) => a + b.bytes, 0) / seconds;
  const observedEventsPerBot = observers.reduce((a, b) => a + b.events, 0) / observers.length / seconds;
  const row = {
    bots,
    rate,
    actionsPerS: Math.round(after.actions / seconds),
    tickP50: percentileOrNaN(after.tickMs, 50),
    tickP99: percentileOrNaN(after.tickMs, 99),
    tickMax: Math.max(...after.tickMs),
    ticksPerS: after.ticks / seconds,
    eventsDeliveredPerS: Math.round(after.eventsDelivered / seconds),
    observedEventsPerS: Math.round(observedEventsPerBot * bots),
    framesPerS: Math.round(framesPerS),
    mbPerS: bytesPerS / 1e6,
    moveP50: percentileOrNaN(latencies, 50),
    moveP99: percentileOrNaN(latencies, 99),
    serverCpu: (after.cpuMicros - before.cpuMicros) / 1e6 / seconds,
    generatorCpu: (cpuGen.user + cpuGen.system) / 1e6 / seconds,
    rssMiB: after.rss / 2 ** 20,
    open,
  };
  const f = (n: number, d = 2) => n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
  console.log(`# space load: ${bots} bots × ${rate} actions/s (${Math.round(mix * 100)}% the bots' mix, the rest moves), ${durationS} s after ${warmupS} s warm-up; Node ${process.version}; ${os.cpus()[0]?.model} × ${os.cpus().length}; load ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}; server ${pin ? "pinned to core 1" : "not pinned"}`);
  console.log("| bots | actions/s offered | actions/s handled | tick p50 ms | tick p99 ms | tick max ms | ticks/s | events delivered/s | events received/s (10 decoding bots × N) | frames out/s | MB/s out | move → transactionStatus p50 ms | p99 ms | server CPU | generator CPU | server RSS | bots still open |");
  console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  console.log(
    `| ${bots} | ${f(bots * rate, 0)} | ${f(row.actionsPerS, 0)} | ${f(row.tickP50)} | ${f(row.tickP99)} | ${f(row.tickMax)} | ${f(row.ticksPerS, 1)} | ${f(row.eventsDeliveredPerS, 0)} | ${f(row.observedEventsPerS, 0)} | ${f(row.framesPerS, 0)} | ${f(row.mbPerS, 1)} | ${f(row.moveP50, 1)} | ${f(row.moveP99, 1)} | ${f(row.serverCpu * 100, 0)}% | ${f(row.generatorCpu * 100, 0)}% | ${f(row.rssMiB, 0)} MiB | ${open} |`,
  );
  for (const bot of all) bot.ws.terminate();
  await server.stop();
}

if (process.argv.includes("--serve")) await serve();
else await main();
