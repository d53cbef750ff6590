/**
 * The errors `upie/client` rejects with: named, with catalogue codes, and
 * met where the client meets the failure (a refused handshake, a handshake
 * that never finishes).
 */
import assert from "node:assert/strict";
import net from "node:net";
import { describe, it } from "node:test";

import { ConnectionClosed as ServerConnectionClosed, ERRORS } from "../../lib/index.js";
import { ClientTimeoutError, ConnectFailedError, ConnectionClosed, QueueFullError, WSClient } from "../../lib/ws-client/index.js";
import { quietLogger, refusingServer, until } from "./helpers.js";

describe("upie/client errors", { timeout: 30_000 }, () => {
  it("name themselves and carry their catalogue codes", () => {
    const cases: Array<[Error & { code: string }, string, string]> = [
      [new QueueFullError(3), "QueueFullError", ERRORS.WS_CLIENT_QUEUE_FULL.code],
      [new ClientTimeoutError("slow"), "ClientTimeoutError", ERRORS.WS_CLIENT_TIMEOUT.code],
      [new ConnectFailedError("refused"), "ConnectFailedError", ERRORS.WS_CLIENT_CONNECT_FAILED.code],
    ];
    for (const [error, name, code] of cases) {
      assert.ok(error instanceof Error);
      assert.equal(error.name, name);
      assert.equal(error.code, code);
    }
    assert.match(new QueueFullError(3).message, /3 sends waiting/);
  });

  it("reject a closed client with upie's own ConnectionClosed, the class the server side throws", () => {
    assert.equal(ConnectionClosed, ServerConnectionClosed);
  });

  it("report a refused handshake as ConnectFailedError naming the HTTP status", async () => {
    const refusing = await refusingServer();
    const errors: unknown[] = [];
    const client = new WSClient(`ws://127.0.0.1:${refusing.port}/`, { reconnect: { initialDelayMs: 20, maxDelayMs: 40 }, logger: quietLogger() });
    client.on("reconnecting", (event) => void errors.push(event.error));
    client.connect().catch(() => {}); // rejects with ConnectionClosed at close()
    try {
      await until("a failed attempt", () => errors.length >= 1);
      assert.ok(errors[0] instanceof ConnectFailedError, String(errors[0]));
      assert.match((errors[0] as Error).message, /HTTP 403/);
    } finally {
      await client.close();
      await refusing.close();
    }
  });

  it("report a handshake that never finishes as ClientTimeoutError after timeoutMs", async () => {
    const sockets = new Set<net.Socket>();
    const mute = net.createServer((socket) => {
      sockets.add(socket);
      socket.on("error", () => {});
    });
    await new Promise<void>((resolve) => mute.listen(0, "127.0.0.1", () => resolve()));
    const errors: unknown[] = [];
    const client = new WSClient(`ws://127.0.0.1:${(mute.address() as net.AddressInfo).port}/`, { timeoutMs: 100, reconnect: { initialDelayMs: 20, maxDelayMs: 40 }, logger: quietLogger() });
    client.on("reconnecting", (event) => void errors.push(event.error));
    client.connect().catch(() => {}); // rejects with ConnectionClosed at close()
    try {
      await until("a timed-out attempt", () => errors.length >= 1);
      assert.ok(errors[0] instanceof ClientTimeoutError, String(errors[0]));
      assert.equal((errors[0] as ClientTimeoutError).code, ERRORS.WS_CLIENT_TIMEOUT.code);
    } finally {
      await client.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => mute.close(resolve));
    }
  });
});
