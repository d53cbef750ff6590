/**
 * The transport under WSClient, through the client: the same frames on
 * `ws` (Node) and on a standard WebSocket (browsers), and a view's own bytes only.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { WSClient, type WebSocketConstructor } from "../../lib/ws-client/index.js";
import { EchoApp, listen, quietLogger, StandardWebSocket, until } from "./helpers.js";

const TRANSPORTS: Array<[string, WebSocketConstructor | undefined]> = [["ws", undefined], ["a standard WebSocket", StandardWebSocket]];

describe("the WSClient transport", { timeout: 30_000 }, () => {
  for (const [name, WebSocket] of TRANSPORTS) {
    it(`sends text as text and a Uint8Array view's own bytes as binary, and reads both back (${name})`, async () => {
      const app = new EchoApp();
      const server = await listen(app);
      const received: Array<string | Uint8Array> = [];
      const client = new WSClient(`ws://127.0.0.1:${server.port}/echo`, { WebSocket, handle: (message) => void received.push(message), logger: quietLogger() });
      try {
        await client.connect();
        const backing = new Uint8Array([9, 9, 1, 2, 3, 9, 9]);
        await client.send("héllo");
        await client.send(backing.subarray(2, 5));
        await until("both echoes", () => received.length === 2);
        assert.equal(received[0], "héllo");
        assert.ok(received[1] instanceof Uint8Array, `binary came back as ${typeof received[1]}`);
        assert.deepEqual([...(received[1] as Uint8Array)], [1, 2, 3]);
      } finally {
        await client.close();
        await server.close();
      }
    });
  }
});
