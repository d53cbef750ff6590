import assert from "node:assert/strict";
import net from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, it } from "node:test";
import { App } from "../../lib/index.js";
import { closedBy, connect, readResponse, recordingLogger } from "./helpers.js";

class Slow extends App {
  readonly events: string[] = [];
  #started!: () => void;
  /** Resolves when the next `/slow` request reaches its handler. */
  started = this.#nextStart();

  #nextStart(): Promise<void> {
    return new Promise((resolve) => (this.#started = resolve));
  }

  async slow() {
    this.#started();
    await sleep(300);
    this.events.push("handled");
    return "finished";
  }
  async ping() { return "pong"; }
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ECONNREFUSED"));
  });
}

describe("graceful close()", () => {
  it("finishes an in-flight request, refuses new connections, then resolves", async () => {
    const app = new Slow({ logger: recordingLogger() });
    const server = await app.listen({ port: 0, host: "127.0.0.1" });
    const inFlight = fetch(`http://127.0.0.1:${server.port}/slow`).then(async (res) => ({ status: res.status, text: await res.text() }));
    await app.started;
    const closing = server.close().then(() => app.events.push("closed"));
    assert.equal(await refused(server.port), true, "a new connection was accepted while closing");
    assert.deepEqual(await inFlight, { status: 200, text: "finished" });
    await closing;
    assert.deepEqual(app.events, ["handled", "closed"]);
  });

  it("closes idle keep-alive connections", async () => {
    const server = await new Slow({ logger: recordingLogger() }).listen({ port: 0, host: "127.0.0.1" });
    const socket = await connect(server.port);
    const response = readResponse(socket);
    socket.write("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n");
    assert.equal((await response).body.toString(), "pong");
    await server.close();
    await closedBy(socket, 2000);
  });

  it("asks the client of an in-flight keep-alive request to close", async () => {
    const app = new Slow({ logger: recordingLogger() });
    const server = await app.listen({ port: 0, host: "127.0.0.1" });
    const socket = await connect(server.port);
    const response = readResponse(socket);
    socket.write("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
    await app.started;
    const closing = server.close();
    const res = await response;
    assert.equal(res.body.toString(), "finished");
    assert.equal(res.headers.connection, "close");
    await closing;
    await closedBy(socket, 2000);
  });

  it("returns the same promise when called twice", async () => {
    const app = new Slow({ logger: recordingLogger() });
    let shutdowns = 0;
    app.shutdownHandlers.push(() => void shutdowns++);
    const server = await app.listen({ port: 0, host: "127.0.0.1" });
    const first = server.close();
    assert.equal(server.close(), first);
    await first;
    assert.equal(shutdowns, 1);
  });
});
