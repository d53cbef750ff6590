/**
 * A user's first hour, from the packed tarball: `npm install ./upie-x.tgz`
 * into a fresh folder, a README-style app in plain JS, the `upie` command on a
 * TypeScript app (without tsx: the message says how; with tsx: it serves),
 * a typed WebSocket route, and a build with `tsc --init`'s defaults on
 * TypeScript 5.x and on the TypeScript a new project gets (7.x).
 */
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";

import WebSocket from "ws";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const COMPILERS = {
  "5.x": join(ROOT, "node_modules", "typescript", "bin", "tsc"),
  "7.x": join(ROOT, "node_modules", "typescript-next", "bin", "tsc"),
};
const NPM_QUIET = ["--prefer-offline", "--no-audit", "--no-fund"];

const JS_APP = `
import { App } from "upie";

class MyApp extends App {
  async greet(name = "Guest") { return \`Hello, \${name}!\`; }
}

const server = await new MyApp().listen({ port: 0, host: "127.0.0.1" });
try {
  console.log(await (await fetch(\`http://127.0.0.1:\${server.port}/greet/Al\`)).text());
} finally {
  await server.close();
}
`;

/** The README's tour as one TypeScript app: routes, a decorator with a body schema, a typed WebSocket route. */
const TS_APP = `
import { App, HttpError, InvalidMessageError, TestClient, post, type UploadedFile, type WebSocket } from "upie";
import { runAdapterContract, testClientAdapter, TestClient as TestingClient, type AdapterUnderTest } from "upie/testing";
import { appCore, handleHttpAsync, useServerAdapter, type HttpScope, type Listen } from "upie/adapter";
import { z } from "zod";

const Move = z.object({ x: z.number().int(), y: z.number().int() });
const Transfer = z.object({ to: z.string(), amount: z.number().positive() });

export default class Game extends App {
  async index(): Promise<string> { return "Welcome"; }
  async greet(name: string = "Guest"): Promise<string> { return \`Hello, \${name}!\`; }
  async upload(file: UploadedFile): Promise<number> { return file.size; }
  async secret(): Promise<never> { throw new HttpError(403); }
  async raw(): Promise<number> {
    const body: Buffer | undefined = this.request.body;
    // @ts-expect-error Request.body is a Buffer, not any: Node's types resolve in the consumer
    const wrong: number = this.request.body;
    return (body?.length ?? 0) + (wrong === 0 ? 0 : 0);
  }
  @post({ schema: Transfer })
  async transfer(to: string, amount: number): Promise<object> { return { to, amount }; }
  async ws_moves(ws: WebSocket): Promise<void> {
    await ws.accept();
    for (;;) {
      try {
        const move = await ws.receiveJson(Move);
        const sum: number = move.x + move.y;
        await ws.sendJson({ sum });
      } catch (error) {
        if (!(error instanceof InvalidMessageError)) throw error;
        await ws.sendJson({ issues: error.issues.length });
      }
    }
  }
}

export const inProcess = async (): Promise<string> => (await new TestClient(new Game()).get("/greet/Tc")).text;
export const adapter: AdapterUnderTest = testClientAdapter;
export const contract: typeof runAdapterContract = runAdapterContract;
export const sameClient: boolean = TestingClient === TestClient;
const scope: HttpScope = { type: "http", method: "GET", path: "/greet/Ad", rawQuery: "", headers: {}, client: "" };
const listen: Listen = async (core, options) => ({ port: options.port ?? 0, host: "memory", uws: { package: "memory", version: "1" }, close: () => core.lifecycle.stop({ closeWebSockets: async () => {} }) });
export const viaAdapter = async (): Promise<void> => {
  useServerAdapter(async () => listen);
  await handleHttpAsync(appCore(new Game()), scope, { receive: async () => ({ type: "http.disconnect" }), send: () => {} });
};
`;

let work: string;
let appDir: string;
let tarball: string;
let installLog: string;

