import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { it } from "node:test";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");

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

const TS_APP = `
import { App, HttpError, TestClient, type Server, type UploadedFile } from "upie";
import { runAdapterContract, testClientAdapter, type AdapterUnderTest } from "upie/testing";

class MyApp extends App {
  async greet(name: string = "Guest"): Promise<string> { return \`Hello, \${name}!\`; }
  async upload(file: UploadedFile): Promise<number> { return file.size; }
  async secret(): Promise<never> { throw new HttpError(403); }
}

const app = new MyApp({ limits: { bodySize: 1024 } });
const inProcess = await new TestClient(app).get("/greet/Tc");
const server: Server = await app.listen({ port: 0, host: "127.0.0.1" });
try {
  const text: string = await (await fetch(\`http://127.0.0.1:\${server.port}/greet/Al\`)).text();
  const adapter: AdapterUnderTest = testClientAdapter;
  console.log(text, inProcess.text, adapter.name, typeof runAdapterContract);
} finally {
  await server.close();
}
`;

it("installs from its tarball and serves from plain JS and from TypeScript", { timeout: 240_000 }, async () => {
  const work = await mkdtemp(join(tmpdir(), "upie-pack-"));
  try {
    await run("npm", ["pack", "--pack-destination", work], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
    const tarballs = (await readdir(work)).filter((name) => name.endsWith(".tgz"));
    assert.equal(tarballs.length, 1);

    const appDir = join(work, "app");
    await mkdir(appDir);
    await writeFile(join(appDir, "package.json"), JSON.stringify({ name: "pack-test-app", private: true, type: "module" }));
    await run("npm", ["install", join(work, tarballs[0]!), "--prefer-offline", "--no-audit", "--no-fund"], {
      cwd: appDir,
      maxBuffer: 16 * 1024 * 1024,
    });

    await writeFile(join(appDir, "js-app.js"), JS_APP);
    const js = await run(process.execPath, ["js-app.js"], { cwd: appDir, timeout: 30_000 });
    assert.equal(js.stdout.trim(), "Hello, Al!");

    await writeFile(join(appDir, "ts-app.ts"), TS_APP);
    await run(process.execPath, [
      TSC, "ts-app.ts",
      "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022", "--strict",
      "--typeRoots", join(ROOT, "node_modules", "@types"), "--types", "node",
    ], { cwd: appDir, timeout: 120_000 });
    const ts = await run(process.execPath, ["ts-app.js"], { cwd: appDir, timeout: 30_000 });
    assert.equal(ts.stdout.trim(), "Hello, Al! Hello, Tc! TestClient function");
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});
