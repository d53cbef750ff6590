import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { App, InvalidOptionError, LocalBroker } from "../../lib/index.js";
import { DEFAULT_WEBSOCKET_OPTIONS, resolveWebSocketOptions } from "../../lib/websocket-policy/websocket-options.js";

describe("resolveWebSocketOptions", () => {
  it("fills in finite defaults", () => {
    const options = resolveWebSocketOptions(undefined);
    assert.equal(options.maxPayloadLength, DEFAULT_WEBSOCKET_OPTIONS.maxPayloadLength);
    assert.equal(options.idleTimeout, 120);
    assert.equal(options.maxQueuedMessages, 1024);
    assert.equal(options.maxQueuedBytes, 1024 * 1024);
    assert.equal(options.sendPingsAutomatically, true);
    assert.equal(options.broker, undefined);
    assert.equal(options.messageRate, undefined, "no message budget unless asked");
    assert.ok(Object.isFrozen(options));
  });

  it("takes messageRate as { perSecond, burst } and rejects anything else with the option's name", () => {
    assert.deepEqual(resolveWebSocketOptions({ messageRate: { perSecond: 0.5, burst: 40 } }).messageRate, { perSecond: 0.5, burst: 40 });
    for (const bad of [null, 5, [], { perSecond: 0, burst: 1 }, { perSecond: 1, burst: 0.5 }, { perSecond: Infinity, burst: 1 }, { perSecond: 1 }, { perSecond: 1, burst: 1, per: 2 }]) {
      assert.throws(() => resolveWebSocketOptions({ messageRate: bad as never }), (error: unknown) => error instanceof InvalidOptionError && /websocket\.messageRate/.test(error.message));
    }
  });

  it("raises the default queue byte bound to the payload limit", () => {
    assert.equal(resolveWebSocketOptions({ maxPayloadLength: 4 << 20 }).maxQueuedBytes, 4 << 20);
  });

  it("accepts idleTimeout 0 and 8..960", () => {
    for (const idleTimeout of [0, 8, 120, 960]) assert.equal(resolveWebSocketOptions({ idleTimeout }).idleTimeout, idleTimeout);
  });

  it("rejects idleTimeout values uWS would abort the process on", () => {
    for (const idleTimeout of [1, 7, 961, -1, 8.5]) {
      assert.throws(() => resolveWebSocketOptions({ idleTimeout }), InvalidOptionError, String(idleTimeout));
    }
  });

  it("rejects non-positive, fractional, huge or non-numeric sizes with the option's name", () => {
    for (const name of ["maxPayloadLength", "maxBackpressure", "maxSubscriberBackpressure", "maxQueuedBytes"] as const) {
      for (const value of [0, -1, 1.5, 2 ** 31, Number.NaN, Infinity, "10"]) {
        assert.throws(() => resolveWebSocketOptions({ [name]: value } as never), (error: unknown) => {
          assert.ok(error instanceof InvalidOptionError);
          assert.match(error.message, new RegExp(`websocket\\.${name}`));
          return true;
        });
      }
    }
  });

  it("rejects a queue too small for one allowed message", () => {
    assert.throws(() => resolveWebSocketOptions({ maxPayloadLength: 2048, maxQueuedBytes: 1024 }), /maxQueuedBytes/);
  });

  it("rejects a subscriber limit below the send limit", () => {
    assert.throws(() => resolveWebSocketOptions({ maxBackpressure: 4096, maxSubscriberBackpressure: 1024 }), /maxSubscriberBackpressure/);
  });

  it("rejects a bad queue count, lifetime and ping flag", () => {
    assert.throws(() => resolveWebSocketOptions({ maxQueuedMessages: 0 }), /maxQueuedMessages/);
    assert.throws(() => resolveWebSocketOptions({ maxLifetime: 241 }), /maxLifetime/);
    assert.throws(() => resolveWebSocketOptions({ sendPingsAutomatically: "yes" as never }), /sendPingsAutomatically/);
  });

  it("rejects unknown options and names compression as unsupported", () => {
    assert.throws(() => resolveWebSocketOptions({ idletimeout: 10 } as never), /Unknown option 'websocket.idletimeout'/);
    assert.throws(() => resolveWebSocketOptions({ compression: 1 } as never), /permessage-deflate/);
  });

  it("accepts a broker and rejects something that is not one", () => {
    const broker = new LocalBroker();
    assert.equal(resolveWebSocketOptions({ broker }).broker, broker);
    assert.throws(() => resolveWebSocketOptions({ broker: {} as never }), /websocket.broker/);
  });

  it("is checked when the app is constructed", () => {
    assert.throws(() => new App({ websocket: { idleTimeout: 5 } }), InvalidOptionError);
  });
});
