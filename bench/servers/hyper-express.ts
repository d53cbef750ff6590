/**
 * hyper-express 6.14 (on the same pinned uWebSockets.js build, through npm
 * `overrides`), as its docs write it: `server.ws()` routes, `Server.publish`
 * for fan-out, `request.multipart()` for uploads, and `hyper-express-session`
 * (with a `Map` as its store) on the session routes only.
 *
 * @module
 */
import HyperExpress from "hyper-express";
import SessionEngine from "hyper-express-session";
import {
  HELLO, HOST, JSON_BODY, PORT, ROOM, SECRET, SESSION_USER, UPLOAD_LIMIT,
  announce, exitOnSignal, sessionText, userText,
} from "./shared.js";

const TEXT = "text/plain; charset=utf-8";
const server = new HyperExpress.Server();

const store = new Map<string, Record<string, unknown>>();
const sessions = new SessionEngine({
  duration: 30 * 60 * 1000,
  cookie: { name: "sid", path: "/", httpOnly: true, secure: false, sameSite: "lax", secret: SECRET },
});
sessions.use("read", (session) => store.get(session.id) ?? {});
sessions.use("write", (session) => {
  store.set(session.id, session.get());
});
sessions.use("touch", () => {});
sessions.use("destroy", (session) => {
  store.delete(session.id);
});

server.get("/", (_req, res) => {
  res.header("Content-Type", TEXT).send(HELLO);
});

server.get("/json", (_req, res) => {
  res.json(JSON_BODY);
});

server.get("/user/:id", (req, res) => {
  res.header("Content-Type", TEXT).send(userText(req.path_parameters.id ?? "", req.query_parameters.q ?? ""));
});

server.post("/body", async (req, res) => {
  const data = (await req.json()) as { name?: string };
  res.json({ ok: true, name: data.name ?? "" });
});

server.post("/upload", async (req, res) => {
  let bytes = 0;
  await req.multipart({ limits: { fileSize: UPLOAD_LIMIT } }, async (field) => {
    if (field.file !== undefined) for await (const chunk of field.file.stream) bytes += (chunk as Buffer).length;
  });
  res.header("Content-Type", TEXT).send(String(bytes));
});

server.get("/login", { middlewares: [sessions.middleware] }, async (req, res) => {
  await req.session.start();
  req.session.set("user", SESSION_USER);
  res.header("Content-Type", TEXT).send("ok");
});

server.get("/session", { middlewares: [sessions.middleware] }, async (req, res) => {
  await req.session.start();
  res.header("Content-Type", TEXT).send(sessionText(req.session.get("user") as string | undefined));
});

server.ws("/echo", (ws) => {
  ws.on("message", (message: string) => ws.send(message));
});

server.ws("/sub", (ws) => {
  ws.subscribe(ROOM);
});

server.ws("/pub", (ws) => {
  ws.on("message", (message: string) => server.publish(ROOM, message));
});

exitOnSignal();
await server.listen(PORT, HOST);
announce(server.port);
