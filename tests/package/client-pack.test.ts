/**
 * `import { WSClient } from "upie/client"` from the packed package: in Node
 * (plain JS and TypeScript), without loading uWS or any server module, and
 * bundled for a browser.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { it } from "node:test";

import { build } from "esbuild";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");

/** Fails the import of anything from uWS or upie's server side (the error catalogue, a leaf module, is shared). */
const GUARD = `
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (/uwebsockets|\\/dist\\/(server\\/|index\\.js|core\\/(?!errors\\.js))/i.test(result.url)) throw new Error("upie/client loaded " + result.url);
  return result;
}
`;

const JS_CLIENT = `
import { register } from "node:module";
register("./guard.mjs", import.meta.url);
const { WebSocketServer } = await import("ws");
const { WSClient, QueueFullError } = await import("upie/client");

const wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
await new Promise((resolve) => wss.once("listening", resolve));
wss.on("connection", (socket) => socket.on("message", (data, binary) => socket.send(data, { binary })));
const got = [];
const client = new WSClient(\`ws://127.0.0.1:\${wss.address().port}/\`, { handle: (m) => got.push(m) });
await client.connect();
await client.send({ hello: "packed" });
while (got.length < 1) await new Promise((r) => setTimeout(r, 10));
await client.close();
wss.close();
console.log(got[0], typeof QueueFullError);
`;

const TS_CLIENT = `
import { WSClient, ClientTimeoutError, type WSClientOptions } from "upie/client";
const options: WSClientOptions = { maxQueue: 10, reconnect: { initialDelayMs: 50 }, handle: (m: string | Uint8Array) => void m };
const client = new WSClient("ws://127.0.0.1:1/", options);
const sent: Promise<void> = client.send({ a: 1 });
sent.catch(() => {});
await client.close();
console.log(client.connected, ClientTimeoutError.name);
`;

it("imports WSClient from upie/client in Node (JS and TS) and bundles it for browsers", { timeout: 240_000 }, async () => {
  const work = await mkdtemp(join(tmpdir(), "upie-client-pack-"));
  try {
    await run("npm", ["pack", "--pack-destination", work], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
    const tarballs = (await readdir(work)).filter((name) => name.endsWith(".tgz"));
    assert.equal(tarballs.length, 1);
    const appDir = join(work, "app");
    await mkdir(appDir);
    await writeFile(join(appDir, "package.json"), JSON.stringify({ name: "client-pack-test", private: true, type: "module" }));
    await run("npm", ["install", join(work, tarballs[0]!), "--prefer-offline", "--no-audit", "--no-fund"], { cwd: appDir, maxBuffer: 16 * 1024 * 1024 });

    await writeFile(join(appDir, "guard.mjs"), GUARD);
    await writeFile(join(appDir, "client.js"), JS_CLIENT);
    const js = await run(process.execPath, ["client.js"], { cwd: appDir, timeout: 30_000 });
    assert.equal(js.stdout.trim(), '{"hello":"packed"} function');

    await writeFile(join(appDir, "client-ts.ts"), TS_CLIENT);
    await run(process.execPath, [
      TSC, "client-ts.ts",
      "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022", "--strict",
      "--typeRoots", join(ROOT, "node_modules", "@types"), "--types", "node",
    ], { cwd: appDir, timeout: 120_000 });
    const ts = await run(process.execPath, ["client-ts.js"], { cwd: appDir, timeout: 30_000 });
    assert.equal(ts.stdout.trim(), "false ClientTimeoutError");

    await writeFile(join(appDir, "page.js"), `import { WSClient } from "upie/client";\nglobalThis.WSClient = WSClient;\n`);
    const bundle = await build({ entryPoints: [join(appDir, "page.js")], bundle: true, format: "esm", platform: "browser", write: false, absWorkingDir: appDir, logLevel: "silent" });
    const code = bundle.outputFiles[0]!.text;
    assert.match(code, /WSClient = class|class WSClient/);
    assert.doesNotMatch(code, /from\s*["']node:/);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});
