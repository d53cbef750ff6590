/**
 * Channels load: the channels platform (examples/channels) with N users in
 * one channel and one service. Each user sends `message_up`; the service
 * answers each with a `message_down` addressed to its author (the round
 * trip user → platform → service → platform → user), so every message is
 * routed twice and acknowledged twice (`copy` to the user and to the
 * service). Each user keeps `--window` messages in flight.
 *
 * Metric: round trips completed per second, and their latency (p50, p99).
 * The per-socket frame budget is off (the bench measures the platform, not the limit).
 * The platform runs in its own process (this file with `--serve`); the
 * users and the service are `ws` clients in this process.
 *
 * Run: `npx tsx bench/channels-load.ts [--users 100] [--window 4] [--duration 10] [--warmup 2]`.
 *
 * The red team's two memory attacks, re-measured (`--attack history` or
 * `--attack slow-reader`): the platform process's RSS (from /proc) before,
 * at its peak while attacked (sampled every 100 ms) and after. `history`: one
 * service account sends `--frames` (default 150) `message_down`s with a
 * 120 KiB `context` into each of 12 channels. `slow-reader`: 4 users who
 * never read, and a service sending them `--frames` (default 1000) such
 * frames. Both are bounded runs of a few seconds.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

import WebSocket from "ws";

import { scriptCommand } from "./harness/build.js";
import { ServerProcess } from "./harness/server-process.js";
import { announce } from "./servers/shared.js";

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number(args[index + 1]) : fallback;
};

if (args.includes("--serve")) {
  const { ChannelsApp } = await import("../examples/channels/app.js");
  const app = new ChannelsApp({ authRate: false, frameRate: false, accountsPerAddress: 1_000_000 });
  const server = await app.listen({ port: 0, host: "127.0.0.1" });
  announce(server.port);
} else if (args.includes("--attack")) {
  await attack(args[args.indexOf("--attack") + 1] ?? "");
} else {
  await main();
}

/** The platform's HTTP API and WebSocket login on `port`, as the bench's accounts and the attacks use them. */
function platform(port: number) {
  /** POSTs JSON, with a bearer token when given; an error status throws. */
  const post = async (path: string, body: unknown, token?: string) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { method: "POST", headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as any;
  };
  return {
    post,
    /** Signs `username` up with `role`, then in: the sign-in's answer (`access_token`, `id`). */
    account: async (username: string, role: string) => {
      await post("/api/sign_up", { username, password: "bench password", role });
      return post("/api/sign_in", { username, password: "bench password" });
    },
    /** Opens /ws and logs in: as the service when `login` has a `service_id`, else as a user. */
    open: (login: { access_token: string; service_id?: string }) =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
        ws.once("open", () => {
          ws.send(JSON.stringify({ type: login.service_id === undefined ? "user_login" : "service_login", request_id: "login", ...login }));
          resolve(ws);
        });
        ws.once("error", reject);
      }),
  };
}

/** The platform's resident memory in MiB, from /proc (Linux). */
function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
}

