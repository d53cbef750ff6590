/**
 * upie, through its public API only: methods are routes, parameters bind by
 * name, `ws_` methods are WebSocket routes, and `subscribe` / `publish` fan
 * out. Upload limit raised above the 10 MiB test file, as every other
 * server's is.
 *
 * Variants (BENCH_VARIANT), each its own row in the tables:
 * - default: the GET routes are `async` methods, the form a method takes once
 *   it awaits anything;
 * - `plain`: the same routes as plain (non-`async`) methods;
 * - `fast`: the echo through upie's WebSocket fast path, `ws.onMessage`
 *   (issue 21), in the form its documentation gives. The harness runs it
 *   only when the upie under test has it (the runtime probe checks).
 *
 * @module
 */
import { App, type UploadedFile, type WebSocket } from "../../lib/index.js";
import {
  HELLO, HOST, JSON_BODY, PORT, ROOM, SESSION_USER, UPLOAD_LIMIT,
  announce, exitOnSignal, sessionText, userText,
} from "./shared.js";

/** Every route but the GET ones, the same in every variant. */
class Bench extends App {
  async body(name = "") {
    return { ok: true, name };
  }

  async upload(file: UploadedFile) {
    return String(file.size);
  }

  async login() {
    this.request.session.user = SESSION_USER;
    return "ok";
  }

  async session() {
    return sessionText(this.request.session.user as string | undefined);
  }

  async ws_echo(ws: WebSocket) {
    await ws.accept();
    for await (const message of ws) await ws.sendText(message);
  }

  async ws_sub(ws: WebSocket) {
    await ws.accept();
    await ws.subscribe(ROOM);
    for await (const _ of ws) {
      // Subscribers only listen; the loop ends when the client goes away.
    }
  }

  async ws_pub(ws: WebSocket) {
    await ws.accept();
    for await (const message of ws) await this.publish(ROOM, message);
  }
}

class AsyncMethods extends Bench {
  async index() {
    return HELLO;
  }

  async json() {
    return JSON_BODY;
  }

  async user(id: string, q = "") {
    return userText(id, q);
  }
}

class PlainMethods extends Bench {
  index() {
    return HELLO;
  }

  json() {
    return JSON_BODY;
  }

  user(id: string, q = "") {
    return userText(id, q);
  }
}

/** The fast path's method, typed here so this file compiles against a upie without it. */
interface FastPath {
  onMessage(handler: (message: string | Uint8Array) => unknown): Promise<void>;
}

class FastWebSockets extends AsyncMethods {
  override async ws_echo(ws: WebSocket) {
    await ws.accept();
    const fast = ws as unknown as FastPath;
    // Not awaited: the method returns and no suspended frame is kept per socket, the
    // cheapest idle form (docs/websockets.md, "Messages as calls").
    void fast.onMessage((message) => (typeof message === "string" ? ws.sendText(message) : ws.sendBytes(message)));
  }
}

const VARIANTS: Record<string, typeof Bench | undefined> = { async: AsyncMethods, plain: PlainMethods, fast: FastWebSockets };

const variant = process.env.BENCH_VARIANT ?? "async";
const Variant = VARIANTS[variant];
if (Variant === undefined) throw new Error(`bench/servers/upie.ts has no variant "${variant}" (it has: ${Object.keys(VARIANTS).join(", ")})`);

exitOnSignal();
const server = await new Variant({ limits: { fileSize: UPLOAD_LIMIT } }).listen({ port: PORT, host: HOST });
announce(server.port);
