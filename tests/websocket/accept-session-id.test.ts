import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { App, InvalidOptionError, TestClient, type Server, type WebSocket } from "../../lib/index.js";
import { signCookie } from "../../lib/cookies/signing.js";
import { recordingLogger } from "../core/helpers.js";
import { WsClient } from "../server/ws-client.js";

class Ids extends App {
  /** MicroPie's contract: any id the app chose sets the session_id cookie. */
  async ws_custom(ws: WebSocket) {
    await ws.accept(undefined, "abc123sessionid");
    await ws.sendText(ws.sessionId ?? "");
  }

  /** A bad id is an InvalidOptionError inside the handler, which can catch it and go on. */
  async ws_bad(ws: WebSocket, id = "a b;c") {
    try {
      await ws.accept(undefined, id);
      await ws.sendText("accepted?!");
    } catch (error) {
      await ws.accept();
      await ws.sendText(error instanceof InvalidOptionError ? `InvalidOptionError: ${error.message}` : String(error));
    }
  }

  async login() {
    this.request.session.user = "ada";
    return "ok";
  }

  async whoami() {
    return String(this.request.session.user ?? "nobody");
  }
}

function cookieOf(setCookies: string[]): string {
  const line = setCookies.find((c) => c.startsWith("session_id="));
  assert.ok(line, "a session_id cookie");
  return line;
}

describe("accept(subprotocol, sessionId) with an id the app chose", () => {
  it("sets the session_id cookie for any cookie-safe id", async () => {
    const client = new TestClient(new Ids({ logger: recordingLogger() }));
    const ws = await client.websocket("/custom");
    assert.equal(ws.status, 101);
    assert.equal(await ws.receiveText(), "abc123sessionid");
    assert.match(cookieOf(ws.setCookies), /^session_id=abc123sessionid; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax$/);
  });

  it("signs it, bound to the cookie name, when the app has a secret", async () => {
    const client = new TestClient(new Ids({ secret: "s3cret", logger: recordingLogger() }));
    const ws = await client.websocket("/custom");
    assert.equal(ws.status, 101);
    const value = cookieOf(ws.setCookies).split(";")[0]!.slice("session_id=".length);
    assert.equal(value, signCookie("session_id", "abc123sessionid", "s3cret"));
  });

  it("writes the cookie an HTTP response writes for a session: same signing, ttl and attributes", async () => {
    const client = new TestClient(new Ids({ secret: "s3cret", secureCookies: true, sessionTtl: 60, logger: recordingLogger() }));
    const http = cookieOf((await client.post("/login")).setCookies);
    client.cookies.clear();
    const ws = cookieOf((await client.websocket("/custom")).setCookies);
    const attributes = (line: string) => line.slice(line.indexOf(";"));
    assert.equal(attributes(ws), "; Max-Age=60; Path=/; HttpOnly; Secure; SameSite=Lax");
    assert.equal(attributes(ws), attributes(http));
    assert.equal(ws.split(";")[0], `session_id=${signCookie("session_id", "abc123sessionid", "s3cret")}`);
  });

  it("rejects an id a cookie cannot carry with InvalidOptionError in the handler", async () => {
    const logger = recordingLogger();
    const client = new TestClient(new Ids({ logger }));
    for (const bad of ["a b;c", "x\r\ny", "quote\"d", "x".repeat(257)]) {
      const ws = await client.websocket(`/bad?id=${encodeURIComponent(bad)}`);
      assert.equal(ws.status, 101, bad);
      assert.match(await ws.receiveText(), /^InvalidOptionError: a session id must be/);
      assert.deepEqual(ws.setCookies, []);
    }
    assert.equal(logger.errors.length, 0);
  });

  describe("over a real socket", () => {
    let server: Server;
    let base: string;
    before(async () => {
      server = await new Ids({ logger: recordingLogger() }).listen({ port: 0, host: "127.0.0.1" });
      base = `ws://127.0.0.1:${server.port}`;
    });
    after(() => server.close());

    it("answers 101 with the cookie, not 500", async () => {
      const client = new WsClient(`${base}/custom`);
      const headers = await new Promise<Record<string, string | string[] | undefined>>((resolve, reject) => {
        client.socket.once("upgrade", (response) => resolve(response.headers));
        client.opened.catch(reject);
      });
      await client.opened;
      assert.equal(await client.nextText(), "abc123sessionid");
      assert.match(String(headers["set-cookie"]), /^session_id=abc123sessionid;/);
      client.close();
      await client.closed;
    });

    it("lets the handler recover from a bad id", async () => {
      const client = new WsClient(`${base}/bad`);
      await client.opened;
      assert.match(await client.nextText(), /^InvalidOptionError/);
      client.close();
      await client.closed;
    });
  });
});
