/**
 * Every server the harness can run, in table order, and what each one is:
 * its label, the file in bench/servers/ that runs it (variants of one file
 * are told apart by an environment switch), whether it is a floor (raw uWS
 * written the way a framework's API forces, the bound a target compares
 * upie with), and why it cannot run yet when that is so.
 *
 * To add a server, add it here and give it a file in bench/servers/.
 *
 * @module
 */

/** Every server, in table order; raw uWS first because every ratio divides by it. */
export const SERVERS = [
  "uws",
  "uws-async",
  "uws-await",
  "upie",
  "upie-plain",
  "upie-fast",
  "hyper-express",
  "hyper-express-async",
  "fastify",
  "express",
  "node-http",
  "socketio",
] as const;

export type ServerName = (typeof SERVERS)[number];

/** What the harness knows about a server. */
export interface ServerInfo {
  /** How tables, charts and targets name it. */
  label: string;
  /** Its file in bench/servers/, without `.ts`. */
  entry: string;
  /** The switch its file reads to run this variant. */
  env?: Record<string, string>;
  /** A floor: raw uWS doing what the API being measured must do. */
  floor?: boolean;
  /**
   * What the upie under test must have for this server to run (the runtime
   * probe reports it), and why it sits out when it has not: then the row is
   * n/a and no target gets a number from it.
   */
  requires?: { feature: keyof UpieFeatures; missing: string };
  /** Its colour in the charts. */
  color: string;
}

/** What the upie under test offers, as the runtime probe finds it in the build the servers load. */
export interface UpieFeatures {
  /** `WebSocket.prototype.onMessage`: messages delivered as calls (issue 21). */
  webSocketFastPath: boolean;
}

/**
 * Why `name` cannot run against this upie, or undefined when it can.
 *
 * @param features - what the runtime probe found.
 */
export function unavailable(name: ServerName, features: UpieFeatures): string | undefined {
  const requires = SERVER_INFO[name].requires;
  return requires === undefined || features[requires.feature] ? undefined : requires.missing;
}

/** The variant switch the upie and hyper-express files read. */
export const VARIANT_ENV = "BENCH_VARIANT";

export const SERVER_INFO: Record<ServerName, ServerInfo> = {
  uws: { label: "uWebSockets.js (raw)", entry: "uws", color: "#6b7280" },
  "uws-async": {
    label: "raw uWS, answering from a microtask",
    entry: "uws-async",
    floor: true,
    color: "#9ca3af",
  },
  "uws-await": {
    label: "raw uWS + for await (awaitable floor)",
    entry: "uws-await",
    floor: true,
    color: "#c4c8cf",
  },
  upie: { label: "upie (async methods)", entry: "upie", color: "#e4572e" },
  "upie-plain": { label: "upie (plain methods)", entry: "upie", env: { [VARIANT_ENV]: "plain" }, color: "#f29e4c" },
  // Issue 21's WebSocket fast path (`ws.onMessage`): runs once the upie under test has it.
  "upie-fast": {
    label: "upie (WebSocket fast path)",
    entry: "upie",
    env: { [VARIANT_ENV]: "fast" },
    requires: { feature: "webSocketFastPath", missing: "this upie has no WebSocket fast path (`ws.onMessage`, issue 21)" },
    color: "#a8321b",
  },
  "hyper-express": { label: "hyper-express", entry: "hyper-express", color: "#4c78a8" },
  "hyper-express-async": {
    label: "hyper-express (async handlers)",
    entry: "hyper-express",
    env: { [VARIANT_ENV]: "async" },
    color: "#86a9d4",
  },
  fastify: { label: "Fastify 5", entry: "fastify", color: "#54a24b" },
  express: { label: "Express 5", entry: "express", color: "#b279a2" },
  "node-http": { label: "node:http + ws", entry: "node-http", color: "#eeca3b" },
  socketio: { label: "Socket.IO 4", entry: "socketio", color: "#72b7b2" },
};

/** How each server is named in tables and charts. */
export const SERVER_LABELS = Object.fromEntries(SERVERS.map((name) => [name, SERVER_INFO[name].label])) as Record<ServerName, string>;

/** The environment variable that tells bench/servers/hyper-express.ts which package to load. */
export const HYPER_EXPRESS_ENV = "HYPER_EXPRESS_PACKAGE";

/**
 * The hyper-express that runs on the uWS build upie's loader picked, so that
 * it shares raw uWS's and upie's build: 6.14 pins uWS 20.30 (native binaries
 * for Node ≤ 20); the @btc-vision fork 6.17 runs on @btc-vision/uwebsockets.js
 * 20.57 (Node 20–25, glibc ≥ 2.38).
 *
 * @param uwsPackage - the package upie's loader reported (the runtime probe's `uwsPackage`).
 */
export function hyperExpressFor(uwsPackage: string): string {
  return uwsPackage === "@btc-vision/uwebsockets.js" ? "@btc-vision/hyper-express" : "hyper-express";
}

/** True for a server name the harness knows. */
export function isServerName(name: string): name is ServerName {
  return (SERVERS as readonly string[]).includes(name);
}

/** The HTTP scenarios' servers (Socket.IO has no HTTP routes of its own). */
export const HTTP_SERVERS: readonly ServerName[] = ["uws", "upie", "hyper-express", "fastify", "express", "node-http"];

/**
 * The servers of the GET scenarios (hello, JSON, params), where issue 21's
 * HTTP targets are: the plain servers plus raw uWS answering from a microtask,
 * upie's plain methods and hyper-express's async handlers.
 */
export const GET_SERVERS: readonly ServerName[] = ["uws", "uws-async", "upie", "upie-plain", "hyper-express", "hyper-express-async", "fastify", "express", "node-http"];

/** The WebSocket scenarios' servers. Express's WebSockets would be node:http's `ws` again. */
export const WS_SERVERS: readonly ServerName[] = ["uws", "upie", "hyper-express", "fastify", "node-http", "socketio"];

/** Echo and idle memory, where issue 21's WebSocket targets are: plus the awaitable floor and upie's fast path. */
export const WS_TARGET_SERVERS: readonly ServerName[] = ["uws", "uws-await", "upie", "upie-fast", "hyper-express", "fastify", "node-http", "socketio"];

/** Why a server sits out a kind of scenario (printed as n/a). */
export const HTTP_ONLY_NOTE: Partial<Record<ServerName, string>> = {
  socketio: "WebSocket scenarios only",
};
export const WS_ONLY_NOTE: Partial<Record<ServerName, string>> = {
  express: "Express + ws is the node:http + ws row (same `ws` server)",
};
