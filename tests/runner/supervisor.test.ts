import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";

import { get, RunnerProcess, tempApp, UPIE } from "./helpers.js";

const APP = (version: string) => `
import { App } from "${UPIE}";

export class Pids extends App {
  async index() { return "${version} " + process.pid; }
  async slow() {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    return "slow";
  }
  async crash() {
    setTimeout(() => process.exit(3), 10);
    return "bye";
  }
}
`;

describe("upie --workers", () => {
  it("serves one port from N processes, and restarts a worker that crashed", { timeout: 90_000 }, async () => {
    const { dir, remove } = await tempApp({ "app.ts": APP("v1") });
    const run = new RunnerProcess(["app.ts", "--port", "0", "--workers", "2"], dir);
    try {
      const first = await run.serving(1);
      const second = await run.serving(2);
      assert.equal(second.port, first.port, "the second worker joins the port the first picked");
      assert.notEqual(second.pid, first.pid);

      // SO_REUSEPORT spreads connections by their address hash: fresh connections reach both.
      const seen = new Set<string>();
      for (let i = 0; i < 200 && seen.size < 2; i++) seen.add((await get(first.port, "/")).text);
      assert.deepEqual([...seen].sort(), [`v1 ${first.pid}`, `v1 ${second.pid}`].sort());

      assert.equal((await get(first.port, "/crash")).text, "bye");
      await run.waitFor(/worker \d exited \(code 3\); restarting in \d+ ms/);
      const third = await run.serving(3);
      assert.equal(third.port, first.port);
      assert.ok(![first.pid, second.pid].includes(third.pid));
      assert.match((await get(first.port, "/")).text, /^v1 \d+$/);

      run.child.kill("SIGTERM");
      assert.deepEqual(await run.exited, { code: 0, signal: null });
      assert.equal(run.lines.filter((line) => /SIGTERM: draining/.test(line)).length, 2);
    } finally {
      await run.kill();
      await remove();
    }
  });
});

describe("upie --reload", () => {
  it("restarts on an edit of the app's folder, on the same port", { timeout: 90_000 }, async () => {
    const { dir, remove } = await tempApp({ "app.ts": APP("v1") });
    const run = new RunnerProcess(["app.ts", "--port", "0", "--reload"], dir);
    try {
      const { port } = await run.serving(1);
      assert.match((await get(port, "/")).text, /^v1 /);
      await writeFile(join(dir, "app.ts"), APP("v2"));
      await run.waitFor(/app\.ts changed; restarting/);
      const again = await run.serving(2);
      assert.equal(again.port, port);
      assert.match((await get(port, "/")).text, /^v2 /);

      // A broken edit waits for the next one instead of exiting.
      await writeFile(join(dir, "app.ts"), "export const broken = ;");
      await run.waitFor(/did not start; waiting for a change/);
      await writeFile(join(dir, "app.ts"), APP("v3"));
      await run.serving(3);
      assert.match((await get(port, "/")).text, /^v3 /);

      // A second edit while the first restart still drains a slow request: one worker serves
      // the last edit, and none is left behind.
      const slow = get(port, "/slow");
      await new Promise((resolve) => setTimeout(resolve, 200));
      await writeFile(join(dir, "app.ts"), APP("v4"));
      await run.waitFor(/changed; restarting/, 4);
      await writeFile(join(dir, "app.ts"), APP("v5"));
      await run.waitFor(/changed; restarting/, 5);
      assert.equal((await slow).text, "slow");
      for (let i = 0; i < 100 && !/^v5 /.test(await get(port, "/").then((r) => r.text, () => "")); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.match((await get(port, "/")).text, /^v5 /);

      run.child.kill("SIGINT");
      assert.equal((await run.exited).code, 0);
      await assert.rejects(get(port, "/"), /ECONNREFUSED/, "no worker outlives the runner");
    } finally {
      await run.kill();
      await remove();
    }
  });
});
