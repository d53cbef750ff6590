/**
 * `node:http` + `ws`: Node's own server, with the `ws` library for WebSockets
 * (several `WebSocketServer`s with `noServer`, routed on `upgrade`, as the
 * `ws` README shows). Bodies are read with async iteration, multipart is piped
 * into busboy, sessions are a `Map` keyed by a random cookie id.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import busboy from "busboy";
import cookie from "cookie";
import { WebSocket, WebSocketServer } from "ws";
import {
  HELLO, HOST, JSON_BODY, PORT, ROOM, SESSION_USER, UPLOAD_LIMIT,
  announce, exitOnSignal, sessionText, userText,
} from "./shared.js";

const TEXT = "text/plain; charset=utf-8";
const sessions = new Map<string, { user: string }>();

function sendText(res: ServerResponse, body: string, status = 200): void {
  res.writeHead(status, { "Content-Type": TEXT, "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

function sendJson(res: ServerResponse, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function upload(req: IncomingMessage, res: ServerResponse): void {
  let bytes = 0;
  const parser = busboy({ headers: req.headers, limits: { fileSize: UPLOAD_LIMIT } });
  parser.on("file", (_name, stream) => {
    stream.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
    });
  });
  parser.on("close", () => sendText(res, String(bytes)));
  parser.on("error", () => sendText(res, "bad multipart", 400));
  req.pipe(parser);
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = req.url ?? "/";
  const mark = url.indexOf("?");
  const path = mark === -1 ? url : url.slice(0, mark);
  const query = mark === -1 ? "" : url.slice(mark + 1);

  if (path === "/") return sendText(res, HELLO);
  if (path === "/json") return sendJson(res, JSON_BODY);
  if (path.startsWith("/user/")) {
    const id = decodeURIComponent(path.slice("/user/".length));
    return sendText(res, userText(id, new URLSearchParams(query).get("q") ?? ""));
  }
  if (path === "/body" && req.method === "POST") {
    const data = JSON.parse((await readBody(req)).toString("utf8")) as { name?: string };
    return sendJson(res, { ok: true, name: data.name ?? "" });
  }
  if (path === "/upload" && req.method === "POST") return upload(req, res);
  if (path === "/login") {
    const id = randomBytes(16).toString("base64url");
    sessions.set(id, { user: SESSION_USER });
    res.setHeader("Set-Cookie", cookie.serialize("sid", id, { httpOnly: true, sameSite: "lax", path: "/" }));
    return sendText(res, "ok");
  }
  if (path === "/session") {
    const id = cookie.parse(req.headers.cookie ?? "").sid;
    return sendText(res, sessionText(id === undefined ? undefined : sessions.get(id)?.user));
  }
  sendText(res, "Not Found", 404);
}

const server = createServer((req, res) => {
  handle(req, res).catch(() => {
    if (!res.headersSent) sendText(res, "Bad Request", 400);
  });
});

const echo = new WebSocketServer({ noServer: true });
echo.on("connection", (ws) => {
  ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
});

const subscribers = new WebSocketServer({ noServer: true });

const publishers = new WebSocketServer({ noServer: true });
publishers.on("connection", (ws) => {
  ws.on("message", (data, isBinary) => {
    for (const client of subscribers.clients) {
      if (client.readyState === WebSocket.OPEN) client.send(data, { binary: isBinary });
    }
  });
});

const wsRoutes: Record<string, WebSocketServer> = { "/echo": echo, "/sub": subscribers, "/pub": publishers };
server.on("upgrade", (req, socket, head) => {
  const wss = wsRoutes[(req.url ?? "/").split("?")[0]!];
  if (wss === undefined) return socket.destroy();
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
});

exitOnSignal();
server.listen(PORT, HOST, () => {
  const address = server.address();
  announce(typeof address === "object" && address !== null ? address.port : PORT);
});
