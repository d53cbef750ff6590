/**
 * Fastify 5, as its docs write it: plugins for WebSockets
 * (`@fastify/websocket`, which runs `ws`), multipart (`@fastify/multipart`)
 * and sessions (`@fastify/cookie` + `@fastify/session`, default in-memory
 * store), each registered in its own encapsulated context so its hooks run only
 * on the routes that use it. The logger is off (Fastify's default).
 *
 * @module
 */
import cookie from "@fastify/cookie";
import multipart from "@fastify/multipart";
import session from "@fastify/session";
import websocket from "@fastify/websocket";
import Fastify from "fastify";
import type { WebSocket } from "ws";
import {
  HELLO, HOST, JSON_BODY, PORT, SECRET, SESSION_USER, UPLOAD_LIMIT,
  announce, exitOnSignal, sessionText, userText,
} from "./shared.js";

declare module "fastify" {
  interface Session {
    user?: string;
  }
}

const app = Fastify();

app.get("/", async (_req, reply) => {
  reply.type("text/plain; charset=utf-8");
  return HELLO;
});

app.get("/json", async () => JSON_BODY);

app.get<{ Params: { id: string }; Querystring: { q?: string } }>("/user/:id", async (req, reply) => {
  reply.type("text/plain; charset=utf-8");
  return userText(req.params.id, req.query.q ?? "");
});

app.post<{ Body: { name?: string } }>("/body", async (req) => ({ ok: true, name: req.body.name ?? "" }));

await app.register(async (scope) => {
  await scope.register(multipart, { limits: { fileSize: UPLOAD_LIMIT } });
  scope.post("/upload", async (req, reply) => {
    let bytes = 0;
    const file = await req.file();
    if (file !== undefined) for await (const chunk of file.file) bytes += (chunk as Buffer).length;
    reply.type("text/plain; charset=utf-8");
    return String(bytes);
  });
});

await app.register(async (scope) => {
  await scope.register(cookie);
  await scope.register(session, { secret: SECRET, cookie: { secure: false }, saveUninitialized: false });
  scope.get("/login", async (req, reply) => {
    req.session.user = SESSION_USER;
    reply.type("text/plain; charset=utf-8");
    return "ok";
  });
  scope.get("/session", async (req, reply) => {
    reply.type("text/plain; charset=utf-8");
    return sessionText(req.session.user);
  });
});

await app.register(async (scope) => {
  await scope.register(websocket);
  const subscribers = new Set<WebSocket>();
  scope.get("/echo", { websocket: true }, (socket) => {
    socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary }));
  });
  scope.get("/sub", { websocket: true }, (socket) => {
    subscribers.add(socket);
    socket.on("close", () => subscribers.delete(socket));
  });
  scope.get("/pub", { websocket: true }, (socket) => {
    socket.on("message", (data, isBinary) => {
      for (const client of subscribers) if (client.readyState === client.OPEN) client.send(data, { binary: isBinary });
    });
  });
});

exitOnSignal();
await app.listen({ port: PORT, host: HOST });
const address = app.server.address();
announce(typeof address === "object" && address !== null ? address.port : PORT);
