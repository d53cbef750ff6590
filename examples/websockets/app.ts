/**
 * upie's WebSocket example: an echo socket and a small chat room.
 * Run: `npm run upie -- examples/websockets/app.ts --reload` (the `upie` runner), then open http://127.0.0.1:8000
 * in two browser windows.
 *
 * - `ws_echo` sends every message back (the `for await` loop).
 * - `ws_chat` joins a room (`/chat/<room>?name=Al`): every message is
 *   published to the room's topic and fanned out to its members. The name is
 *   kept in the session, so a reload remembers it.
 */
import { readFileSync } from "node:fs";
import { App, type AppOptions, type WebSocket } from "upie";

const PAGE = readFileSync(new URL("./public/index.html", import.meta.url), "utf8");
/** Longest chat message kept, in characters. */
const MAX_TEXT = 500;

/** What the chat sends: JSON text frames. */
export type ChatEvent =
  | { type: "join" | "leave"; name: string; members: number }
  | { type: "message"; name: string; text: string };

export class WebSocketsApp extends App {
  /** Who is in which room (names may repeat: one entry per socket). */
  readonly #rooms = new Map<string, string[]>();

  constructor(options: AppOptions = {}) {
    // Small frames only: a chat line or an echo.
    super({ ...options, websocket: { maxPayloadLength: 16 * 1024, ...options.websocket } });
  }

  /** `/`: the page with both demos. */
  async index() {
    return PAGE;
  }

  /** `/echo`: every message comes back as text. */
  async ws_echo(ws: WebSocket) {
    await ws.accept();
    for await (const message of ws) await ws.sendText(message);
  }

  /** `/chat/<room>?name=Al`: a chat room over pub/sub. */
  async ws_chat(ws: WebSocket, room = "lobby", name = "") {
    const session = this.request.session;
    const who = clean(name) || clean(String(session.name ?? "")) || "anonymous";
    session.name = who; // saved on the handshake: the next visit remembers it
    const topic = `room:${clean(room) || "lobby"}`;
    await ws.accept();
    await ws.subscribe(topic);
    const members = this.#join(topic, who);
    await this.#announce(topic, { type: "join", name: who, members });
    try {
      for await (const line of ws) {
        const text = line.trim().slice(0, MAX_TEXT);
        if (text !== "") await this.#announce(topic, { type: "message", name: who, text });
      }
    } finally {
      const left = this.#leave(topic, who);
      await this.#announce(topic, { type: "leave", name: who, members: left });
    }
  }

  #announce(topic: string, event: ChatEvent): Promise<void> {
    return this.publish(topic, JSON.stringify(event));
  }

  #join(topic: string, name: string): number {
    const members = this.#rooms.get(topic) ?? [];
    members.push(name);
    this.#rooms.set(topic, members);
    return members.length;
  }

  #leave(topic: string, name: string): number {
    const members = this.#rooms.get(topic) ?? [];
    const at = members.indexOf(name);
    if (at !== -1) members.splice(at, 1);
    if (members.length === 0) this.#rooms.delete(topic);
    return members.length;
  }
}

/** Names and rooms: printable, short, no markup. */
function clean(text: string): string {
  return text.replace(/[^\p{L}\p{N} _.-]/gu, "").trim().slice(0, 32);
}

