/**
 * What `upie/client`'s WSClient costs over a bare `ws` client: both send
 * 100k small text messages to one echo server (upie on uWS, in its own
 * process) and wait for every echo. Runs alternate (ws, WSClient, WSClient,
 * ws, …) so drift in machine load hits both alike; medians are reported.
 *
 * Run: `npx tsx bench/client-overhead.ts [--messages 100000] [--runs 7]`
 *
 * @module
 */
import os from "node:os";

import WebSocket from "ws";

import { App, type WebSocket as UpieWebSocket } from "../lib/index.js";
import { WSClient } from "../lib/ws-client/index.js";
import { scriptCommand } from "./harness/build.js";
import { ServerProcess } from "./harness/server-process.js";
import { median } from "./harness/stats.js";
import { announce, exitOnSignal } from "./servers/shared.js";

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const MESSAGES = option("messages", 100_000);
const RUNS = option("runs", 7);
/** 24 bytes: a small chat-sized frame. */
const PAYLOAD = (i: number) => `{"n":${String(i).padStart(15, "0")}}`;

/** The echo server, in the child process. */
class Echo extends App {
  async ws_echo(ws: UpieWebSocket) {
    await ws.accept();
    for (;;) {
      let message: string;
      try {
        message = await ws.receiveText();
      } catch {
        return;
      }
      await ws.sendText(message);
    }
  }
}

async function serve(): Promise<void> {
  const server = await new Echo().listen({ port: 0, host: "127.0.0.1" });
  exitOnSignal();
  announce(server.port);
}

/** Milliseconds to send MESSAGES and receive every echo, over a bare `ws` socket. */
async function bareWs(url: string): Promise<number> {
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  let received = 0;
  const done = new Promise<void>((resolve) => socket.on("message", () => ++received === MESSAGES && resolve()));
  const started = performance.now();
  for (let i = 0; i < MESSAGES; i++) socket.send(PAYLOAD(i));
  await done;
  const ms = performance.now() - started;
  socket.close();
  return ms;
}

/** The same through WSClient (every send's promise kept, as an app would). */
async function wsClient(url: string): Promise<number> {
  let received = 0;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const client = new WSClient(url, { maxQueue: MESSAGES, handle: () => void (++received === MESSAGES && finish()) });
  await client.connect();
  const started = performance.now();
  let last: Promise<void> = Promise.resolve();
  for (let i = 0; i < MESSAGES; i++) last = client.send(PAYLOAD(i));
  await last;
  await done;
  const ms = performance.now() - started;
  await client.close();
  return ms;
}

const middle = (values: number[]) => median(values) ?? Number.NaN;

async function main(): Promise<void> {
  const server = await ServerProcess.start("upie echo", scriptCommand(import.meta.url), null);
  const url = `ws://127.0.0.1:${server.port}/echo`;
  try {
    await bareWs(url); // warm-up, both paths
    await wsClient(url);
    const times = { ws: [] as number[], client: [] as number[] };
    for (let run = 0; run < RUNS; run++) {
      const order = run % 2 === 0 ? (["ws", "client"] as const) : (["client", "ws"] as const);
      for (const which of order) times[which].push(which === "ws" ? await bareWs(url) : await wsClient(url));
    }
    const ws = middle(times.ws);
    const client = middle(times.client);
    const rate = (ms: number) => Math.round(MESSAGES / (ms / 1000)).toLocaleString("en-US");
    console.log(`${MESSAGES.toLocaleString("en-US")} messages of ${PAYLOAD(0).length} bytes, echoed; ${RUNS} alternating runs each, medians`);
    console.log(`Node ${process.version}; ${os.cpus()[0]?.model ?? "cpu"} × ${os.cpus().length}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(" / ")}`);
    console.log("");
    console.log("| client | median ms | msg/s (round trip) | vs bare ws | runs (ms) |");
    console.log("|---|--:|--:|--:|---|");
    console.log(`| bare \`ws\` | ${ws.toFixed(0)} | ${rate(ws)} | 1.00× | ${times.ws.map((t) => t.toFixed(0)).join(" / ")} |`);
    console.log(`| upie/client WSClient | ${client.toFixed(0)} | ${rate(client)} | ${(client / ws).toFixed(2)}× time | ${times.client.map((t) => t.toFixed(0)).join(" / ")} |`);
  } finally {
    await server.stop();
  }
}

if (args.includes("--serve")) await serve();
else await main();