/** Runs `upie` (the installed bin) until `ready` matches its output. */
function startUpie(args: string[]): { child: ReturnType<typeof spawn>; output: () => string; ready: (pattern: RegExp) => Promise<RegExpMatchArray>; exited: Promise<number | null> } {
  const child = spawn(join(appDir, "node_modules", ".bin", "upie"), args, { cwd: appDir, stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  child.stdout!.on("data", (chunk) => (text += chunk));
  child.stderr!.on("data", (chunk) => (text += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const ready = async (pattern: RegExp): Promise<RegExpMatchArray> => {
    for (let i = 0; i < 300; i++) {
      const match = text.match(pattern);
      if (match) return match;
      if (child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`no ${pattern} in:\n${text}`);
  };
  return { child, output: () => text, ready, exited };
}

describe("the packed package", () => {
  before(async () => {
    work = await mkdtemp(join(tmpdir(), "upie-pack-"));
    const before = await readFile(join(ROOT, "package.json"), "utf8");
    await run("npm", ["pack", "--pack-destination", work], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
    assert.equal(await readFile(join(ROOT, "package.json"), "utf8"), before, "postpack restores package.json byte for byte");
    const tarballs = (await readdir(work)).filter((name) => name.endsWith(".tgz"));
    assert.equal(tarballs.length, 1);
    tarball = join(work, tarballs[0]!);
    appDir = join(work, "app");
    await mkdir(appDir);
    await writeFile(join(appDir, "package.json"), JSON.stringify({ name: "pack-test-app", private: true, type: "module" }));
    const installed = await run("npm", ["install", tarball, ...NPM_QUIET], { cwd: appDir, maxBuffer: 16 * 1024 * 1024 });
    installLog = installed.stdout + installed.stderr;
  }, { timeout: 240_000 });

  after(async () => {
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  });

  it("publishes a manifest without the repository's scripts, so npm asks no approval for upie", async () => {
    const manifest = JSON.parse(await readFile(join(appDir, "node_modules", "upie", "package.json"), "utf8"));
    assert.equal(manifest.scripts, undefined);
    assert.equal(manifest.devDependencies, undefined);
    assert.deepEqual(manifest.bin, { upie: "./dist/runner/cli.js" });
    assert.ok(manifest.dependencies["@types/node"], "Node's types come with upie's declarations");
    assert.doesNotMatch(installLog, /upie@[\d.]+ \(prepare/);
  });

  it("ships docs/, so the README's links resolve in the installed package", async () => {
    const readme = await readFile(join(appDir, "node_modules", "upie", "README.md"), "utf8");
    const linked = [...readme.matchAll(/\]\((docs\/[\w-]+\.md)/g)].map((match) => match[1]!);
    assert.ok(linked.length > 0, "the README links into docs/");
    for (const page of new Set(linked)) await readFile(join(appDir, "node_modules", "upie", page), "utf8");
  });

  it("serves a README example in plain JS", { timeout: 60_000 }, async () => {
    await writeFile(join(appDir, "js-app.js"), JS_APP);
    const js = await run(process.execPath, ["js-app.js"], { cwd: appDir, timeout: 30_000 });
    assert.equal(js.stdout.trim(), "Hello, Al!");
  });

  it("says how to get tsx when `upie app.ts` finds none", { timeout: 60_000 }, async () => {
    await writeFile(join(appDir, "app.ts"), TS_APP);
    const upie = startUpie(["app.ts", "--port", "0"]);
    assert.equal(await upie.exited, 1);
    assert.match(upie.output(), /app\.ts is TypeScript, and running it needs tsx[^\n]*npm install --save-dev tsx/);
  });

  it("compiles with `tsc --init`'s defaults on TypeScript 5.x and 7.x, with no \"types\" added", { timeout: 240_000 }, async () => {
    await run("npm", ["install", "--save-dev", "zod@^4", ...NPM_QUIET], { cwd: appDir, maxBuffer: 16 * 1024 * 1024 });
    await writeFile(join(appDir, "app.ts"), TS_APP);
    for (const [version, tsc] of Object.entries(COMPILERS)) {
      const project = join(appDir, `ts-${version}`);
      await mkdir(project);
      await writeFile(join(project, "app.ts"), TS_APP);
      await run(process.execPath, [tsc, "--init"], { cwd: project });
      const config = await readFile(join(project, "tsconfig.json"), "utf8");
      assert.match(config, /"types": \[\]/, `${version}'s tsc --init loads no @types by default`);
      const { stdout: shown } = await run(process.execPath, [tsc, "--version"], { cwd: project });
      assert.match(shown, new RegExp(`Version ${version[0]}\\.`));
      for (const extra of [[], ["--skipLibCheck", "false"]]) {
        const compiled = await run(process.execPath, [tsc, "-p", ".", "--noEmit", ...extra], { cwd: project, timeout: 120_000 }).catch((error) => error);
        assert.equal(compiled.code ?? 0, 0, `TypeScript ${version} ${extra.join(" ")}:\n${compiled.stdout}`);
      }
    }
  });

  it("runs `upie app.ts` once tsx is installed: a typed WebSocket route, then SIGTERM exits 0", { timeout: 240_000 }, async () => {
    await run("npm", ["install", "--save-dev", "tsx", "zod@^4", ...NPM_QUIET], { cwd: appDir, maxBuffer: 16 * 1024 * 1024 });
    await writeFile(join(appDir, "app.ts"), TS_APP);
    const upie = startUpie(["app.ts", "--port", "0"]);
    try {
      const [, port] = await upie.ready(/serving app\.ts:default on http:\/\/127\.0\.0\.1:(\d+) \(pid \d+; uWebSockets\.js: /);
      assert.equal(await (await fetch(`http://127.0.0.1:${port}/greet/Al`)).text(), "Hello, Al!");
      const refused = await fetch(`http://127.0.0.1:${port}/transfer`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      assert.equal(refused.status, 422);

      const socket = new WebSocket(`ws://127.0.0.1:${port}/moves`);
      await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
      const replies: string[] = [];
      socket.on("message", (data) => replies.push(String(data)));
      socket.send(JSON.stringify({ x: 2, y: 3 }));
      socket.send(JSON.stringify({ x: "no" }));
      for (let i = 0; i < 100 && replies.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(replies.map((r) => JSON.parse(r)), [{ sum: 5 }, { issues: 2 }]);
      const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
      upie.child.kill("SIGTERM");
      assert.equal(await closed, 1001);
      assert.equal(await upie.exited, 0);
    } finally {
      if (upie.child.exitCode === null) upie.child.kill("SIGKILL");
    }
  });

  // Runs after the test above, which installed tsx.
  it("reloads with `upie app.ts --reload` when the app is edited", { timeout: 120_000 }, async () => {
    const project = join(appDir, "reloading");
    await mkdir(project);
    await writeFile(join(project, "app.ts"), TS_APP);
    const upie = startUpie([join("reloading", "app.ts"), "--port", "0", "--reload"]);
    try {
      const [, port] = await upie.ready(/serving \S+ on http:\/\/127\.0\.0\.1:(\d+)/);
      assert.equal(await (await fetch(`http://127.0.0.1:${port}/`)).text(), "Welcome");
      await writeFile(join(project, "app.ts"), TS_APP.replace('return "Welcome"', 'return "Welcome back"'));
      await upie.ready(/changed; restarting[\s\S]*serving \S+ on http:\/\/127\.0\.0\.1:\d+/);
      assert.equal(await (await fetch(`http://127.0.0.1:${port}/`)).text(), "Welcome back");
      upie.child.kill("SIGINT");
      assert.equal(await upie.exited, 0);
    } finally {
      if (upie.child.exitCode === null) upie.child.kill("SIGKILL");
    }
  });
});
