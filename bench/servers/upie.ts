/**
 * upie, through its public API only (DESIGN.md): methods are routes,
 * parameters bind by name, `ws_` methods are WebSocket routes, and
 * `subscribe` / `publish` fan out. Upload limit raised above the 10 MiB test
 * file, as every other server's is.
 *
 * @module
 */
import { App, type UploadedFile, type WebSocket } from "../../lib/index.js";
import {
  HELLO, HOST, JSON_BODY, PORT, ROOM, SESSION_USER, UPLOAD_LIMIT,
  announce, exitOnSignal, sessionText, userText,
} from "./shared.js";

class Bench extends App {
  async index() {
    return HELLO;
  }

  async json() {
    return JSON_BODY;
  }

  async user(id: string, q = "") {
    return userText(id, q);
  }

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

exitOnSignal();
const server = await new Bench({ limits: { fileSize: UPLOAD_LIMIT } }).listen({ port: PORT, host: HOST });
announce(server.port);
