/**
 * Servers for the WSClient tests: a real upie app, and `ws`/`net` servers
 * that misbehave on purpose (refuse, go silent, die and come back on the same
 * port). Everything listens on 127.0.0.1.
 */
import { createHash } from "node:crypto";
import { createServer, type Server as HttpServer } from "node:http";
import net from "node:net";

import WsWebSocket, { WebSocketServer, type WebSocket as WsSocket } from "ws";

import { App, type Server, type WebSocket } from "../../lib/index.js";
import type { ClientLogger } from "../../lib/ws-client/index.js";

export { eventually } from "../core/helpers.js";

/** Waits for `check()` to hold; throws with `what` after `ms`. */
export async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A logger that keeps what it is told, so tests stay quiet and can assert on it. */
export function quietLogger(): ClientLogger & { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  return {
    errors,
    warnings,
    error: (message) => void errors.push(message),
    warn: (message) => void warnings.push(message),
  };
}

/** A port that was free a moment ago (for servers that must come back on the same port). */
export { freePort } from "../server/helpers.js";

/** The upie app the tests talk to: `/echo` echoes, `/collect` records and answers "ok:<n>". */
export class EchoApp extends App {
  readonly received: Array<string | Uint8Array> = [];
  readonly kinds: string[] = [];
  connections = 0;

  async ws_echo(ws: WebSocket) {
    await ws.accept();
    this.connections++;
    for (let message = await next(ws); message !== undefined; message = await next(ws)) {
      if (typeof message === "string") await ws.sendText(message);
      else await ws.sendBytes(message);
    }
  }

  async ws_collect(ws: WebSocket) {
    await ws.accept();
    this.connections++;
    for (let message = await next(ws); message !== undefined; message = await next(ws)) {
      this.received.push(message);
      this.kinds.push(typeof message === "string" ? "text" : "binary");
    }
  }
}

/** The next message, text or bytes; `undefined` once the peer is gone. */
async function next(ws: WebSocket): Promise<string | Uint8Array | undefined> {
  try {
    return await ws.receive();
  } catch {
    return undefined;
  }
}

/** Starts `app` on `port` (0 = any). */
export async function listen(app: App, port = 0): Promise<Server> {
  return app.listen({ port, host: "127.0.0.1" });
}

/** A `ws` server on a fixed port that can be killed (sockets dropped, no close frame) and restarted. */
export class KillableServer {
  readonly port: number;
  readonly received: string[] = [];
  readonly headers: Array<Record<string, string | string[] | undefined>> = [];
  connections = 0;
  #http: HttpServer | undefined;
  #wss: WebSocketServer | undefined;
  readonly #onMessage: (socket: WsSocket, text: string) => void;

  constructor(port: number, onMessage: (socket: WsSocket, text: string) => void = () => {}) {
    this.port = port;
    this.#onMessage = onMessage;
  }

  get running(): boolean {
    return this.#http !== undefined;
  }

  async start(): Promise<void> {
    const http = createServer();
    const wss = new WebSocketServer({ server: http });
    wss.on("connection", (socket, request) => {
      this.connections++;
      this.headers.push(request.headers);
      socket.on("message", (data) => {
        const text = String(data);
        this.received.push(text);
        this.#onMessage(socket, text);
      });
    });
    await new Promise<void>((resolve, reject) => {
      http.once("error", reject);
      http.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.#http = http;
    this.#wss = wss;
  }

  /** Drops every connection at once (like a crashed process) and stops listening. */
  async kill(): Promise<void> {
    const http = this.#http;
    const wss = this.#wss;
    this.#http = undefined;
    this.#wss = undefined;
    if (http === undefined || wss === undefined) return;
    for (const socket of wss.clients) socket.terminate();
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
    wss.close();
  }
}

/** An HTTP server that answers every WebSocket handshake with 403, counting attempts. */
export async function refusingServer(): Promise<{ port: number; attempts: number[]; close(): Promise<void> }> {
  const attempts: number[] = [];
  const server = createServer((_req, res) => res.writeHead(404).end());
  server.on("upgrade", (_req, socket) => {
    attempts.push(Date.now());
    socket.end("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    port: (server.address() as net.AddressInfo).port,
    attempts,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A server that completes the WebSocket handshake by hand and then never
 * sends a byte (no pongs, no close): a dead peer behind an open TCP connection.
 */
export async function silentServer(): Promise<{ port: number; connections: () => number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    let head = "";
    const onData = (chunk: Buffer) => {
      head += chunk.toString("latin1");
      if (!head.includes("\r\n\r\n")) return;
      socket.off("data", onData);
      const key = /sec-websocket-key:\s*(\S+)/i.exec(head)?.[1] ?? "";
      const accept = createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      connections++;
      socket.resume(); // read and ignore everything from now on
    };
    socket.on("data", onData);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => connections,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A standard (browser-shaped) WebSocket built on `ws`, for the client's browser
 * path: no ping, no write callbacks, no pause, and, like a browser, it refuses to send close codes other than 1000 and 3000–4999.
 */
export class StandardWebSocket {
  readonly #ws: WsWebSocket;
  binaryType = "arraybuffer";

  constructor(url: string, protocols?: string | string[]) {
    this.#ws = new WsWebSocket(url, protocols);
    this.#ws.binaryType = "arraybuffer";
  }

  get readyState(): number {
    return this.#ws.readyState;
  }

  get bufferedAmount(): number {
    return this.#ws.bufferedAmount;
  }

  send(data: string | ArrayBufferView): void {
    this.#ws.send(data);
  }

  close(code?: number, reason?: string): void {
    if (code !== undefined && code !== 1000 && (code < 3000 || code > 4999)) throw new DOMException("bad close code", "InvalidAccessError");
    this.#ws.close(code, reason);
  }

  addEventListener(type: "open" | "message" | "close" | "error", listener: (event: never) => void): void {
    this.#ws.addEventListener(type, listener as never);
  }
}
