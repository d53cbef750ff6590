/**
 * The registry `App.listen()` finds its server in. This file imports the
 * core alone, never `upie`'s entry point, so no adapter is registered until
 * the test registers one (each test file runs in its own process).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { App, appCore } from "../../lib/core/app.js";
import type { AppCore } from "../../lib/core/app-core.js";
import { serverAdapter, useServerAdapter, type Listen, type ListenOptions, type Server } from "../../lib/core/server-adapter.js";
import { ERRORS, NoServerAdapterError } from "../../lib/protocol/errors.js";

// What an adapter must give back: where it listens, which build, and a way to stop.
const server = { port: 1, host: "memory", uws: { package: "none", version: "0" }, close: async () => {} } satisfies Server;
const options = { port: 0, host: "::1", reusePort: true } satisfies ListenOptions;
// @ts-expect-error a Server names the build serving it
const unnamed: Server = { port: 1, host: "memory", close: async () => {} };
// @ts-expect-error the port is a number
const textPort: ListenOptions = { port: "8000" };
// @ts-expect-error listen resolves once the port is bound: it returns a promise
const synchronous: Listen = () => server;
void [unnamed, textPort, synchronous, options];

describe("serverAdapter", () => {
  it("rejects with UPIE_ERR_NO_SERVER_ADAPTER before any adapter is registered, and so does listen()", async () => {
    const noAdapter = (error: unknown) => error instanceof NoServerAdapterError && error.code === ERRORS.NO_SERVER_ADAPTER.code && /import App from "upie"/.test(error.message);
    await assert.rejects(serverAdapter(), noAdapter);
    await assert.rejects(new App().listen({ port: 0 }), noAdapter);
  });

  it("hands listen() the registered adapter, loading it on each call; the last registration wins", async () => {
    const served: Array<{ name: string; core: AppCore; options: ListenOptions }> = [];
    let loads = 0;
    const adapter = (name: string): Listen => async (core, listenOptions) => {
      served.push({ name, core, options: listenOptions });
      return { ...server, host: name };
    };
    useServerAdapter(async () => adapter("first"));
    useServerAdapter(async () => {
      loads++;
      return adapter("second");
    });
    const app = new App();
    const listening = await app.listen({ port: 0, host: "127.0.0.1" });
    await app.listen();
    assert.equal(listening.host, "second");
    assert.equal(loads, 2);
    assert.deepEqual(served.map(({ name }) => name), ["second", "second"]);
    assert.equal(served[0]!.core, appCore(app));
    assert.deepEqual(served.map((s) => s.options), [{ port: 0, host: "127.0.0.1" }, {}]);
    assert.equal(typeof (await serverAdapter()), "function");
  });

  it("passes on a loader's failure as listen()'s rejection", async () => {
    useServerAdapter(async () => { throw new Error("adapter failed to load"); });
    await assert.rejects(new App().listen(), /adapter failed to load/);
  });
});
