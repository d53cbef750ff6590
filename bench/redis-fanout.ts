/**
 * Cross-process fan-out: `app.publish` through the Redis broker to
 * WebSocket subscribers on two processes, against the in-process broker
 * with the same number of subscribers on one process; then how long the
 * Redis broker takes to deliver what was held once Redis restarts.
 *
 * - `local`: one server process, LocalBroker, 2 × N subscribers.
 * - `redis`: two server processes on one redis-server (RedisBroker), N subscribers each;
 *   process 1 publishes, so half the deliveries cross processes.
 *
 * Each scenario publishes M messages from process 1 (burst: as fast as
 * `publish` takes them; paced: R per second). Every message carries its
 * send time; subscribers (`ws` clients in this process) record the
 * latency on receipt. Deliveries/s = messages received by all subscribers ÷
 * (last receipt − first send). Recovery: redis-server is killed (append-only
 * file on), K messages are published while it is down, it is started again;
 * the time from "Redis answers PING" to the last held message reaching
 * every subscriber.
 *
 * Run: `npx tsx bench/redis-fanout.ts [--subscribers 1000] [--messages 200] [--rate 10] [--runs 3]`
 * (needs /usr/bin/redis-server).
 *
 * @module
 */
import os from "node:os";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";

import WebSocket from "ws";

import { RedisServer } from "../tests/redis/redis-server.js";
import { scriptCommand } from "./harness/build.js";
import { ServerProcess } from "./harness/server-process.js";
import { median, percentileOfSorted } from "./harness/stats.js";
import { announce, exitOnSignal } from "./servers/shared.js";

const now = () => performance.timeOrigin + performance.now();

/** The server side: one upie process. Env BROKER=local|redis, REDIS_URL. */
async function serve(): Promise<void> {
  const { App } = await import("../lib/index.js");
  const broker = process.env.BROKER === "redis" ? new (await import("../lib/redis/index.js")).RedisBroker({ url: process.env.REDIS_URL!, keyPrefix: "bench:" }) : undefined;
  class FanoutApp extends App {
    async ws_sub(ws: import("../lib/index.js").WebSocket) {
      await ws.accept();
      ws.subscribe("fan");
      await ws.sendText("ready");
      for await (const _ of ws);
    }
    /** Publishes `count` messages `<seq>:<sent at>`; `rate` per second, 0 for all at once. */
    async pump(count: string, rate = "0") {
      const perSecond = Number(rate);
      const start = now();
      for (let i = 0; i < Number(count); i++) {
        if (perSecond > 0) {
          const due = start + (i * 1000) / perSecond;
          if (due > now()) await new Promise((resolve) => setTimeout(resolve, due - now()));
        }
        await this.publish("fan", `${i}:${now()}`);
      }
      return "done";
    }
  }
  const app = new FanoutApp({ websocket: { broker, maxSubscriberBackpressure: 64 * 1024 * 1024 } });
  if (broker !== undefined) app.startupHandlers.push(() => broker.ready());
  const server = await app.listen({ port: 0, host: "127.0.0.1" });
  announce(server.port);
  exitOnSignal();
}

interface Settings {
  subscribers: number;
  messages: number;
  rate: number;
  runs: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { subscribers: { type: "string" }, messages: { type: "string" }, rate: { type: "string" }, runs: { type: "string" } } });
  const settings: Settings = {
    subscribers: Number(values.subscribers ?? 1000),
    messages: Number(values.messages ?? 200),
    rate: Number(values.rate ?? 10),
    runs: Number(values.runs ?? 3),
  };
  const redis = await RedisServer.start({ persistent: true });
  const rows: string[] = [];
  try {
    const local = await measure("local", [2 * settings.subscribers], settings, redis);
    const cross = await measure("redis", [settings.subscribers, settings.subscribers], settings, redis);
    rows.push(row("in-process (LocalBroker), 1 process", 2 * settings.subscribers, local));
    rows.push(row("RedisBroker, 2 processes", 2 * settings.subscribers, cross));
    const recovery = await measureRecovery(settings, redis);
    print(settings, rows, recovery);
  } finally {
    await redis.stop();
  }
}

