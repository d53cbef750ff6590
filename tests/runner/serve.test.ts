/**
 * serve(): one process serving an app, as a forked worker of the supervisor
 * runs it: it says where it serves, reports its port over IPC, and drains
 * then exits 0 when its supervisor goes away. (SIGTERM and SIGINT through
 * the `upie` command are in cli.test.ts.)
 */
import assert from "node:assert/strict";
import { fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, it } from "node:test";

import type { ReadyMessage } from "../../lib/runner/serve.js";
import { get, tempApp, UPIE } from "./helpers.js";

const SERVE = pathToFileURL(fileURLToPath(new URL("../../lib/runner/serve.ts", import.meta.url))).href;
const TSX = import.meta.resolve("tsx");

const FILES = {
  "app.ts": `import { App } from "${UPIE}";\nexport default class Hello extends App { async index() { return "hello"; } }\n`,
  // The worker: serve() with the options a supervisor passes; a failure is printed and exits 3.
  "worker.ts": `import { serve } from "${SERVE}";
const [file, port] = process.argv.slice(2);
serve({ file: file!, exportName: undefined, host: "127.0.0.1", port: Number(port), reusePort: false }).catch((error) => {
  console.log(\`rejected \${error.name} \${error.code}\`);
  process.exit(3);
});
`,
};

/** Forks the worker with an IPC channel, collecting its stdout. */
function forkWorker(dir: string, port: number): { child: ChildProcess; output: () => string; exited: Promise<[number | null, string | null]> } {
  const child = fork(join(dir, "worker.ts"), [join(dir, "app.ts"), String(port)], { cwd: dir, execArgv: ["--import", TSX], stdio: ["ignore", "pipe", "pipe", "ipc"] });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += String(chunk)));
  child.stderr!.on("data", (chunk) => (output += String(chunk)));
  return { child, output: () => output, exited: once(child, "exit") as Promise<[number | null, string | null]> };
}

describe("serve", () => {
  it("tells its supervisor its port once listening, and drains then exits 0 when the supervisor goes", { timeout: 30_000 }, async () => {
    const { dir, remove } = await tempApp(FILES);
    const worker = forkWorker(dir, 0);
    try {
      const [ready] = (await once(worker.child, "message")) as [ReadyMessage];
      assert.equal(ready.type, "upie:ready");
      assert.ok(ready.port > 0);
      assert.match(worker.output(), new RegExp(`upie: serving \\S*app\\.ts:default on http://127\\.0\\.0\\.1:${ready.port} \\(pid ${worker.child.pid}; uWebSockets\\.js: \\S+ \\d+\\.\\d+`));
      assert.deepEqual(await get(ready.port, "/"), { status: 200, text: "hello" });
      worker.child.disconnect();
      assert.deepEqual(await worker.exited, [0, null]);
      assert.match(worker.output(), /upie: supervisor gone: draining/);
    } finally {
      if (worker.child.exitCode === null) worker.child.kill("SIGKILL");
      await remove();
    }
  });

  it("rejects with listen()'s error, sending no ready message, when the port is taken", { timeout: 30_000 }, async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const { port } = holder.address() as { port: number };
    const { dir, remove } = await tempApp(FILES);
    const worker = forkWorker(dir, port);
    const messages: unknown[] = [];
    worker.child.on("message", (message) => messages.push(message));
    try {
      assert.deepEqual(await worker.exited, [3, null]);
      assert.match(worker.output(), /rejected ListenError EADDRINUSE/);
      assert.deepEqual(messages, []);
    } finally {
      if (worker.child.exitCode === null) worker.child.kill("SIGKILL");
      holder.close();
      await remove();
    }
  });
});
