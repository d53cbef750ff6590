import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { App, InvalidOptionError, TestClient, type AppOptions, type Server, type WebSocket, type WebSocketOrigins } from "../../lib/index.js";
import { recordingLogger } from "../core/helpers.js";
import { WsClient, refusedStatus } from "../server/ws-client.js";

class Feed extends App {
  handshakes = 0;
  async ws_feed(ws: WebSocket) {
    this.handshakes++;
    await ws.accept();
    await ws.sendText(String(this.request.session.user ?? "anonymous"));
  }
  async login() {
    this.request.session.user = "victim";
    return "in";
  }
}

function client(origins?: WebSocketOrigins, options: AppOptions = {}) {
  const app = new Feed({ logger: recordingLogger(), ...options, websocket: origins === undefined ? {} : { origins } });
  return { app, client: new TestClient(app) };
}

const HOST = { host: "chat.example:8000" };
const SAME = { ...HOST, origin: "http://chat.example:8000" };
const EVIL = { ...HOST, origin: "https://evil.example" };

describe("websocket.origins", () => {
  describe("by default", () => {
    it("refuses a cookie-carrying handshake from another origin with 403, before the handler runs", async () => {
      const { app, client: c } = client();
      await c.get("/login");
      const ws = await c.websocket("/feed", { headers: EVIL });
      assert.equal(ws.status, 403);
      assert.equal(app.handshakes, 0);
    });

    it("accepts the same origin, and a client that sends no Origin (not a browser)", async () => {
      const { client: c } = client();
      await c.get("/login");
      const same = await c.websocket("/feed", { headers: SAME });
      assert.equal(same.status, 101);
      assert.equal(await same.receiveText(), "victim");
      const tool = await c.websocket("/feed", { headers: HOST });
      assert.equal(tool.status, 101);
    });

    it("lets a handshake without cookies in from any origin: it rides on nothing", async () => {
      const { client: c } = client();
      const ws = await c.websocket("/feed", { headers: EVIL });
      assert.equal(ws.status, 101);
      assert.equal(await ws.receiveText(), "anonymous");
    });

    it("refuses a sibling origin on another port (SameSite=Lax still sends the cookie there)", async () => {
      const { client: c } = client();
      await c.get("/login");
      const ws = await c.websocket("/feed", { headers: { ...HOST, origin: "http://chat.example:9000" } });
      assert.equal(ws.status, 403);
    });
  });

  it('"same-origin" refuses other origins even without cookies', async () => {
    const { client: c } = client("same-origin");
    assert.equal((await c.websocket("/feed", { headers: EVIL })).status, 403);
    assert.equal((await c.websocket("/feed", { headers: { ...HOST, origin: "null" } })).status, 403);
    assert.equal((await c.websocket("/feed", { headers: SAME })).status, 101);
  });

  it("a list allows those origins and the server's own", async () => {
    const { client: c } = client(["https://app.example"]);
    await c.get("/login");
    assert.equal((await c.websocket("/feed", { headers: { ...HOST, origin: "https://app.example" } })).status, 101);
    assert.equal((await c.websocket("/feed", { headers: SAME })).status, 101);
    assert.equal((await c.websocket("/feed", { headers: EVIL })).status, 403);
    assert.equal((await c.websocket("/feed", { headers: { ...HOST, origin: "https://app.example.evil.example" } })).status, 403);
  });

  it('"*" allows any origin', async () => {
    const { client: c } = client("*");
    await c.get("/login");
    assert.equal((await c.websocket("/feed", { headers: EVIL })).status, 101);
  });

  it("a function decides every handshake", async () => {
    const seen: Array<string | undefined> = [];
    const { client: c } = client((origin) => {
      seen.push(origin);
      return origin === "https://ok.example";
    });
    assert.equal((await c.websocket("/feed", { headers: { origin: "https://ok.example" } })).status, 101);
    assert.equal((await c.websocket("/feed", { headers: EVIL })).status, 403);
    assert.equal((await c.websocket("/feed")).status, 403);
    assert.deepEqual(seen, ["https://ok.example", "https://evil.example", undefined]);
  });

  it("is checked when the app is built", () => {
    for (const bad of ["anything", ["not an origin"], ["https://x.example/path"], [42], 7]) {
      assert.throws(() => new Feed({ websocket: { origins: bad as never } }), InvalidOptionError, JSON.stringify(bad));
    }
  });

  describe("over a real socket", () => {
    let server: Server;
    let app: Feed;
    before(async () => {
      app = new Feed({ logger: recordingLogger() });
      server = await app.listen({ port: 0, host: "127.0.0.1" });
    });
    after(() => server.close());

    it("answers a cross-site handshake with cookies with HTTP 403", async () => {
      const base = `127.0.0.1:${server.port}`;
      const res = await fetch(`http://${base}/login`);
      const cookie = res.headers.get("set-cookie")!.split(";")[0]!;
      const refused = await refusedStatus(`ws://${base}/feed`, { headers: { cookie, origin: "https://evil.example" } });
      assert.equal(refused.status, 403);
      const same = new WsClient(`ws://${base}/feed`, { headers: { cookie, origin: `http://${base}` } });
      await same.opened;
      assert.equal(await same.nextText(), "victim");
      same.close();
      await same.closed;
    });
  });
});
