import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, it } from "node:test";
import { App, ERRORS, UwsUnavailableError } from "../../../lib/index.js";
import { firstNativeBuild, loadUws } from "../../../lib/server/uws/uws-loader.js";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

class Site extends App {
  async index() { return "up"; }
}

describe("the uWebSockets.js loader", () => {
  it("loads a native build here and says which one serves", async () => {
    const server = await new Site().listen({ port: 0, host: "127.0.0.1" });
    try {
      assert.match(server.uws.package, /^@btc-vision\/uwebsockets\.js$|^@trufflesuite\/uws-js-unofficial$|^uWebSockets\.js$/);
      assert.match(server.uws.version, /^20\.\d+\.\d+$/);
      assert.deepEqual(server.uws, { package: loadUws().package, version: loadUws().version });
      assert.equal(await (await fetch(`http://127.0.0.1:${server.port}/`)).text(), "up");
    } finally {
      await server.close();
    }
  });

  it("picks the newest build that loads: 20.57 wherever its binary fits", () => {
    const glibc = (process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header.glibcVersionRuntime ?? "";
    const [major = 0, minor = 0] = glibc.split(".").map(Number);
    const newGlibc = major > 2 || (major === 2 && minor >= 38);
    const expected = newGlibc ? "@btc-vision/uwebsockets.js" : "@trufflesuite/uws-js-unofficial";
    assert.equal(loadUws().package, expected);
  });

  it("tries builds in order and takes the first that loads", () => {
    const uws = loadUws().uws;
    const order: string[] = [];
    const build = firstNativeBuild([
      { label: "a", load: () => { order.push("a"); return undefined; } },
      { label: "b", load: () => { order.push("b"); throw new Error("wrong ABI"); } },
      { label: "c", load: () => { order.push("c"); return { uws, package: "c", version: "20.99.0" }; } },
      { label: "d", load: () => { order.push("d"); throw new Error("never tried"); } },
    ]);
    assert.deepEqual(order, ["a", "b", "c"]);
    assert.equal(build.package, "c");
  });

  it("refuses with UPIE_ERR_UWS_UNAVAILABLE naming the runtime, each reason and the fix when nothing loads", () => {
    const error = (() => {
      try {
        firstNativeBuild([
          { label: "uWebSockets.js (your override)", load: () => undefined },
          { label: "@btc-vision/uwebsockets.js", load: () => { throw new Error("This version…\n\nError: libc.so.6: version `GLIBC_2.38' not found"); } },
        ]);
      } catch (caught) {
        return caught;
      }
      assert.fail("firstNativeBuild did not throw");
    })();
    assert.ok(error instanceof UwsUnavailableError);
    assert.equal(error.code, ERRORS.UWS_UNAVAILABLE.code);
    assert.ok(error.message.includes(process.version), error.message);
    assert.ok(error.message.includes(`ABI ${process.versions.modules}`), error.message);
    assert.ok(error.message.includes(`${process.platform}-${process.arch}`), error.message);
    assert.ok(error.message.includes("uWebSockets.js (your override): none installed"), error.message);
    assert.ok(error.message.includes("GLIBC_2.38' not found"), error.message);
    assert.ok(error.message.includes(`"overrides": { "uWebSockets.js": "github:uNetworking/uWebSockets.js#v20.57.0" }`), error.message);
  });

  it("never prints a fallback warning when a server starts", async () => {
    const script = `
      import { App } from "./lib/index.js";
      class Site extends App { async index() { return "up"; } }
      const server = await new Site().listen({ port: 0, host: "127.0.0.1" });
      console.log(await (await fetch("http://127.0.0.1:" + server.port + "/")).text());
      await server.close();`;
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: ROOT });
    assert.equal(stdout.trim(), "up");
    assert.doesNotMatch(stderr, /fall(ing)? ?back|not compatible|performance may be degraded/i);
  });

  it("is not loaded by import \"upie\": the TestClient runs without any uWS build", async () => {
    const script = `
      import { createRequire } from "node:module";
      import { App, TestClient } from "./lib/index.js";
      class Site extends App { async index() { return "up"; } }
      const res = await new TestClient(new Site()).get("/");
      const loaded = Object.keys(createRequire(import.meta.url).cache).filter((path) => /uws|uwebsockets/i.test(path));
      console.log(JSON.stringify({ text: res.text, loaded }));`;
    const { stdout } = await run(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: ROOT });
    assert.deepEqual(JSON.parse(stdout), { text: "up", loaded: [] });
  });
});
