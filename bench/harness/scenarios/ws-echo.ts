/**
 * WebSocket echo: N connections each keep a window of small text messages in
 * flight; every reply counts. Metric: messages echoed per second.
 *
 * @module
 */
import { toSample, wsLoad } from "../load.js";
import { WS_TARGET_SERVERS } from "../servers.js";
import { wsScenario } from "../ws-scenario.js";

export default wsScenario({
  name: "ws-echo",
  title: "WebSocket echo",
  summary:
    "Connections to `/echo` each keep a window of 32-byte text messages in flight (pre-built masked frames, written in batches); the server sends each one back.",
  metric: { unit: "msg/s", higherIsBetter: true },
  servers: WS_TARGET_SERVERS,
  async measure(ctx) {
    const { ws, meter } = await wsLoad(ctx, { mode: "echo", path: "/echo" });
    return toSample(meter, { value: ws.rate, p50Ms: ws.p50Ms, p99Ms: ws.p99Ms, errors: ws.errors });
  },
});
