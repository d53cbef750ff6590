/**
 * Idle WebSocket memory once the server has been idle 90 s: what a
 * server holding many quiet sockets keeps (see ws-idle.ts for the two holds).
 *
 * @module
 */
import { idleScenario } from "./ws-idle.js";

/** Past V8's memory reducer, which gives the young generation's pages back 10-60 s after the burst (at 60 s it had not run in 2 of 3 runs of upie). */
const SETTLE_S = 90;

export default idleScenario({
  name: "ws-idle-settled",
  title: "Idle WebSocket memory, settled",
  holdS: SETTLE_S,
  summary: `read after ${SETTLE_S} s idle`,
});
