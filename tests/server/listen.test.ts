import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { App, InvalidOptionError } from "../../lib/index.js";
import { recordingLogger } from "./helpers.js";

class Site extends App {
  async index() { return "up"; }
}

describe("listen()", () => {
  for (const options of [{ port: -1 }, { port: 65536 }, { port: 1.5 }, { port: "80" as unknown as number }, { port: Number.NaN }, { host: "" }]) {
    it(`rejects ${JSON.stringify(options)} with InvalidOptionError instead of reaching uWS`, async () => {
      await assert.rejects(new Site({ logger: recordingLogger() }).listen({ host: "127.0.0.1", ...options }), InvalidOptionError);
    });
  }

  it("rejects a port already in use, and the first server keeps serving", async () => {
    const first = await new Site({ logger: recordingLogger() }).listen({ port: 0, host: "127.0.0.1" });
    try {
      await assert.rejects(new Site({ logger: recordingLogger() }).listen({ port: first.port, host: "127.0.0.1" }), /could not listen/);
      assert.equal(await (await fetch(`http://127.0.0.1:${first.port}/`)).text(), "up");
    } finally {
      await first.close();
    }
  });

  it("serves two apps side by side on their own ports", async () => {
    class Other extends App {
      async index() { return "other"; }
    }
    const a = await new Site({ logger: recordingLogger() }).listen({ port: 0, host: "127.0.0.1" });
    const b = await new Other({ logger: recordingLogger() }).listen({ port: 0, host: "127.0.0.1" });
    try {
      assert.notEqual(a.port, b.port);
      assert.equal(await (await fetch(`http://127.0.0.1:${a.port}/`)).text(), "up");
      assert.equal(await (await fetch(`http://127.0.0.1:${b.port}/`)).text(), "other");
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
