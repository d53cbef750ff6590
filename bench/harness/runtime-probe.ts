/**
 * Started exactly like a bench server (same runner, same Node, same upie
 * build), it prints which Node runs, which uWebSockets.js build upie's loader
 * picks there, and what that upie offers, as one JSON line. The harness
 * prints the first two in every table's header (a ratio means something only
 * next to the uWS version it divides by) and runs a server needing a feature
 * only when the upie under test has it.
 *
 * @module
 */
import { WebSocket } from "../../lib/index.js";
import { loadUws } from "../../lib/server/uws/uws-loader.js";
import type { UpieFeatures } from "./servers.js";

const { package: uwsPackage, version: uwsVersion } = loadUws();
const features: UpieFeatures = {
  webSocketFastPath: typeof (WebSocket.prototype as { onMessage?: unknown }).onMessage === "function",
};
process.stdout.write(`${JSON.stringify({ nodeVersion: process.version, uwsPackage, uwsVersion, features })}\n`);
