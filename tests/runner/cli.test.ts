import assert from "node:assert/strict";
import { describe, it } from "node:test";

import WebSocket from "ws";

import { get, RunnerProcess, tempApp, UPIE } from "./helpers.js";

const APP = `
import { App, type WebSocket } from "${UPIE}";

export default class Hello extends App {
  async index() { return "hello " + process.env.GREETING; }
  async ws_echo(ws: WebSocket) {
    await ws.accept();
    for await (const message of ws) await ws.sendText(message);
  }
}
`;

describe("upie FILE", () => {
  it("serves a TypeScript app's default export, and SIGTERM drains: WebSockets get 1001, exit 0", { timeout: 60_000 }, async () => {
    const { dir, remove } = await tempApp({ "app.ts": APP });
    const run = new RunnerProcess(["app.ts", "--port", "0"], dir, { GREETING: "there" });
    try {
      const { port } = await run.serving();
      assert.match(run.lines.join("\n"), /serving app\.ts:default on .*uWebSockets\.js: \S+ \d+\.\d+/);
      assert.deepEqual(await get(port, "/"), { status: 200, text: "hello there" });

      const socket = new WebSocket(`ws://127.0.0.1:${port}/echo`);
      await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
      const echoed = new Promise((resolve) => socket.once("message", (data) => resolve(String(data))));
      socket.send("ping");
      assert.equal(await echoed, "ping");
      const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));

      run.child.kill("SIGTERM");
      assert.equal(await closed, 1001);
      assert.deepEqual(await run.exited, { code: 0, signal: null });
      assert.match(run.lines.join("\n"), /SIGTERM: draining/);
    } finally {
      await run.kill();
      await remove();
    }
  });

  it("takes HOST and PORT from the environment, and names an export with FILE:Export", { timeout: 60_000 }, async () => {
    const { dir, remove } = await tempApp({
      "two.ts": `import { App } from "${UPIE}";\nexport class A extends App { async index() { return "a"; } }\nexport class B extends App { async index() { return "b"; } }\n`,
    });
    const run = new RunnerProcess(["two.ts:B"], dir, { HOST: "127.0.0.1", PORT: "0" });
    try {
      const { port } = await run.serving();
      assert.equal((await get(port, "/")).text, "b");
      run.child.kill("SIGINT");
      assert.equal((await run.exited).code, 0);
    } finally {
      await run.kill();
      await remove();
    }
  });

  it("exits 1 with a message when the module has several Apps and none is named", { timeout: 60_000 }, async () => {
    const { dir, remove } = await tempApp({
      "two.ts": `import { App } from "${UPIE}";\nexport class A extends App {}\nexport class B extends App {}\n`,
    });
    const run = new RunnerProcess(["two.ts", "--port", "0"], dir);
    try {
      assert.equal((await run.exited).code, 1);
      assert.match(run.lines.join("\n"), /upie: two\.ts exports several Apps \(A, B\): name one, as in two\.ts:A/);
    } finally {
      await run.kill();
      await remove();
    }
  });

  it("exits 2 with the usage on a bad flag", { timeout: 30_000 }, async () => {
    const run = new RunnerProcess(["app.ts", "--workers", "zero"], process.cwd());
    try {
      assert.equal((await run.exited).code, 2);
      assert.match(run.lines.join("\n"), /--workers must be an integer from 1 to 512[\s\S]*Usage: upie FILE/);
    } finally {
      await run.kill();
    }
  });
});
