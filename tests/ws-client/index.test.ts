/**
 * `upie/client` (lib/ws-client/index.ts, the package's "./client" export):
 * the names it promises, and the catalogue errors it shares with `upie`.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";

import * as main from "../../lib/index.js";
import * as catalogue from "../../lib/protocol/errors.js";
import * as client from "../../lib/ws-client/index.js";

describe("upie/client", () => {
  it("exports the client, its errors and its backoff, and nothing else at run time", () => {
    assert.deepEqual(Object.keys(client).sort(), [
      "Backoff",
      "ClientTimeoutError",
      "ConnectFailedError",
      "ConnectionClosed",
      "InvalidArgumentError",
      "InvalidOptionError",
      "InvalidStateError",
      "NoWebSocketError",
      "QueueFullError",
      "WSClient",
    ]);
  });

  it("shares upie's error classes, so one instanceof works on both sides", () => {
    for (const name of ["ConnectionClosed", "InvalidArgumentError", "InvalidOptionError", "InvalidStateError"] as const) {
      assert.equal(client[name], main[name], name);
    }
    // NoWebSocketError is the client's alone, but from the same catalogue.
    assert.equal(client.NoWebSocketError, catalogue.NoWebSocketError);
  });

  it("is what the package exports as upie/client", () => {
    const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { exports: Record<string, { import: string; types: string }> };
    assert.deepEqual(manifest.exports["./client"], { types: "./dist/ws-client/index.d.ts", import: "./dist/ws-client/index.js" });
  });
});