interface Result {
  burstPerSecond: number[];
  burstP99: number[];
  pacedP50: number[];
  pacedP99: number[];
}

async function measure(broker: "local" | "redis", perProcess: number[], settings: Settings, redis: RedisServer): Promise<Result> {
  const servers = await Promise.all(perProcess.map(() => startServer(broker, redis.url)));
  const clients: Subscriber[] = [];
  try {
    for (const [i, count] of perProcess.entries()) {
      for (let j = 0; j < count; j += 100) clients.push(...(await Promise.all(Array.from({ length: Math.min(100, count - j) }, () => Subscriber.open(servers[i]!.port)))));
    }
    const result: Result = { burstPerSecond: [], burstP99: [], pacedP50: [], pacedP99: [] };
    await run(servers[0]!.port, clients, 20, 0); // warm-up
    for (let r = 0; r < settings.runs; r++) {
      const burst = await run(servers[0]!.port, clients, settings.messages, 0);
      result.burstPerSecond.push(burst.deliveries / burst.seconds);
      result.burstP99.push(burst.p99);
      const paced = await run(servers[0]!.port, clients, settings.messages, settings.rate);
      result.pacedP50.push(paced.p50);
      result.pacedP99.push(paced.p99);
      process.stderr.write(`${broker} run ${r + 1}: burst ${Math.round(burst.deliveries / burst.seconds)}/s p99 ${burst.p99.toFixed(1)} ms; paced p50 ${paced.p50.toFixed(2)} p99 ${paced.p99.toFixed(2)} ms\n`);
    }
    return result;
  } finally {
    for (const client of clients) client.socket.terminate();
    await Promise.all(servers.map((server) => server.stop()));
  }
}

