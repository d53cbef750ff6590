/**
 * Starts N workers of the private chat on one port: each listens with
 * `reusePort: true` (SO_REUSEPORT), so the kernel spreads connections over them.
 * They share the SQLite file (CHAT_DB) and, through REDIS_URL, pub/sub,
 * sessions and presence.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 npm run start:cluster -- --workers 2
 *
 * A worker that dies is started again (after a second, at most 10 times a
 * minute); SIGINT/SIGTERM stop every worker gracefully.
 *
 * @module
 */
import { spawn, type ChildProcess } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const APP = fileURLToPath(new URL("./app.ts", import.meta.url));

const { values } = parseArgs({ options: { workers: { type: "string", short: "w" } } });
const workers = Number(values.workers ?? availableParallelism());
const port = Number(process.env.PORT ?? 8000);
if (!Number.isSafeInteger(workers) || workers < 1 || workers > 256) fail("--workers must be a whole number from 1 to 256");
if (!Number.isSafeInteger(port) || port < 1 || port > 65535) fail("PORT must be 1..65535 (uWS shares a port only when it is not 0)");
if (workers > 1 && !process.env.REDIS_URL) fail("several workers need REDIS_URL (redis://host:port) to share messages, sessions and presence");

const running = new Set<ChildProcess>();
const restarts: number[] = [];
let stopping = false;

function start(index: number): void {
  const child = spawn(process.execPath, ["--import", "tsx", APP], { env: { ...process.env, PORT: String(port), REUSE_PORT: "1" }, stdio: "inherit" });
  running.add(child);
  child.once("exit", (code, signal) => {
    running.delete(child);
    if (stopping) return;
    const now = Date.now();
    restarts.push(now);
    while (restarts.length > 0 && restarts[0]! < now - 60_000) restarts.shift();
    if (restarts.length > 10) {
      console.error(`[cluster] workers keep dying (${restarts.length} in a minute); stopping`);
      void stop(1);
      return;
    }
    console.error(`[cluster] worker ${index} exited (${signal ?? code}); starting it again in 1 s`);
    setTimeout(() => !stopping && start(index), 1000);
  });
}

async function stop(code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  await Promise.all(
    [...running].map((child) => new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 15_000).unref();
    })),
  );
  process.exit(code);
}

function fail(message: string): never {
  console.error(`[cluster] ${message}`);
  process.exit(2);
}

console.log(`[cluster] ${workers} workers on port ${port}${process.env.REDIS_URL ? "" : " (no REDIS_URL: one process only)"}`);
for (let i = 0; i < workers; i++) start(i);
process.once("SIGINT", () => void stop());
process.once("SIGTERM", () => void stop());
