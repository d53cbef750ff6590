/**
 * The adapter harness for uWebSockets.js: `app.listen()` on a free loopback
 * port, `fetch` for HTTP and the `ws` package for WebSockets, over real sockets.
 *
 * @module
 */
import WsSocket from "ws";
import type { App } from "../core/app.js";
import "../server/uws/register.js";
import type { AdapterHarness, AdapterUnderTest, HarnessSocket } from "./harness.js";
import { MessageInbox } from "./message-inbox.js";

/**
 * Serves apps with `app.listen({ port: 0, host: "127.0.0.1" })`.
 *
 * @example
 * ```ts
 * runAdapterContract(uwsAdapter);
 * ```
 */
export const uwsAdapter: AdapterUnderTest = {
  name: "uWebSockets.js",
  async serve(app: App): Promise<AdapterHarness> {
    const server = await app.listen({ port: 0, host: "127.0.0.1" });
    const origin = `127.0.0.1:${server.port}`;
    return {
      async request(method, path, init = {}) {
        const body = typeof init.body === "object" ? streamOf(init.body) : init.body;
        // duplex "half": what fetch requires of a streamed request body.
        const res = await fetch(`http://${origin}${path}`, { method, headers: init.headers, body, signal: init.signal, duplex: "half" } as RequestInit);
        const headers: Record<string, string> = {};
        res.headers.forEach((value, name) => (headers[name] = value));
        return { status: res.status, headers, text: await res.text() };
      },
      websocket: (path) => openSocket(`ws://${origin}${path}`),
      close: () => server.close(),
    };
  },
};

/** A request body for `fetch`, written piece by piece as `pieces` yields them. */
function streamOf(pieces: AsyncIterable<string>): ReadableStream<Uint8Array> {
  const iterator = pieces[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  return new ReadableStream({
    async pull(controller) {
      const step = await iterator.next();
      if (step.done === true) controller.close();
      else controller.enqueue(encoder.encode(step.value));
    },
  });
}

function openSocket(url: string): Promise<HarnessSocket> {
  const ws = new WsSocket(url);
  const inbox = new MessageInbox();
  ws.on("message", (data, isBinary) => inbox.push(isBinary ? new Uint8Array(data as Buffer) : (data as Buffer).toString("utf8")));
  ws.on("error", () => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on("close", (code, reason) => {
      inbox.end();
      resolve({ code, reason: reason.toString() });
    }),
  );
  return new Promise((resolve) => {
    const socket = (status: number): HarnessSocket => ({
      status,
      closed,
      sendText: (text) => ws.send(text),
      sendBytes: (bytes) => ws.send(bytes, { binary: true }),
      next: (timeoutMs) => inbox.next(timeoutMs),
      pause: () => ws.pause(),
      resume: () => ws.resume(),
      close: (code, reason) => ws.close(code, reason),
    });
    ws.once("open", () => resolve(socket(101)));
    ws.once("unexpected-response", (_request, response) => {
      response.resume();
      resolve(socket(response.statusCode ?? 0));
    });
  });
}
