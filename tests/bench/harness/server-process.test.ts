import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ServerProcess } from "../../../bench/harness/server-process.js";

/** A stand-in server: prints a line before READY, announces, then answers each stdin line. */
const SCRIPT = `
process.stdout.write("booting\\nREADY 4321\\n");
require("node:readline").createInterface({ input: process.stdin }).on("line", (line) => {
  if (line === "quit") process.exit(0);
  process.stdout.write(JSON.stringify({ got: line, env: process.env.BENCH_VARIANT ?? null }) + "\\n");
});
`;

const start = (script = SCRIPT, env?: Record<string, string>) =>
  ServerProcess.start("stand-in", { command: process.execPath, args: ["-e", script], env }, null);

describe("ServerProcess", () => {
  it("reads the port from the READY line, whatever came before it", async () => {
    const server = await start();
    try {
      assert.equal(server.port, 4321);
      assert.equal(server.alive, true);
    } finally {
      await server.stop();
    }
    assert.equal(server.alive, false);
  });

  it("answers asks in order, with the command's environment added", async () => {
    const server = await start(SCRIPT, { BENCH_VARIANT: "plain" });
    try {
      const [a, b] = await Promise.all([server.askJson<{ got: string }>("mark"), server.askJson<{ got: string }>("stats")]);
      assert.deepEqual([a.got, b.got], ["mark", "stats"]);
      assert.deepEqual(await server.askJson("x"), { got: "x", env: "plain" });
    } finally {
      await server.stop();
    }
  });

  it("rejects an ask the server ends without answering", async () => {
    const server = await start();
    await assert.rejects(server.ask("quit"), /ended before answering "quit"/);
    await server.stop();
  });

  it("rejects when the process exits before READY, with its error line", async () => {
    await assert.rejects(start(`console.error("Error: no port for you"); process.exit(3);`), /exited \(3\) before READY: Error: no port for you/);
  });
});
