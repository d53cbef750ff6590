/**
 * The HTTP floor of an `async` handler: raw uWebSockets.js answering from a
 * microtask, as a framework whose handlers return promises must. In uWS's
 * callback it reads what the answer needs (the path parameter and the query
 * die with the callback), registers `onAborted`, and returns; the answer is
 * written in a `.then`, corked, as the uWS.js examples write any late answer.
 *
 * Nothing else: no routing table, no headers read that the answer does not
 * need. What upie's `async` method costs beyond this is upie's.
 *
 * @module
 */
import type { HttpResponse } from "uWebSockets.js";
import { loadUws } from "../../lib/server/uws/uws-loader.js";
import { HELLO, JSON_BODY, listenUws, userText } from "./shared.js";

const { uws: uWS } = loadUws();

const TEXT = "text/plain; charset=utf-8";
const JSON_TYPE = "application/json";
const settled = Promise.resolve();

/** Answers `res` once the current callback has returned, unless the client went away first. */
function answerLater(res: HttpResponse, contentType: string, body: () => string): void {
  let aborted = false;
  res.onAborted(() => {
    aborted = true;
  });
  void settled.then(() => {
    if (!aborted) res.cork(() => res.writeHeader("Content-Type", contentType).end(body()));
  });
}

const app = uWS.App();

app.get("/", (res) => {
  answerLater(res, TEXT, () => HELLO);
});

app.get("/json", (res) => {
  answerLater(res, JSON_TYPE, () => JSON.stringify(JSON_BODY));
});

app.get("/user/:id", (res, req) => {
  const id = decodeURIComponent(req.getParameter(0));
  const q = new URLSearchParams(req.getQuery() ?? "").get("q") ?? "";
  answerLater(res, TEXT, () => userText(id, q));
});

listenUws("uws-async", app, uWS.us_socket_local_port);