/** One publish run: returns deliveries, their span and latency percentiles. */
async function run(port: number, clients: Subscriber[], count: number, rate: number) {
  for (const client of clients) client.reset();
  const start = now();
  const response = await fetch(`http://127.0.0.1:${port}/pump/${count}/${rate}`);
  if ((await response.text()) !== "done") throw new Error("pump failed");
  const expected = count * clients.length;
  const deadline = Date.now() + 120_000;
  while (clients.reduce((sum, c) => sum + c.received, 0) < expected) {
    if (Date.now() > deadline) throw new Error(`only ${clients.reduce((sum, c) => sum + c.received, 0)} of ${expected} deliveries`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const last = Math.max(...clients.map((c) => c.lastAt));
  const latencies = Float64Array.from(clients.flatMap((c) => c.latencies)).sort();
  const gaps = clients.filter((c) => c.outOfOrder).length;
  if (gaps > 0) throw new Error(`${gaps} subscribers saw messages out of order`);
  return { deliveries: expected, seconds: (last - start) / 1000, p50: percentileOfSorted(latencies, 50) ?? Number.NaN, p99: percentileOfSorted(latencies, 99) ?? Number.NaN };
}

async function measureRecovery(settings: Settings, redis: RedisServer): Promise<{ held: number; ms: number[]; firstMs: number[] }> {
  const servers = await Promise.all([0, 1].map(() => startServer("redis", redis.url)));
  const clients: Subscriber[] = [];
  const held = 1000;
  const times: number[] = [];
  const firsts: number[] = [];
  try {
    for (const server of servers) for (let j = 0; j < 100; j++) clients.push(await Subscriber.open(server.port));
    for (let r = 0; r < settings.runs; r++) {
      for (const client of clients) client.reset();
      await redis.kill();
      const response = await fetch(`http://127.0.0.1:${servers[0]!.port}/pump/${held}/0`);
      if ((await response.text()) !== "done") throw new Error("pump failed");
      await redis.restart();
      const back = now();
      const deadline = Date.now() + 60_000;
      let first: number | undefined;
      while (clients.some((c) => c.received < held)) {
        if (Date.now() > deadline) throw new Error("held messages never arrived");
        if (first === undefined && clients.some((c) => c.received > 0)) first = now() - back;
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      times.push(Math.max(...clients.map((c) => c.lastAt)) - back);
      firsts.push(first ?? Math.min(...clients.map((c) => c.firstAt)) - back);
      process.stderr.write(`recovery run ${r + 1}: first ${firsts.at(-1)!.toFixed(0)} ms, all ${times.at(-1)!.toFixed(0)} ms\n`);
    }
    return { held, ms: times, firstMs: firsts };
  } finally {
    for (const client of clients) client.socket.terminate();
    await Promise.all(servers.map((server) => server.stop()));
  }
}

/** A `ws` subscriber that checks order and records latencies. */
class Subscriber {
  received = 0;
  firstAt = 0;
  lastAt = 0;
  latencies: number[] = [];
  outOfOrder = false;
  #expect = 0;

  private constructor(readonly socket: WebSocket) {
    socket.on("message", (data) => {
      const text = String(data);
      if (text === "ready") return;
      const at = now();
      const colon = text.indexOf(":");
      const seq = Number(text.slice(0, colon));
      if (seq !== this.#expect) this.outOfOrder = true;
      this.#expect = seq + 1;
      this.latencies.push(at - Number(text.slice(colon + 1)));
      if (this.received++ === 0) this.firstAt = at;
      this.lastAt = at;
    });
  }

  static open(port: number): Promise<Subscriber> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}/sub`);
      const subscriber = new Subscriber(socket);
      socket.once("message", () => resolve(subscriber));
      socket.once("error", reject);
    });
  }

  reset(): void {
    this.received = 0;
    this.latencies = [];
    this.#expect = 0;
    this.outOfOrder = false;
  }
}

/** One upie server process on `broker`; stopped with SIGTERM. */
function startServer(broker: string, redisUrl: string): Promise<ServerProcess> {
  return ServerProcess.start(`upie + ${broker} broker`, scriptCommand(import.meta.url, [], [], { BROKER: broker, REDIS_URL: redisUrl }), null);
}

const middle = (values: number[]) => median(values) ?? Number.NaN;

function row(name: string, subscribers: number, r: Result): string {
  const f = (n: number) => Math.round(n).toLocaleString("en-US");
  return `| ${name} | ${f(subscribers)} | ${f(middle(r.burstPerSecond))} | ${middle(r.burstP99).toFixed(1)} | ${middle(r.pacedP50).toFixed(2)} | ${middle(r.pacedP99).toFixed(2)} | ${r.burstPerSecond.map(f).join(", ")} |`;
}

function print(settings: Settings, rows: string[], recovery: { held: number; ms: number[]; firstMs: number[] }): void {
  const [l1] = os.loadavg();
  console.log(`- Command: \`npx tsx bench/redis-fanout.ts --subscribers ${settings.subscribers} --messages ${settings.messages} --rate ${settings.rate} --runs ${settings.runs}\` (medians of ${settings.runs} runs)`);
  console.log(`- Date: ${new Date().toISOString()}. Machine: ${os.cpus()[0]?.model ?? "?"}, ${os.cpus().length} cores (load average ${l1!.toFixed(2)} at the end), Node ${process.version}; servers and subscribers on the same machine, unpinned`);
  console.log("");
  console.log("| broker | subscribers | burst deliveries/s | burst p99 ms | paced p50 ms | paced p99 ms | burst runs (deliveries/s) |");
  console.log("|---|---:|---:|---:|---:|---:|---|");
  for (const line of rows) console.log(line);
  console.log("");
  const list = (values: number[]) => values.map((m) => m.toFixed(0)).join(", ");
  console.log(`Recovery after a Redis restart: of ${recovery.held} messages published while redis-server was down, the first reaches a subscriber ${middle(recovery.firstMs).toFixed(0)} ms and all reach all 200 subscribers on 2 processes ${middle(recovery.ms).toFixed(0)} ms after Redis answers again (medians; runs: first ${list(recovery.firstMs)} ms, all ${list(recovery.ms)} ms).`);
}

// Last, so that every class above is initialised before it runs.
if (process.argv.includes("--serve")) await serve();
else await main();
