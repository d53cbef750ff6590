import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  App,
  ConnectionClosed,
  HttpError,
  TestClient,
  WebSocketMiddleware,
  WebSocketStateError,
  type Request,
  type WebSocket,
} from "../../lib/index.js";
import { newSessionId } from "../../lib/session/session-id.js";
import { recordingLogger } from "../core/helpers.js";

/** Set by tests: module-level code that reads the app's request without `this`. */
let current: App | undefined;
function requestPathFromOutside(): string {
  return current!.request.path;
}

/** Resolves when `check()` holds, polling each tick; fails after `ms`. */
async function until(check: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

class Sockets extends App {
  seen: unknown[] = [];
  errors: unknown[] = [];

  async ws_index(ws: WebSocket) {
    await ws.accept();
    await ws.sendText("root");
  }

  async ws_echo(ws: WebSocket) {
    await ws.accept();
    for await (const message of ws) await ws.sendText(message);
  }

  async ws_room(ws: WebSocket, name: string, mode = "plain") {
    this.seen.push({ name, mode, user: this.request.cookies.user, path: this.request.path, params: { ...this.request.pathParams } });
    await ws.accept();
    await ws.sendJson({ name, mode });
  }

  async ws_files(ws: WebSocket, ...parts: string[]) {
    await ws.accept();
    await ws.sendJson(parts);
  }

  async ws_never(_ws: WebSocket) {}

  async ws_refuse(ws: WebSocket) {
    await ws.close(4000, "no");
  }

  async ws_throws(_ws: WebSocket) {
    throw new Error("before accept");
  }

  async ws_unauthorized(_ws: WebSocket) {
    throw new HttpError(401, "log in first");
  }

  async ws_crash(ws: WebSocket) {
    await ws.accept();
    await ws.receiveText();
    throw new Error("after accept");
  }

  async ws_kinds(ws: WebSocket) {
    await ws.accept();
    const asText = await ws.receiveText();
    const asBytes = await ws.receiveBytes();
    const raw1 = await ws.receive();
    const raw2 = await ws.receive();
    const json = await ws.receiveJson();
    await ws.sendJson({ asText, asBytes: [...asBytes], raw1: typeof raw1, raw2: raw2 instanceof Uint8Array, json });
    await ws.sendBytes(new Uint8Array([1, 2, 3]));
    await ws.sendBytes(new Uint8Array([4, 5]).buffer);
  }

  async ws_states(ws: WebSocket) {
    const errors: string[] = [];
    try {
      await ws.sendText("too early");
    } catch (error) {
      errors.push((error as Error).name);
    }
    try {
      await ws.receiveText();
    } catch (error) {
      errors.push((error as Error).name);
    }
    await ws.accept();
    try {
      await ws.accept();
    } catch (error) {
      errors.push((error as Error).name);
    }
    await ws.sendJson({ errors, accepted: ws.accepted, closed: ws.closed, address: ws.remoteAddress });
    assert.throws(() => ws.close(1006), RangeError);
    assert.throws(() => ws.close(1000, "x".repeat(124)), RangeError);
    await ws.close(4001, "bye");
    await ws.close(4002, "again");
    this.seen.push({ closed: ws.closed, accepted: ws.accepted });
    try {
      await ws.sendText("too late");
    } catch (error) {
      this.errors.push(error);
    }
    try {
      await ws.receiveText();
    } catch (error) {
      this.errors.push(error);
    }
  }

  async ws_pending(ws: WebSocket) {
    await ws.accept();
    try {
      await ws.receiveText();
    } catch (error) {
      this.errors.push(error);
    }
    try {
      await ws.sendText("after the peer left");
    } catch (error) {
      this.errors.push(error);
    }
  }

  async ws_loop(ws: WebSocket) {
    await ws.accept();
    const got: string[] = [];
    for await (const message of ws) got.push(message);
    this.seen.push(got);
  }

  async ws_hold(ws: WebSocket) {
    await ws.accept();
    await new Promise((resolve) => setTimeout(resolve, 30));
    const got: string[] = [];
    try {
      for (;;) got.push(await ws.receiveText());
    } catch (error) {
      this.seen.push({ got, error });
    }
  }

  async ws_protocol(ws: WebSocket) {
    this.seen.push([...ws.subprotocols]);
    await ws.accept(ws.subprotocols.includes("chat.v2") ? "chat.v2" : undefined);
    await ws.sendText(ws.subprotocol ?? "none");
  }

  async ws_badprotocol(ws: WebSocket) {
    await ws.accept("not-offered");
  }

  async ws_login(ws: WebSocket) {
    this.request.session.user = "al";
    this.request.setCookie("theme", "dark");
    await ws.accept();
    await ws.sendText("logged in");
  }

  async ws_whoami(ws: WebSocket, user = "nobody") {
    await ws.accept();
    await ws.sendText(`${String(this.request.session.user ?? "nobody")}/${user}`);
  }

  async ws_sessionid(ws: WebSocket) {
    const id = newSessionId();
    await ws.accept(undefined, id);
    await ws.sendText(ws.sessionId ?? "");
  }

  async ws_chat(ws: WebSocket, room: string) {
    await ws.accept();
    await ws.subscribe(room);
    await ws.sendText("joined");
    for await (const text of ws) {
      if (text === "leave") {
        await ws.unsubscribe(room);
        await ws.sendText("left");
        continue;
      }
      await this.publish(room, text);
    }
  }

  async ws_outside(ws: WebSocket) {
    await ws.accept();
    try {
      await ws.sendText(requestPathFromOutside());
    } catch (error) {
      await ws.sendText(`error: ${(error as Error).message}`);
    }
  }

  async ws_outsidecontext(ws: WebSocket) {
    await ws.accept();
    await new Promise((resolve) => setTimeout(resolve, 1));
    await ws.sendText(this.constructor === Sockets ? requestPathFromOutside() : "");
  }

  // onMessage: a handler that never mentions `this` runs outside the request's context.
  async ws_fastoutside(ws: WebSocket) {
    await ws.accept();
    await ws.onMessage((message) => {
      try {
        return ws.sendText(`${String(message)}:${requestPathFromOutside()}`);
      } catch (error) {
        return ws.sendText(`${String(message)}:${(error as Error).name}`);
      }
    });
  }

  // onMessage: one that mentions `this` runs inside it, whatever it calls.
  async ws_fastinside(ws: WebSocket) {
    await ws.accept();
    await ws.onMessage((message) => ws.sendText(`${String(message)}:${this.constructor === Sockets ? requestPathFromOutside() : ""}`));
  }

  _private_helper() {}
  async ws__secret(ws: WebSocket) {
    await ws.accept();
  }
}

function setup() {
  const logger = recordingLogger();
  const app = new Sockets({ logger, websocket: { maxQueuedMessages: 4 } });
  return { app, logger, client: new TestClient(app) };
}

describe("ws_ routes", () => {
  it("serves ws_index at /", async () => {
    const { client } = setup();
    const ws = await client.websocket("/");
    assert.equal(ws.status, 101);
    assert.equal(await ws.receiveText(), "root");
  });

  it("binds path segments, query and cookies like HTTP handlers, with this.request", async () => {
    const { app, client } = setup();
    client.cookies.set("user", "al");
    const ws = await client.websocket("/room/blue?mode=fast");
    assert.deepEqual(await ws.receiveJson(), { name: "blue", mode: "fast" });
    assert.deepEqual(app.seen, [{ name: "blue", mode: "fast", user: "al", path: "/room/blue", params: { name: "blue" } }]);
  });

  it("passes a rest parameter every remaining segment", async () => {
    const { client } = setup();
    const ws = await client.websocket("/files/a/b/c");
    assert.deepEqual(await ws.receiveJson(), ["a", "b", "c"]);
  });

  it("answers 400 for a missing required parameter, without upgrading", async () => {
    const { client } = setup();
    const ws = await client.websocket("/room");
    assert.equal(ws.status, 400);
    assert.equal(ws.accepted, false);
    assert.match(ws.body, /Missing required parameter 'name'/);
  });

  it("answers 404 for unknown, private and HTTP-only names", async () => {
    const { client } = setup();
    for (const path of ["/nope", "/_secret", "/_private_helper", "/constructor", "/listen", "/publish", "/ws_echo"]) {
      const ws = await client.websocket(path);
      assert.equal(ws.status, 404, path);
    }
  });
});

describe("the handshake", () => {
  it("answers 403 when the handler returns without accepting", async () => {
    const { client } = setup();
    const ws = await client.websocket("/never");
    assert.equal(ws.status, 403);
    assert.throws(() => ws.sendText("x"), WebSocketStateError);
  });

  it("answers 403 when the handler closes before accepting", async () => {
    const { client } = setup();
    assert.equal((await client.websocket("/refuse")).status, 403);
  });

  it("answers 500 and logs when the handler throws before accepting", async () => {
    const { client, logger } = setup();
    const ws = await client.websocket("/throws");
    assert.equal(ws.status, 500);
    assert.equal(ws.body, "Internal Server Error");
    await ws.finished;
    assert.equal(logger.errors.length, 1);
    assert.match(String(logger.errors[0]!.error), /before accept/);
  });

  it("answers an HttpError thrown before accepting with its status", async () => {
    const { client, logger } = setup();
    const ws = await client.websocket("/unauthorized");
    assert.equal(ws.status, 401);
    assert.equal(ws.body, "log in first");
    assert.equal(logger.errors.length, 0);
  });

  it("echoes an offered subprotocol and refuses one that was not offered", async () => {
    const { app, client } = setup();
    const ws = await client.websocket("/protocol", { subprotocols: ["chat.v1", "chat.v2"] });
    assert.equal(ws.subprotocol, "chat.v2");
    assert.equal(await ws.receiveText(), "chat.v2");
    assert.deepEqual(app.seen, [["chat.v1", "chat.v2"]]);
    const plain = await client.websocket("/protocol");
    assert.equal(plain.subprotocol, undefined);
    assert.equal(await plain.receiveText(), "none");
    assert.equal((await client.websocket("/badprotocol", { subprotocols: ["a"] })).status, 500);
  });

  it("sends cookies and a new session set before accept() on the handshake", async () => {
    const { client } = setup();
    const ws = await client.websocket("/login");
    assert.equal(await ws.receiveText(), "logged in");
    assert.ok(ws.setCookies.some((c) => c.startsWith("theme=dark")));
    assert.ok(ws.setCookies.some((c) => c.startsWith("session_id=")));
    const again = await client.websocket("/whoami");
    // The session is read from this.request.session; it never binds to a parameter.
    assert.equal(await again.receiveText(), "al/nobody");
  });

  it("sets the session_id cookie given to accept()", async () => {
    const { client } = setup();
    const ws = await client.websocket("/sessionid");
    const id = await ws.receiveText();
    assert.equal(ws.setCookies.length, 1);
    assert.match(ws.setCookies[0]!, new RegExp(`^session_id=${id}; Max-Age=\\d+; Path=/; HttpOnly; SameSite=Lax$`));
  });
});

describe("WebSocketMiddleware", () => {
  class Gate extends WebSocketMiddleware {
    log: string[] = [];
    constructor(readonly rejection?: { code?: number; reason?: string }) {
      super();
    }
    override beforeWebSocket(request: Request) {
      this.log.push(`before ${request.path}`);
      return this.rejection;
    }
    override afterWebSocket(request: Request) {
      this.log.push(`after ${request.path}`);
    }
  }

  it("refuses with 403 and the reason when beforeWebSocket returns a close code", async () => {
    const { app, client } = setup();
    const gate = new Gate({ code: 1008, reason: "banned" });
    app.webSocketMiddlewares.push(gate);
    const ws = await client.websocket("/echo");
    assert.equal(ws.status, 403);
    assert.equal(ws.body, "banned");
    await ws.finished;
    assert.deepEqual(gate.log, ["before /echo"]);
  });

  it("refuses with the HTTP status beforeWebSocket returns", async () => {
    const { app, client } = setup();
    app.webSocketMiddlewares.push(new Gate({ code: 429 }));
    const ws = await client.websocket("/echo");
    assert.equal(ws.status, 429);
    assert.equal(ws.body, "Too Many Requests");
  });

  it("runs afterWebSocket once the handler has finished", async () => {
    const { app, client } = setup();
    const gate = new Gate();
    app.webSocketMiddlewares.push(gate);
    const ws = await client.websocket("/echo");
    assert.deepEqual(gate.log, ["before /echo"]);
    await ws.close();
    await ws.finished;
    assert.deepEqual(gate.log, ["before /echo", "after /echo"]);
  });
});

describe("WebSocket messages", () => {
  it("echoes with the for-await loop and ends it quietly when the client closes", async () => {
    const { client, logger } = setup();
    const ws = await client.websocket("/echo");
    for (const text of ["a", "b", "c"]) await ws.sendText(text);
    assert.deepEqual([await ws.receiveText(), await ws.receiveText(), await ws.receiveText()], ["a", "b", "c"]);
    await ws.close(1000, "done");
    await ws.finished;
    assert.equal(logger.errors.length, 0);
  });

  it("decodes binary for receiveText, encodes text for receiveBytes, and keeps kinds in receive()", async () => {
    const { client } = setup();
    const ws = await client.websocket("/kinds");
    await ws.sendBytes(new TextEncoder().encode("héllo"));
    await ws.sendText("wörld");
    await ws.sendText("t");
    await ws.sendBytes(new Uint8Array([9]));
    await ws.sendJson({ n: 1 });
    assert.deepEqual(await ws.receiveJson(), {
      asText: "héllo",
      asBytes: [...new TextEncoder().encode("wörld")],
      raw1: "string",
      raw2: true,
      json: { n: 1 },
    });
    assert.deepEqual(await ws.receiveBytes(), new Uint8Array([1, 2, 3]));
    assert.deepEqual(await ws.receive(), new Uint8Array([4, 5]));
  });

  it("throws WebSocketStateError before accept, validates close, and closes once", async () => {
    const { app, client } = setup();
    const ws = await client.websocket("/states");
    assert.deepEqual(await ws.receiveJson(), {
      errors: ["WebSocketStateError", "WebSocketStateError", "WebSocketStateError"],
      accepted: true,
      closed: false,
      address: "127.0.0.1",
    });
    assert.deepEqual(await ws.closed, { code: 4001, reason: "bye" });
    await ws.finished;
    assert.deepEqual(app.seen, [{ closed: true, accepted: true }]);
    assert.equal(app.errors.length, 2);
    for (const error of app.errors) {
      assert.ok(error instanceof ConnectionClosed);
      assert.equal(error.code, 4001);
      assert.equal(error.reason, "bye");
    }
  });

  it("rejects a pending receive, and later sends, with the client's close code", async () => {
    const { app, client } = setup();
    const ws = await client.websocket("/pending");
    await ws.close(4100, "gone");
    await ws.finished;
    assert.equal(app.errors.length, 2);
    for (const error of app.errors) {
      assert.ok(error instanceof ConnectionClosed);
      assert.equal(error.code, 4100);
      assert.equal(error.reason, "gone");
    }
  });

  it("queues messages that arrive before they are read, in order", async () => {
    const { app, client } = setup();
    const ws = await client.websocket("/hold");
    for (const text of ["1", "2", "3"]) await ws.sendText(text);
    await ws.close();
    await ws.finished;
    const [outcome] = app.seen as Array<{ got: string[]; error: unknown }>;
    assert.deepEqual(outcome!.got, ["1", "2", "3"]);
    assert.ok(outcome!.error instanceof ConnectionClosed);
  });

  it("closes with 1008 when unread messages overflow the queue", async () => {
    const { app, client } = setup();
    const ws = await client.websocket("/hold");
    for (let i = 0; i < 6; i++) await ws.sendText(String(i)).catch(() => {});
    assert.deepEqual(await ws.closed, { code: 1008, reason: "Too many unread messages" });
    await ws.finished;
    const [outcome] = app.seen as Array<{ got: string[]; error: ConnectionClosed }>;
    assert.deepEqual(outcome!.got, []);
    assert.equal(outcome!.error.code, 1008);
  });

  it("closes with 1011 and logs when the handler throws after accepting", async () => {
    const { client, logger } = setup();
    const ws = await client.websocket("/crash");
    await ws.sendText("go");
    assert.deepEqual(await ws.closed, { code: 1011, reason: "Internal error" });
    await ws.finished;
    assert.equal(logger.errors.length, 1);
    assert.match(String(logger.errors[0]!.error), /after accept/);
  });

  it("closes with 1000 when the handler returns after accepting", async () => {
    const { client } = setup();
    const ws = await client.websocket("/");
    assert.equal(await ws.receiveText(), "root");
    assert.deepEqual(await ws.closed, { code: 1000, reason: "" });
  });

  it("collects what a for-await loop saw before the close", async () => {
    const { app, client } = setup();
    const ws = await client.websocket("/loop");
    await ws.sendText("x");
    await ws.sendBytes(new TextEncoder().encode("y"));
    await until(() => true);
    await ws.close();
    await ws.finished;
    assert.deepEqual(app.seen, [["x", "y"]]);
  });
});

describe("the request context", () => {
  it("reaches this.request from code the handler awaits when the handler uses `this`", async () => {
    const { app, client } = setup();
    current = app;
    const ws = await client.websocket("/outsidecontext");
    assert.equal(await ws.receiveText(), "/outsidecontext");
  });

  it("reaches this.request from code the handler awaits even when the handler never mentions `this`", async () => {
    const { app, client } = setup();
    current = app;
    const ws = await client.websocket("/outside");
    assert.equal(await ws.receiveText(), "/outside");
  });
});

describe("the request context in onMessage", () => {
  it("is there for a handler that mentions `this`, even in code it calls", async () => {
    const { app, client } = setup();
    current = app;
    const ws = await client.websocket("/fastinside");
    await ws.sendText("a");
    assert.equal(await ws.receiveText(), "a:/fastinside");
  });

  it("is not entered for a handler that never mentions `this` (the cheap call): reaching the request otherwise fails clearly", async () => {
    const { app, client } = setup();
    current = app;
    const ws = await client.websocket("/fastoutside");
    await ws.sendText("a");
    assert.equal(await ws.receiveText(), "a:InvalidStateError");
  });
});

describe("pub/sub through the TestClient", () => {
  it("fans app.publish out to every subscriber of the topic only", async () => {
    const { client } = setup();
    const al = await client.websocket("/chat/blue");
    const bo = await client.websocket("/chat/blue");
    const cy = await client.websocket("/chat/red");
    for (const ws of [al, bo, cy]) assert.equal(await ws.receiveText(), "joined");
    await al.sendText("hi blue");
    assert.equal(await al.receiveText(), "hi blue");
    assert.equal(await bo.receiveText(), "hi blue");
    await cy.sendText("hi red");
    assert.equal(await cy.receiveText(), "hi red");
    await bo.sendText("leave");
    assert.equal(await bo.receiveText(), "left");
    await al.sendText("again");
    assert.equal(await al.receiveText(), "again");
    await bo.sendText("still here?");
    await al.close();
    await bo.close();
    await cy.close();
    await Promise.all([al.finished, bo.finished, cy.finished]);
    await assert.rejects(bo.receiveText(), ConnectionClosed);
  });

  it("delivers through a custom broker without changing the handler", async () => {
    const published: string[] = [];
    const topicsAdded: string[] = [];
    const sinks = new Set<{ deliver(topic: string, message: string | Uint8Array): void }>();
    const broker = {
      publish(topic: string, message: string | Uint8Array) {
        published.push(`${topic}:${String(message)}`);
        for (const sink of sinks) sink.deliver(topic, message);
      },
      attach(sink: { deliver(topic: string, message: string | Uint8Array): void }) {
        sinks.add(sink);
        return () => sinks.delete(sink);
      },
      topicAdded(topic: string) {
        topicsAdded.push(topic);
      },
    };
    const client = new TestClient(new Sockets({ logger: recordingLogger(), websocket: { broker } }));
    const ws = await client.websocket("/chat/green");
    assert.equal(await ws.receiveText(), "joined");
    await ws.sendText("via broker");
    assert.equal(await ws.receiveText(), "via broker");
    assert.deepEqual(published, ["green:via broker"]);
    await client.close();
    assert.equal(sinks.size, 0);
  });
});
