/**
 * WSClient's options are checked when the client is made, not at the first
 * failure hours later: each bad one is refused with InvalidOptionError
 * (UPIE_ERR_INVALID_OPTION) naming it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { ERRORS } from "../../lib/index.js";
import { InvalidOptionError, WSClient, type WSClientOptions } from "../../lib/ws-client/index.js";
import { quietLogger } from "./helpers.js";

function refusedNaming(name: string) {
  return (error: unknown) => error instanceof InvalidOptionError && error.code === ERRORS.INVALID_OPTION.code && error.message.includes(name);
}

describe("WSClient options", () => {
  it("refuses a url that is not ws:// or wss://", () => {
    for (const url of ["http://x", "x", "", "wsx://x", 42 as unknown as string]) assert.throws(() => new WSClient(url), refusedNaming("url"), String(url));
  });

  it("accepts ws:// and wss:// in any case", async () => {
    for (const url of ["ws://127.0.0.1:1/", "WSS://127.0.0.1:1/"]) {
      const client = new WSClient(url, { logger: quietLogger(), reconnect: { initialDelayMs: 10_000 } });
      await client.close();
    }
  });

  const positive: Array<[string, (value: number) => WSClientOptions]> = [
    ["timeoutMs", (value) => ({ timeoutMs: value })],
    ["sendTimeoutMs", (value) => ({ sendTimeoutMs: value })],
    ["maxQueue", (value) => ({ maxQueue: value })],
    ["maxMessageBytes", (value) => ({ maxMessageBytes: value })],
    ["maxUnhandledBytes", (value) => ({ maxUnhandledBytes: value })],
    ["maxUnhandledMessages", (value) => ({ maxUnhandledMessages: value })],
    ["reconnect.initialDelayMs", (value) => ({ reconnect: { initialDelayMs: value } })],
    ["reconnect.maxDelayMs", (value) => ({ reconnect: { maxDelayMs: value } })],
    ["heartbeat.intervalMs", (value) => ({ heartbeat: { intervalMs: value } })],
  ];
  for (const [name, options] of positive) {
    it(`refuses a ${name} that is not a positive finite number`, () => {
      for (const value of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, "5" as unknown as number]) {
        assert.throws(() => new WSClient("ws://127.0.0.1:1/", options(value)), refusedNaming(name), `${name}: ${String(value)}`);
      }
    });
  }

  it("takes 0 for receiveTimeoutMs and reconnect.healthyAfterMs (off), but nothing negative", async () => {
    const client = new WSClient("ws://127.0.0.1:1/", { receiveTimeoutMs: 0, reconnect: { healthyAfterMs: 0, initialDelayMs: 10_000 }, logger: quietLogger() });
    await client.close();
    assert.throws(() => new WSClient("ws://127.0.0.1:1/", { receiveTimeoutMs: -1 }), refusedNaming("receiveTimeoutMs"));
    assert.throws(() => new WSClient("ws://127.0.0.1:1/", { reconnect: { healthyAfterMs: -1 } }), refusedNaming("reconnect.healthyAfterMs"));
  });

  it("refuses a heartbeat without an interval", () => {
    assert.throws(() => new WSClient("ws://127.0.0.1:1/", { heartbeat: {} as never }), refusedNaming("heartbeat.intervalMs"));
  });
});