/** One of the red team's memory attacks against a platform process; prints its RSS before, at peak and after. */
async function attack(kind: string): Promise<void> {
  if (kind !== "history" && kind !== "slow-reader") throw new Error("--attack history | slow-reader");
  const frames = option("frames", kind === "history" ? 150 : 1000);
  const server = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--serve"], { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, NODE_ENV: "production" } });
  const port: number = await new Promise((resolve) => createInterface({ input: server.stdout! }).once("line", (line: string) => resolve(Number(/^READY (\d+)/.exec(line)?.[1]))));
  const { post, account, open } = platform(port);
  let acknowledged = 0; // copies of the message_downs
  const service = await account("attacker", "service");
  const serviceWs = await open({ access_token: service.access_token, service_id: service.id });
  serviceWs.on("message", (data) => {
    const frame = JSON.parse(String(data));
    if (frame.type === "copy" && frame.body.origin_type === "message_down") acknowledged++;
  });
  const agent = await post("/api/agents/create", { name: "a" }, service.access_token);
  const channelIds: string[] = [];
  for (let i = 0; i < (kind === "history" ? 12 : 1); i++) channelIds.push((await post("/api/channels/create", { channel_name: `c${i}`, channel_desc: "" }, service.access_token)).channel_id);
  const readers: WebSocket[] = [];
  const recipients: string[] = [];
  if (kind === "slow-reader") {
    for (let i = 0; i < 4; i++) {
      const user = await account(`paused${i}`, "user");
      const ws = await open({ access_token: user.access_token });
      ws.send(JSON.stringify({ type: "action", request_id: "j", body: { subtype: "join_channel", channel_id: channelIds[0] } }));
      recipients.push(user.id);
      readers.push(ws);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const ws of readers) (ws as unknown as { _socket: { pause(): void } })._socket.pause();
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  const before = rssMiB(server.pid!);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(server.pid!))), 100);
  const pad = "x".repeat(120 * 1024);
  const started = performance.now();
  let sent = 0;
  for (const channelId of channelIds) {
    for (let i = 0; i < frames; i++) {
      serviceWs.send(JSON.stringify({ type: "message_down", request_id: String(sent++), service_id: service.id, body: { subtype: "text", channel_id: channelId, content: { text: String(i) }, recipients, sender: agent.character_id, context: { pad } } }));
      if (serviceWs.bufferedAmount > 8 * 1024 * 1024) await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  while (acknowledged < sent && performance.now() - started < 120_000) await new Promise((resolve) => setTimeout(resolve, 50));
  await new Promise((resolve) => setTimeout(resolve, 1000));
  clearInterval(sampler);
  const after = rssMiB(server.pid!);
  const seconds = (performance.now() - started) / 1000;
  console.log(`channels attack "${kind}": ${sent} message_downs of 120 KiB (${((sent * pad.length) / 2 ** 20).toFixed(0)} MiB) into ${channelIds.length} channel(s)${kind === "slow-reader" ? " for 4 users who never read" : ""}, ${seconds.toFixed(1)} s`);
  console.log(`machine: ${os.cpus()[0]?.model ?? "?"} × ${os.cpus().length}, load ${os.loadavg()[0]!.toFixed(2)}, Node ${process.version}, ${new Date().toISOString()}`);
  console.log("| attack | RSS before MiB | peak MiB | after MiB | acknowledged |");
  console.log("|---|---:|---:|---:|---:|");
  console.log(`| ${kind} | ${before.toFixed(0)} | ${peak.toFixed(0)} | ${after.toFixed(0)} | ${acknowledged}/${sent} |`);
  for (const ws of readers) ws.terminate();
  serviceWs.terminate();
  server.kill();
}

async function main(): Promise<void> {
  const users = option("users", 100);
  const window = option("window", 4);
  const durationS = option("duration", 10);
  const warmupS = option("warmup", 2);
  const server = await ServerProcess.start("channels", scriptCommand(import.meta.url), null);
  const { post, account, open } = platform(server.port);

  const service = await account("bench_service", "service");
  const channel = await post("/api/channels/create", { channel_name: "bench", channel_desc: "" }, service.access_token);
  const serviceWs = await open({ access_token: service.access_token, service_id: service.id });
  let errors = 0;
  /** A frame from the platform; a `copy` acknowledgement is only counted, when it reports a failure. */
  const platformFrame = (data: WebSocket.RawData) => {
    const frame = JSON.parse(String(data));
    if (frame.type !== "copy") return frame;
    if (!frame.body.status) errors++;
    return undefined;
  };
  serviceWs.on("message", (data) => {
    const frame = platformFrame(data);
    if (frame?.type !== "message_up") return;
    const m = frame.body;
    serviceWs.send(JSON.stringify({ type: "message_down", request_id: m.message_id, service_id: service.id, body: { subtype: "text", channel_id: m.channel_id, content: m.content, recipients: [m.sender], sender: m.sender, context: m.context } }));
  });

  const latencies: number[] = [];
  let measuring = false;
  let completed = 0;
  let running = true;
  const sockets: WebSocket[] = [];
  for (let batch = 0; batch < users; batch += 10) {
    await Promise.all(
      Array.from({ length: Math.min(10, users - batch) }, async (_, i) => {
        const login = await account(`bench_user_${batch + i}`, "user");
        const ws = await open({ access_token: login.access_token });
        ws.send(JSON.stringify({ type: "action", request_id: "join", body: { subtype: "join_channel", channel_id: channel.channel_id } }));
        sockets.push(ws);
      }),
    );
  }
  const sendOne = (ws: WebSocket) =>
    ws.send(JSON.stringify({ type: "message_up", request_id: "m", body: { subtype: "text", channel_id: channel.channel_id, content: { text: "hello from the bench" }, recipients: "service", context: { t: performance.now() } } }));
  for (const ws of sockets) {
    ws.on("message", (data) => {
      const frame = platformFrame(data);
      if (frame?.type !== "message_down") return;
      if (measuring) {
        completed++;
        latencies.push(performance.now() - frame.body.context.t);
      }
      if (running) sendOne(ws);
    });
  }
  await new Promise((resolve) => setTimeout(resolve, 300)); // joins settle
  for (const ws of sockets) for (let i = 0; i < window; i++) sendOne(ws);
  await new Promise((resolve) => setTimeout(resolve, warmupS * 1000));
  measuring = true;
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, durationS * 1000));
  measuring = false;
  const elapsed = (performance.now() - started) / 1000;
  running = false;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  console.log(`channels-load: ${users} users in one channel + 1 service, ${window} in flight per user, ${durationS} s after ${warmupS} s warm-up`);
  console.log(`machine: ${os.cpus()[0]?.model ?? "?"} × ${os.cpus().length}, load ${os.loadavg()[0]!.toFixed(2)}, Node ${process.version}, ${new Date().toISOString()}`);
  console.log("| users | in flight | round trips/s | p50 ms | p99 ms | errors |");
  console.log("|---:|---:|---:|---:|---:|---:|");
  console.log(`| ${users} | ${users * window} | ${Math.round(completed / elapsed).toLocaleString("en")} | ${at(0.5).toFixed(2)} | ${at(0.99).toFixed(2)} | ${errors} |`);
  for (const ws of sockets) ws.terminate();
  serviceWs.terminate();
  await server.stop();
}
