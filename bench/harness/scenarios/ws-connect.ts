/**
 * WebSocket connections opened per second: slots each open a connection,
 * count it when the handshake completes (Socket.IO: when its `40` connect
 * arrives), reset it and open the next.
 *
 * @module
 */
import { toSample, wsLoad } from "../load.js";
import { wsScenario } from "../ws-scenario.js";

export default wsScenario({
  name: "ws-connect",
  title: "WebSocket connections opened per second",
  summary:
    "Concurrent slots each open a TCP connection, send the upgrade to `/echo`, wait for the 101 (and the accept), then reset it (RST, so no TIME_WAIT) and start over. Latency is connect → open.",
  metric: { unit: "conn/s", higherIsBetter: true },
  async measure(ctx) {
    const { ws, meter } = await wsLoad(ctx, { mode: "connect", concurrency: ctx.settings.connectConcurrency });
    return toSample(meter, { value: ws.rate, p50Ms: ws.p50Ms, p99Ms: ws.p99Ms, errors: ws.errors });
  },
});
