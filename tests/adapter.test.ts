/**
 * `upie/adapter` is enough to write a server adapter: a small in-memory one,
 * built from its exports alone, serves an app through `app.listen()`.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { App } from "../lib/index.js";
import {
  ClientGoneError, handleHttpAsync, useServerAdapter,
  type AppCore, type Channel, type HttpScope, type Listen, type ReceiveEvent, type SendEvent, type Server, type StoppingServer,
} from "../lib/adapter.js";

/** One request's channel: the body in one piece, the response collected. */
class MemoryChannel implements Channel {
  status = 0;
  text = "";
  #body: ReceiveEvent[];

  constructor(body: string) {
    this.#body = [{ type: "http.request", body: new TextEncoder().encode(body), more: false }];
  }

  receive(): Promise<ReceiveEvent> {
    const next = this.#body.shift();
    return next === undefined ? Promise.reject(new ClientGoneError()) : Promise.resolve(next);
  }

  send(event: SendEvent): void {
    if (event.type === "http.response.start") this.status = event.status;
    else if (event.type === "http.response.body") this.text += typeof event.body === "string" ? event.body : new TextDecoder().decode(event.body);
  }
}

const stopping: StoppingServer = { closeWebSockets: async () => {} };

let served: { core: AppCore; server: Server } | undefined;

const memoryListen: Listen = async (core, options) => {
  const server: Server = { port: options.port ?? 0, host: options.host ?? "memory", uws: { package: "memory", version: "1" }, close: () => core.lifecycle.stop(stopping) };
  served = { core, server };
  return server;
};

async function request(method: string, path: string, body = ""): Promise<MemoryChannel> {
  const scope: HttpScope = { type: "http", method, path, rawQuery: "", headers: body === "" ? {} : { "content-length": String(body.length) }, client: "" };
  const channel = new MemoryChannel(body);
  await handleHttpAsync(served!.core, scope, channel);
  return channel;
}

class Echo extends App {
  async hello(name = "you") { return `hello ${name}`; }
  async echo() { return this.request.body?.toString("utf8") ?? ""; }
}

describe("upie/adapter", () => {
  after(() => useServerAdapter(async () => (await import("../lib/server/uws/listen.js")).listen));

  it("lets a third-party adapter serve an app through app.listen()", async () => {
    useServerAdapter(async () => memoryListen);
    const app = new Echo();
    let shutdowns = 0;
    app.shutdownHandlers.push(() => shutdowns++);
    const server = await app.listen({ port: 1234, host: "memory" });
    assert.equal(server.port, 1234);
    assert.equal(server.uws.package, "memory");
    const hello = await request("GET", "/hello/al");
    assert.equal(hello.status, 200);
    assert.equal(hello.text, "hello al");
    const echo = await request("POST", "/echo", "some bytes");
    assert.equal(echo.text, "some bytes");
    assert.equal((await request("GET", "/nowhere")).status, 404);
    await server.close();
    assert.equal(shutdowns, 1);
  });
});
