import assert from "node:assert/strict";
import { describe, it } from "node:test";
import net from "node:net";
import { App, ERRORS, InvalidOptionError, ListenError, type Server } from "../../../lib/index.js";
import { freePort, recordingLogger } from "../helpers.js";

class Site extends App {
  async index() { return "up"; }
}

class Named extends App {
  constructor(readonly name: string) {
    super({ logger: recordingLogger() });
  }
  async index() { return this.name; }
}

/** One GET on a fresh connection (no keep-alive): the kernel picks the listener anew each time. */
function getFresh(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let data = "";
    socket.on("data", (chunk) => (data += chunk.toString()));
    socket.on("error", reject);
    socket.on("close", () => resolve(data.slice(data.indexOf("\r\n\r\n") + 4)));
    socket.write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  });
}

describe("listen()", () => {
  for (const options of [{ port: -1 }, { port: 65536 }, { port: 1.5 }, { port: "80" as unknown as number }, { port: Number.NaN }, { host: "" }, { reusePort: "yes" as unknown as boolean }]) {
    it(`rejects ${JSON.stringify(options)} with InvalidOptionError instead of reaching uWS`, async () => {
      await assert.rejects(new Site({ logger: recordingLogger() }).listen({ host: "127.0.0.1", ...options }), InvalidOptionError);
    });
  }

  it("rejects a port already in use with EADDRINUSE naming the port, and the first server keeps serving", async () => {
    // An explicit port: with port 0 uSockets never shares, so only an explicit one shows the default.
    const port = await freePort();
    const first = await new Site({ logger: recordingLogger() }).listen({ port, host: "127.0.0.1" });
    try {
      const error = await new Site({ logger: recordingLogger() }).listen({ port, host: "127.0.0.1" }).then(
        () => assert.fail("the second listen() resolved"),
        (error: unknown) => error,
      );
      assert.ok(error instanceof ListenError);
      assert.equal(error.code, "EADDRINUSE");
      assert.equal(error.errorCode, ERRORS.ADDRESS_IN_USE.code);
      assert.equal(error.port, port);
      assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}.*in use`));
      assert.equal(await (await fetch(`http://127.0.0.1:${port}/`)).text(), "up");
    } finally {
      await first.close();
    }
  });

  it("lets go of what it set up (the broker's sink) when the bind fails", async () => {
    let attached = 0;
    const broker = {
      publish() {},
      attach() {
        attached++;
        return () => void attached--;
      },
    };
    const port = await freePort();
    const first = await new Site({ logger: recordingLogger() }).listen({ port, host: "127.0.0.1" });
    try {
      await assert.rejects(new Site({ logger: recordingLogger(), websocket: { broker } }).listen({ port, host: "127.0.0.1" }), { code: "EADDRINUSE" });
      assert.equal(attached, 0);
    } finally {
      await first.close();
    }
  });

  it("rejects a port a non-upie process holds, too", async () => {
    const other = net.createServer();
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
    const { port } = other.address() as net.AddressInfo;
    try {
      await assert.rejects(new Site({ logger: recordingLogger() }).listen({ port, host: "127.0.0.1" }), { code: "EADDRINUSE" });
    } finally {
      other.close();
    }
  });

  it("shares a port between servers that all ask for reusePort, and both serve", async () => {
    const port = await freePort();
    const servers: Server[] = [];
    try {
      servers.push(await new Named("a").listen({ port, host: "127.0.0.1", reusePort: true }));
      servers.push(await new Named("b").listen({ port, host: "127.0.0.1", reusePort: true }));
      assert.deepEqual(servers.map((server) => server.port), [port, port]);
      const seen = new Set<string>();
      for (let i = 0; i < 200 && seen.size < 2; i++) seen.add(await getFresh(port));
      assert.deepEqual([...seen].sort(), ["a", "b"]);
    } finally {
      await Promise.all(servers.map((server) => server.close()));
    }
  });

  it("does not let an exclusive server into a shared port, nor a sharing one into an exclusive port", async () => {
    const shared = await freePort();
    const first = await new Named("a").listen({ port: shared, host: "127.0.0.1", reusePort: true });
    const exclusive = await freePort();
    const second = await new Named("b").listen({ port: exclusive, host: "127.0.0.1" });
    try {
      await assert.rejects(new Named("c").listen({ port: shared, host: "127.0.0.1" }), { code: "EADDRINUSE" });
      await assert.rejects(new Named("d").listen({ port: exclusive, host: "127.0.0.1", reusePort: true }), { code: "EADDRINUSE" });
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it("reports why any other bind fails (an address this machine does not have)", async () => {
    // 203.0.113.1 is TEST-NET-3 (RFC 5737): never a local address.
    const error = await new Site({ logger: recordingLogger() }).listen({ port: 0, host: "203.0.113.1" }).then(
      () => assert.fail("listen() resolved"),
      (error: unknown) => error,
    );
    assert.ok(error instanceof ListenError);
    assert.equal(error.code, "EADDRNOTAVAIL");
    assert.equal(error.errorCode, ERRORS.LISTEN_FAILED.code);
    assert.match(error.message, /203\.0\.113\.1:0/);
  });

  it("serves two apps side by side on their own ports", async () => {
    class Other extends App {
      async index() { return "other"; }
    }
    const a = await new Site({ logger: recordingLogger() }).listen({ port: 0, host: "127.0.0.1" });
    const b = await new Other({ logger: recordingLogger() }).listen({ port: 0, host: "127.0.0.1" });
    try {
      assert.notEqual(a.port, b.port);
      assert.equal(await (await fetch(`http://127.0.0.1:${a.port}/`)).text(), "up");
      assert.equal(await (await fetch(`http://127.0.0.1:${b.port}/`)).text(), "other");
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
