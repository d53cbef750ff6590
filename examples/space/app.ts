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
import { fileURLToPath } from "node:url";

import { App, route, SecurityHeaders, StaticFiles, type AppOptions, type WebSocket } from "upie";
import { pageSchemaModule } from "./page-schema.js";
import { parseApiKeys, toApiKey, type ApiKey } from "./roles.js";
import { loadSchema } from "./schema.js";
import { DEFAULT_ACTION_RATE, floodRate, type ActionRate } from "./space-connection.js";
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
  /**
   * Per-connection actions: default 20/s, bursts of 40. An action over it fails
   * ("rate limited"); a socket at twice it is closed as a flood (1008, upie's
   * `websocket.messageRate`, see {@link floodRate}).
   */
  actionRate?: ActionRate;
}

const HERE = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export class SpaceApp extends App {
  readonly hub: SpaceHub;
  #schemaModule: string | undefined;

  constructor(options: SpaceAppOptions = {}) {
    const { apiKeys = { [GUEST_KEY]: { name: "Guest", role: "guest" } }, tickHz, heartbeatIntervalMs, actionRate = DEFAULT_ACTION_RATE, maxSpaces, maxSpacesPerKey, idleSpaceMs, ...appOptions } = options;
    // A whole 256×256 collision mask fits in one frame; slow readers get 1013 past 4 MiB.
    const websocket = { maxPayloadLength: 128 * 1024, maxSubscriberBackpressure: 4 * 1024 * 1024, messageRate: floodRate(actionRate), ...appOptions.websocket };
    super({ ...appOptions, websocket });
    this.hub = new SpaceHub(loadSchema(), {
      apiKeys: Object.fromEntries(Object.entries(apiKeys).map(([key, value]) => [key, toApiKey(value)])),
      ...(maxSpaces === undefined ? {} : { maxSpaces }),
      ...(maxSpacesPerKey === undefined ? {} : { maxSpacesPerKey }),
      ...(idleSpaceMs === undefined ? {} : { idleSpaceMs }),
      ...(tickHz === undefined ? {} : { tickHz }),
      ...(heartbeatIntervalMs === undefined ? {} : { heartbeatIntervalMs }),
      actionRate,
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
 * What `npm run space` serves (`upie examples/space/app.ts`): the keys of
 * SPACE_API_KEYS ("key1=Name1:owner,key2=Name2:builder"; roles owner, builder,
 * member, guest) beside the page's own key, which stays a guest.
 */
export default function spaceFromEnv(env: NodeJS.ProcessEnv = process.env): SpaceApp {
  const apiKeys = env.SPACE_API_KEYS ? parseApiKeys(env.SPACE_API_KEYS) : undefined;
  return new SpaceApp(apiKeys ? { apiKeys: { ...apiKeys, [GUEST_KEY]: { name: "Guest", role: "guest" } } } : {});
}
