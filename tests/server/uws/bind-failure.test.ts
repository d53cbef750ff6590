/**
 * bindFailure(): the system's reason for a bind uWS could not make, asked of
 * `node:net` after the fact.
 */
import assert from "node:assert/strict";
import net from "node:net";
import { describe, it } from "node:test";
import { bindFailure } from "../../../lib/server/uws/bind-failure.js";
import { freePort } from "../helpers.js";

function listening(options: net.ListenOptions): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(options, () => resolve(server));
  });
}

describe("bindFailure", () => {
  it("names EADDRINUSE for a port another process holds", async () => {
    const holder = await listening({ host: "127.0.0.1", port: 0 });
    try {
      assert.equal(await bindFailure("127.0.0.1", (holder.address() as net.AddressInfo).port), "EADDRINUSE");
    } finally {
      holder.close();
    }
  });

  it("names EADDRINUSE even when the holder shares its port: the probe asks for it exclusively", async () => {
    // A holder that allows sharing (exclusive: false) must not let the probe through either.
    const holder = await listening({ host: "127.0.0.1", port: 0, exclusive: false });
    try {
      assert.equal(await bindFailure("127.0.0.1", (holder.address() as net.AddressInfo).port), "EADDRINUSE");
    } finally {
      holder.close();
    }
  });

  it("names EADDRNOTAVAIL for an address this machine does not have", async () => {
    // 203.0.113.1 is TEST-NET-3 (RFC 5737): never a local address.
    assert.equal(await bindFailure("203.0.113.1", 0), "EADDRNOTAVAIL");
  });

  it("returns undefined when the port is free by the time it asks, and lets go of it", async () => {
    const port = await freePort();
    assert.equal(await bindFailure("127.0.0.1", port), undefined);
    // The probe closed its socket: the port can be bound again at once.
    const after = await listening({ host: "127.0.0.1", port });
    after.close();
  });
});
