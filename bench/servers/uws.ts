/**
 * Raw uWebSockets.js: the ceiling every ratio is measured against.
 *
 * uWebSockets.js comes from upie's own loader (in a packed run, the installed
 * package's copy of it), so this is the very build upie runs on in this run:
 * 20.30 on Node 20 here, 20.57 on Node 22/24 in the Debian 13 root.
 *
 * Written the way the uWS.js examples write it (`HelloWorld.js`,
 * `JsonPost.js`, `PubSub.js`): one handler per route, `onAborted` before any
 * body read, `cork` around writes made from a callback. Multipart goes through
 * busboy (uWS's `getParts` needs the whole body in memory, which is not
 * streaming); sessions are a `Map` keyed by a random cookie id.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import busboy from "busboy";
import cookie from "cookie";
import type { HttpResponse } from "uWebSockets.js";
import { loadUws } from "../../lib/server/uws/uws-loader.js";
import {
  HELLO, JSON_BODY, ROOM, SESSION_USER, UPLOAD_LIMIT,
  listenUws, sessionText, userText,
} from "./shared.js";

const { uws: uWS } = loadUws();

const TEXT = "text/plain; charset=utf-8";
const JSON_TYPE = "application/json";

/** Reads the whole body, then calls back (uWS hands out chunks that die when the callback returns). */
function readBody(res: HttpResponse, onBody: (body: Buffer) => void): void {
  let chunks: Buffer[] = [];
  res.onAborted(() => {
    chunks = [];
  });
  res.onData((chunk, isLast) => {
    chunks.push(Buffer.from(chunk.slice(0)));
    if (isLast) onBody(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
  });
}

const sessions = new Map<string, { user: string }>();
const app = uWS.App();

app.get("/", (res) => {
  res.writeHeader("Content-Type", TEXT).end(HELLO);
});

app.get("/json", (res) => {
  res.writeHeader("Content-Type", JSON_TYPE).end(JSON.stringify(JSON_BODY));
});

app.get("/user/:id", (res, req) => {
  const id = decodeURIComponent(req.getParameter(0));
  const q = new URLSearchParams(req.getQuery() ?? "").get("q") ?? "";
  res.writeHeader("Content-Type", TEXT).end(userText(id, q));
});

app.post("/body", (res) => {
  readBody(res, (body) => {
    let name: string;
    try {
      name = (JSON.parse(body.toString("utf8")) as { name?: string }).name ?? "";
    } catch {
      res.cork(() => res.writeStatus("400 Bad Request").end());
      return;
    }
    res.cork(() => {
      res.writeHeader("Content-Type", JSON_TYPE).end(JSON.stringify({ ok: true, name }));
    });
  });
});

app.post("/upload", (res, req) => {
  let aborted = false;
  let bytes = 0;
  const parser = busboy({ headers: { "content-type": req.getHeader("content-type") }, limits: { fileSize: UPLOAD_LIMIT } });
  res.onAborted(() => {
    aborted = true;
    parser.destroy();
  });
  parser.on("file", (_name, stream) => {
    stream.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
    });
    // A client cut off mid-upload (wrk ending a run) destroys the parser, which
    // errors the file stream: without a listener that would kill the process.
    stream.on("error", () => {});
  });
  parser.on("close", () => {
    if (!aborted) res.cork(() => res.writeHeader("Content-Type", TEXT).end(String(bytes)));
  });
  parser.on("error", () => {
    if (!aborted) res.cork(() => res.writeStatus("400 Bad Request").end());
    aborted = true;
  });
  res.onData((chunk, isLast) => {
    parser.write(Buffer.from(chunk.slice(0)));
    if (isLast) parser.end();
  });
});

app.get("/login", (res) => {
  const id = randomBytes(16).toString("base64url");
  sessions.set(id, { user: SESSION_USER });
  res
    .writeHeader("Set-Cookie", cookie.serialize("sid", id, { httpOnly: true, sameSite: "lax", path: "/" }))
    .writeHeader("Content-Type", TEXT)
    .end("ok");
});

app.get("/session", (res, req) => {
  const id = cookie.parse(req.getHeader("cookie")).sid;
  const session = id === undefined ? undefined : sessions.get(id);
  res.writeHeader("Content-Type", TEXT).end(sessionText(session?.user));
});

app.ws("/echo", {
  message: (ws, message, isBinary) => {
    ws.send(message, isBinary);
  },
});

app.ws("/sub", {
  open: (ws) => {
    ws.subscribe(ROOM);
  },
});

app.ws("/pub", {
  message: (_ws, message, isBinary) => {
    app.publish(ROOM, message, isBinary);
  },
});

listenUws("uws", app, uWS.us_socket_local_port);
