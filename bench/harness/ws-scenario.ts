/**
 * The common shape of the WebSocket scenarios: their servers, and why Express
 * sits them out. Each scenario file gives the rest (what to load and measure).
 *
 * @module
 */
import type { Scenario } from "./scenario.js";
import { WS_ONLY_NOTE, WS_SERVERS, type ServerName } from "./servers.js";

/**
 * A WebSocket scenario.
 *
 * @param spec - the scenario without its server list (default {@link WS_SERVERS}) and notes.
 */
export function wsScenario(spec: Omit<Scenario, "servers" | "notApplicable"> & { servers?: readonly ServerName[] }): Scenario {
  return { ...spec, servers: spec.servers ?? WS_SERVERS, notApplicable: WS_ONLY_NOTE };
}
