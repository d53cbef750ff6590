/**
 * hyper-express, as its docs write it: `server.ws()` routes, `Server.publish`
 * for fan-out, `request.multipart()` for uploads, and `hyper-express-session`
 * (with a `Map` as its store) on the session routes only.
 *
 * Which hyper-express: the one on the uWS build upie's loader picked (the
 * harness says which in HYPER_EXPRESS_PACKAGE): 6.14 on uWS 20.30 (Node 20,
 * the pinned build through npm `overrides`), the @btc-vision fork 6.17 on
 * @btc-vision/uwebsockets.js 20.57 (Node 22/24). Both have the same API.
 *
 * Two variants (BENCH_VARIANT): the GET routes answer from synchronous
 * handlers (default) or from `async` ones (`async`), the form a handler takes
 * once it awaits anything; every other route is the same in both.
 *
 * @module
 */
import type HyperExpressModule from "hyper-express";
import type { MiddlewareHandler, Request, Response } from "hyper-express";
import sessionEngineModule from "hyper-express-session";
import {
  HELLO, HOST, JSON_BODY, PORT, ROOM, SECRET, SESSION_USER, UPLOAD_LIMIT,
  announce, exitOnSignal, sessionText, userText,
} from "./shared.js";

const packageName = process.env.HYPER_EXPRESS_PACKAGE ?? "hyper-express";
const HyperExpress = ((await import(packageName)) as { default: typeof HyperExpressModule }).default;

type Handler = (req: Request, res: Response) => void;
/** The GET routes' handlers as this variant writes them: as they are, or `async`. */
const asWritten: (handler: Handler) => Handler =
  process.env.BENCH_VARIANT === "async" ? (handler) => async (req, res) => handler(req, res) : (handler) => handler;

// The package is CommonJS (`module.exports = SessionEngine`) but its types
// declare an ES default export; under NodeNext the default import is the class.
const SessionEngine = sessionEngineModule as unknown as typeof sessionEngineModule.default;

type SessionData = Record<string, unknown> & { user?: string };

/** The part of hyper-express-session's `Session` used here (its own types resolve poorly under NodeNext). */
interface BenchSession {
  readonly id: string | void;
  start(): Promise<unknown>;
  get(): SessionData;
  set(data: SessionData): unknown;
}

const sessionOf = (req: Request) => req.session as unknown as BenchSession;

const TEXT = "text/plain; charset=utf-8";
// Its request-body cap (default 250 KB) also bounds multipart uploads.
const server = new HyperExpress.Server({ max_body_length: UPLOAD_LIMIT });

const store = new Map<string, SessionData>();
const sessions = new SessionEngine({
  duration: 30 * 60 * 1000,
  cookie: { name: "sid", path: "/", httpOnly: true, secure: false, sameSite: "lax", secret: SECRET },
});
// (`as never`: the package's SessionData type admits no custom keys.)
sessions.use("read", ((session: BenchSession) => store.get(String(session.id)) ?? {}) as never);
sessions.use("write", (session) => {
  store.set(String(session.id), (session as unknown as BenchSession).get());
});
sessions.use("touch", () => {});
sessions.use("destroy", (session) => {
  store.delete(String(session.id));
});
const withSession = { middlewares: [sessions.middleware as unknown as MiddlewareHandler] };

server.get("/", asWritten((_req, res) => {
  res.header("Content-Type", TEXT).send(HELLO);
}));

server.get("/json", asWritten((_req, res) => {
  res.json(JSON_BODY);
}));

server.get("/user/:id", asWritten((req, res) => {
  res.header("Content-Type", TEXT).send(userText(req.path_parameters.id ?? "", req.query_parameters.q ?? ""));
}));

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

server.get("/login", withSession, async (req, res) => {
  const session = sessionOf(req);
  await session.start();
  session.set({ user: SESSION_USER });
  res.header("Content-Type", TEXT).send("ok");
});

server.get("/session", withSession, async (req, res) => {
  const session = sessionOf(req);
  await session.start();
  res.header("Content-Type", TEXT).send(sessionText(session.get().user));
});

server.ws("/echo", (ws) => {
  ws.on("message", (message: string) => {
    ws.send(message);
  });
});

server.ws("/sub", (ws) => {
  ws.subscribe(ROOM);
});

server.ws("/pub", (ws) => {
  ws.on("message", (message: string) => {
    server.publish(ROOM, message);
  });
});

// hyper-express 6.17's request.multipart() leaves busboy's "Unexpected end of
// form" as an unhandled rejection when a client cuts an upload off (wrk does,
// ending a run), which would end the process. Its handler cannot catch it; an
// app would have to do this. Any other unhandled rejection still ends it.
process.on("unhandledRejection", (reason) => {
  if (reason instanceof Error && reason.message === "Unexpected end of form") return;
  throw reason;
});

exitOnSignal();
await server.listen(PORT, HOST);
announce(server.port);
