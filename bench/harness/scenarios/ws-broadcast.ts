/**
 * WebSocket broadcast fan-out: one publisher, 1000 subscribers; every message
 * the publisher sends is published to a topic all subscribers joined.
 * Metric: deliveries per second counted at the subscribers.
 *
 * @module
 */
import { toSample, wsLoad } from "../load.js";
import { wsScenario } from "../ws-scenario.js";

export default wsScenario({
  name: "ws-broadcast",
  title: "WebSocket broadcast fan-out",
  summary:
    "Subscribers connect to `/sub` (and join a topic); one publisher on `/pub` keeps a window of 32-byte messages in flight; the server publishes each to the topic.",
  metric: { unit: "deliveries/s", higherIsBetter: true },
  async measure(ctx) {
    const s = ctx.settings;
    const { ws, meter } = await wsLoad(ctx, {
      mode: "broadcast",
      path: "/sub",
      pubPath: "/pub",
      connections: s.subscribers,
      window: s.broadcastWindow,
      batch: s.broadcastBatch,
    });
    const notes = [`${s.subscribers} subscribers`];
    if (ws.lost) notes.push(`${ws.lost} deliveries lost`);
    if (ws.stalls) notes.push(`${ws.stalls} stalls`);
    return toSample(meter, { value: ws.rate, p50Ms: ws.p50Ms, p99Ms: ws.p99Ms, errors: ws.errors + (ws.lost ?? 0), notes });
  },
});
