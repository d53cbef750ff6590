import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TestClient } from "../../lib/index.js";
import { WebSocketsApp, type ChatEvent } from "../../examples/websockets/app.js";
import { connect } from "../server/ws-client.js";

describe("examples/websockets", () => {
  it("serves the page with both demos", async () => {
    const res = await new TestClient(new WebSocketsApp()).get("/");
    assert.equal(res.status, 200);
    assert.match(res.text, /new WebSocket\(`\$\{base\}\/echo`\)/);
    assert.match(res.text, /\/chat\//);
  });

  it("echoes text and binary messages", async () => {
    const client = new TestClient(new WebSocketsApp());
    const ws = await client.websocket("/echo");
    await ws.sendText("hello");
    await ws.sendBytes(new TextEncoder().encode("bytes"));
    assert.equal(await ws.receiveText(), "hello");
    assert.equal(await ws.receiveText(), "bytes");
    await ws.close();
    await ws.finished;
  });

  it("chats within a room only, announcing joins and leaves with member counts", async () => {
    const app = new WebSocketsApp();
    const al = await new TestClient(app).websocket("/chat/blue?name=Al");
    assert.deepEqual(await al.receiveJson<ChatEvent>(), { type: "join", name: "Al", members: 1 });
    const bo = await new TestClient(app).websocket("/chat/blue?name=Bo");
    const cy = await new TestClient(app).websocket("/chat/red?name=Cy");
    assert.deepEqual(await al.receiveJson(), { type: "join", name: "Bo", members: 2 });
    assert.deepEqual(await bo.receiveJson(), { type: "join", name: "Bo", members: 2 });
    assert.deepEqual(await cy.receiveJson(), { type: "join", name: "Cy", members: 1 });
    await al.sendText("  hi <b>blue</b>  ");
    assert.deepEqual(await al.receiveJson(), { type: "message", name: "Al", text: "hi <b>blue</b>" });
    assert.deepEqual(await bo.receiveJson(), { type: "message", name: "Al", text: "hi <b>blue</b>" });
    await bo.close();
    await bo.finished;
    assert.deepEqual(await al.receiveJson(), { type: "leave", name: "Bo", members: 1 });
    await cy.sendText("red only");
    assert.deepEqual(await cy.receiveJson(), { type: "message", name: "Cy", text: "red only" });
    await al.sendText("still here");
    assert.deepEqual(await al.receiveJson(), { type: "message", name: "Al", text: "still here" });
    for (const ws of [al, cy]) await ws.close();
  });

  it("remembers the chosen name in the session cookie set on the handshake", async () => {
    const client = new TestClient(new WebSocketsApp());
    const first = await client.websocket("/chat/lobby?name=Dee<script>");
    assert.deepEqual(await first.receiveJson(), { type: "join", name: "Deescript", members: 1 });
    assert.ok(first.setCookies.some((cookie) => cookie.startsWith("session_id=")));
    await first.close();
    await first.finished;
    const again = await client.websocket("/chat/lobby");
    assert.deepEqual(await again.receiveJson(), { type: "join", name: "Deescript", members: 1 });
    await again.close();
  });

  it("runs on uWS with real WebSocket clients", async () => {
    const server = await new WebSocketsApp().listen({ port: 0, host: "127.0.0.1" });
    try {
      const url = `ws://127.0.0.1:${server.port}`;
      const echo = await connect(`${url}/echo`);
      echo.send("over the wire");
      assert.equal(await echo.nextText(), "over the wire");
      const a = await connect(`${url}/chat/green?name=Ann`);
      assert.deepEqual(JSON.parse(await a.nextText()), { type: "join", name: "Ann", members: 1 });
      const b = await connect(`${url}/chat/green?name=Ben`);
      assert.deepEqual(JSON.parse(await a.nextText()), { type: "join", name: "Ben", members: 2 });
      assert.deepEqual(JSON.parse(await b.nextText()), { type: "join", name: "Ben", members: 2 });
      b.send("hello Ann");
      assert.deepEqual(JSON.parse(await a.nextText()), { type: "message", name: "Ben", text: "hello Ann" });
      for (const client of [echo, a, b]) client.close();
    } finally {
      await server.close();
    }
  });
});
