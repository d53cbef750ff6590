/**
 * Started exactly like a bench server (same runner, same Node, same upie
 * build), it prints which Node runs and which uWebSockets.js build upie's
 * loader picks there, as one JSON line. The harness prints both in every
 * table's header: a ratio means something only next to the uWS version it
 * divides by.
 *
 * @module
 */
import { loadUws } from "../../lib/server/uws/uws-loader.js";

const { package: uwsPackage, version: uwsVersion } = loadUws();
process.stdout.write(`${JSON.stringify({ nodeVersion: process.version, uwsPackage, uwsVersion })}\n`);
