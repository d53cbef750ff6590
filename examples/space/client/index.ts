/**
 * The space's client SDK: `GatherClient` and what it is made of.
 *
 * @module
 */
export { GatherClient, GatherRefusedError, type GatherClientOptions, type ActionMethod } from "./gather-client.js";
export { actionSpecs, type ActionSpec } from "./actions.js";
export { formatLogLine, type LogLevel } from "./log.js";
export type { SpaceBatch, SpaceEvent } from "../schema.js";
