/**
 * upie's space: a Gather-style 2D space server. Players walk a tile map,
 * chat, set their profile, whisper, ring, edit the map (by role) and trade
 * items — every action of Gather's client — over binary protobuf WebSocket
 * frames; events go out in one batch per map per tick. A browser page draws
 * the map and what the actions do.
 * Run: `npm run space`, then open http://127.0.0.1:8100 in two windows,
 * or run bots: `npx tsx examples/space/bots.ts 20`.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

import { App, HttpMiddleware, route, StaticFiles, type AppOptions, type Request, type ResponseInit, type WebSocket } from "../../lib/index.js";
import { pageSchemaModule } from "./page-schema.js";
import { parseApiKeys, toApiKey, type ApiKey } from "./roles.js";
import { loadSchema } from "./schema.js";
import type { ActionRate } from "./space-connection.js";
import { SpaceHub } from "./space-hub.js";

/** The WebSocket subprotocol Gather's web client offers; accepted when offered. */
export const SUBPROTOCOL = "gather-v2";
/** The key the browser page uses, when guests are allowed; its role is `guest`. */
export const GUEST_KEY = "guest";

/** Options for {@link SpaceApp}: upie's own, plus the space's. */
export interface SpaceAppOptions extends AppOptions {
  /**
   * API key → the name its players start with and its role (a bare name is a `member`).
   * Default `{ guest: { name: "Guest", role: "guest" } }` (the page's key).
   */
  apiKeys?: Record<string, string | ApiKey>;
  /** Most spaces on the server (an empty one is evicted to make room). Default 100. */
  maxSpaces?: number;
  /** Most occupied spaces one key may have opened at once. Default 10. */
  maxSpacesPerKey?: number;
  /** An empty space is dropped after this long. Default 10 minutes. */
  idleSpaceMs?: number;
  /** Ticks per second. Default 20. */
  tickHz?: number;
  /** Server heartbeat period. Default 5000 ms. */
  heartbeatIntervalMs?: number;
  /** Per-connection actions: default 20/s, bursts of 40. */
  actionRate?: ActionRate;
}

const HERE = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export class SpaceApp extends App {
  readonly hub: SpaceHub;
  #schemaModule: string | undefined;

  constructor(options: SpaceAppOptions = {}) {
    const { apiKeys = { [GUEST_KEY]: { name: "Guest", role: "guest" } }, tickHz, heartbeatIntervalMs, actionRate, maxSpaces, maxSpacesPerKey, idleSpaceMs, ...appOptions } = options;
    // A whole 256×256 collision mask fits in one frame; slow subscribers get 1013 past 4 MiB.
    super({ ...appOptions, websocket: { maxPayloadLength: 128 * 1024, maxSubscriberBackpressure: 4 * 1024 * 1024, ...appOptions.websocket } });
    this.hub = new SpaceHub(loadSchema(), {
      apiKeys: Object.fromEntries(Object.entries(apiKeys).map(([key, value]) => [key, toApiKey(value)])),
      ...(maxSpaces === undefined ? {} : { maxSpaces }),
      ...(maxSpacesPerKey === undefined ? {} : { maxSpacesPerKey }),
      ...(idleSpaceMs === undefined ? {} : { idleSpaceMs }),
      ...(tickHz === undefined ? {} : { tickHz }),
      ...(heartbeatIntervalMs === undefined ? {} : { heartbeatIntervalMs }),
      ...(actionRate === undefined ? {} : { actionRate }),
      publish: (topic, data) => this.publish(topic, data),
    });
    this.middlewares.push(new StaticFiles({ root: HERE("./public"), prefix: "/static", maxAge: 60 }), new SecurityHeaders());
    this.shutdownHandlers.push(async () => this.hub.close());
  }

  /** `GET /`: the page. */
  async index() {
    return readFile(HERE("./public/index.html"), "utf8");
  }

  /** `GET /schema.js`: the schema and its precompiled functions, for the page (see page-schema.ts). */
  @route("/schema.js", { methods: ["GET"] })
  async schema() {
    this.#schemaModule ??= pageSchemaModule();
    return [200, this.#schemaModule, { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-cache" }];
  }

  /** `GET /vendor/protobuf.js`: protobufjs' light browser build, from node_modules. */
  @route("/vendor/protobuf.js", { methods: ["GET"] })
  async vendor() {
    const file = createRequire(import.meta.url).resolve("protobufjs/dist/light/protobuf.min.js");
    return [200, await readFile(file, "utf8"), { "content-type": "text/javascript; charset=utf-8", "cache-control": "max-age=3600" }];
  }

  /** WebSocket `/space`: one `ClientServerAction` per binary frame in, one `ServerClientBatch` per frame out. */
  async ws_space(ws: WebSocket) {
    await ws.accept(ws.subprotocols.includes(SUBPROTOCOL) ? SUBPROTOCOL : undefined);
    await this.hub.serve(ws);
  }
}

/**
 * A strict Content-Security-Policy: scripts, styles and connections from
 * this origin only, no inline script, no eval (the page's protobuf code is
 * compiled ahead of time, see page-schema.ts).
 */
class SecurityHeaders extends HttpMiddleware {
  override afterRequest(_request: Request, response: ResponseInit): void {
    const headers = response.headers;
    headers["content-security-policy"] ??=
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    headers["x-content-type-options"] ??= "nosniff";
    headers["referrer-policy"] ??= "same-origin";
  }
}

// Started directly (`npm run space`), not imported by a test: serve on HOST/PORT.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const keys = process.env.SPACE_API_KEYS; // "key1=Name1:owner,key2=Name2:builder" (roles: owner, builder, member, guest)
  const apiKeys = keys ? parseApiKeys(keys) : undefined;
  const app = new SpaceApp(apiKeys ? { apiKeys: { ...apiKeys, [GUEST_KEY]: { name: "Guest", role: "guest" } } } : {}); // the page's key stays a guest
  const server = await app.listen({ port: Number(process.env.PORT ?? 8100), host: process.env.HOST ?? "127.0.0.1" });
  console.log(`upie space on http://${server.host}:${server.port} (WebSocket ws://${server.host}:${server.port}/space; uWS ${server.uws.version} from ${server.uws.package})`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
