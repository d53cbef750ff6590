/**
 * register.ts: importing it makes uWebSockets.js the server `App.listen()`
 * uses, lazily. Run in a child process: this process has registered it already.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, it } from "node:test";
import { ERRORS } from "../../../lib/protocol/errors.js";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

describe("registering the uWS adapter", () => {
  it("is what lets App.listen() serve; without it listen() refuses with UPIE_ERR_NO_SERVER_ADAPTER, and uWS loads only at listen()", async () => {
    const script = `
      import { createRequire } from "node:module";
      import { App } from "./lib/core/app.js";
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((path) => /uws|uwebsockets/i.test(path));
      class Site extends App { async index() { return "up"; } }
      const steps = [];
      try {
        await new Site().listen({ port: 0, host: "127.0.0.1" });
        steps.push("served without an adapter");
      } catch (error) {
        steps.push(error.name + " " + error.code);
      }
      await import("./lib/server/uws/register.js");
      steps.push("uWS loaded after register: " + loaded());
      const server = await new Site().listen({ port: 0, host: "127.0.0.1" });
      steps.push("uWS loaded after listen: " + loaded());
      steps.push(await (await fetch("http://127.0.0.1:" + server.port + "/")).text());
      await server.close();
      console.log(JSON.stringify(steps));`;
    const { stdout } = await run(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: ROOT });
    assert.deepEqual(JSON.parse(stdout), [
      `NoServerAdapterError ${ERRORS.NO_SERVER_ADAPTER.code}`,
      "uWS loaded after register: false",
      "uWS loaded after listen: true",
      "up",
    ]);
  });
});
