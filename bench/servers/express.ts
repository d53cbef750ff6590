/**
 * Express 5, as its guide writes it: `express.json()` on the JSON route,
 * `express-session` (its default MemoryStore) on the session routes only, and
 * busboy for multipart (Express's own `multer` keeps the file in memory or on
 * disk; busboy is the streaming parser underneath it).
 *
 * Express has no WebSockets of its own: with `ws` it would be exactly the
 * `node:http` + `ws` server, so the WebSocket scenarios list it as n/a.
 *
 * @module
 */
import busboy from "busboy";
import express from "express";
import session from "express-session";
import {
  HELLO, HOST, JSON_BODY, PORT, SECRET, SESSION_USER, UPLOAD_LIMIT,
  announce, exitOnSignal, sessionText, userText,
} from "./shared.js";

declare module "express-session" {
  interface SessionData {
    user: string;
  }
}

const app = express();
const sessions = session({ secret: SECRET, resave: false, saveUninitialized: false });

app.get("/", (_req, res) => {
  res.type("text").send(HELLO);
});

app.get("/json", (_req, res) => {
  res.json(JSON_BODY);
});

app.get("/user/:id", (req, res) => {
  const q = typeof req.query.q === "string" ? req.query.q : "";
  res.type("text").send(userText(req.params.id, q));
});

app.post("/body", express.json(), (req, res) => {
  res.json({ ok: true, name: (req.body as { name?: string }).name ?? "" });
});

app.post("/upload", (req, res) => {
  let bytes = 0;
  const parser = busboy({ headers: req.headers, limits: { fileSize: UPLOAD_LIMIT } });
  parser.on("file", (_name, stream) => {
    stream.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
    });
  });
  parser.on("close", () => res.type("text").send(String(bytes)));
  parser.on("error", () => res.status(400).end());
  req.pipe(parser);
});

app.get("/login", sessions, (req, res) => {
  req.session.user = SESSION_USER;
  res.type("text").send("ok");
});

app.get("/session", sessions, (req, res) => {
  res.type("text").send(sessionText(req.session.user));
});

exitOnSignal();
const server = app.listen(PORT, HOST, () => {
  const address = server.address();
  announce(typeof address === "object" && address !== null ? address.port : PORT);
});
