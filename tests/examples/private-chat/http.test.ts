import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { TestClient } from "../../../lib/index.js";
import { PrivateChatApp, type PrivateChatOptions } from "../../../examples/private-chat/app.js";
import { ChatConnection } from "../../../examples/private-chat/chat-hub.js";

/** An app and a logged-in client per user. */
async function setUp(users: string[] = ["alice", "bob"], options?: PrivateChatOptions) {
  const app = new PrivateChatApp(options);
  const clients: Record<string, TestClient> = {};
  for (const name of users) {
    const client = new TestClient(app);
    const res = await client.post("/login", { form: { username: name } });
    assert.equal(res.status, 303);
    clients[name] = client;
  }
  return { app, clients };
}

describe("examples/private-chat: pages and the history API", { timeout: 20_000 }, () => {
  describe("login", () => {
    it("shows the login form", async () => {
      const res = await new TestClient(new PrivateChatApp()).get("/login");
      assert.equal(res.status, 200);
      assert.match(res.text, /<form class="card" method="post" action="\/login">/);
      assert.match(res.text, /name="username"/);
    });

    it("logs in with a valid username and redirects to / with 303", async () => {
      const client = new TestClient(new PrivateChatApp());
      const res = await client.post("/login", { form: { username: "Alice_42" } });
      assert.equal(res.status, 303);
      assert.equal(res.headers.location, "/");
      assert.match(res.setCookies.join("\n"), /^session_id=[^;]+;.*HttpOnly/m);
      const home = await client.get("/");
      assert.equal(home.status, 200);
      assert.match(home.text, /id="me-name">Alice_42</);
    });

    it("issues a new session id on every login", async () => {
      const client = new TestClient(new PrivateChatApp());
      await client.post("/login", { form: { username: "alice" } });
      const first = client.cookies.get("session_id");
      await client.post("/login", { form: { username: "bob" } });
      const second = client.cookies.get("session_id");
      assert.ok(first && second);
      assert.notEqual(first, second);
      assert.match((await client.get("/")).text, /id="me-name">bob</);
    });

    it("accepts 1 to 32 of [A-Za-z0-9_]", async () => {
      for (const username of ["a", "Z", "_", "x".repeat(32), "Az_09"]) {
        const res = await new TestClient(new PrivateChatApp()).post("/login", { form: { username } });
        assert.equal(res.status, 303, username);
      }
    });

    it("refuses other usernames with 400, the form shown again with the input escaped", async () => {
      for (const username of ["", "x".repeat(33), "two words", "émile", "a-b", "<script>"]) {
        const client = new TestClient(new PrivateChatApp());
        const res = await client.post("/login", { form: { username } });
        assert.equal(res.status, 400, JSON.stringify(username));
        assert.match(res.text, /1 to 32 letters, digits or underscores/);
        assert.equal(client.cookies.has("session_id"), false);
        assert.ok(!res.text.includes("<script>"), "the echoed value is escaped");
      }
    });

    it("refuses a missing username with 400", async () => {
      const res = await new TestClient(new PrivateChatApp()).post("/login", { form: {} });
      assert.equal(res.status, 400);
    });

    it("sends a logged-in user from /login to /", async () => {
      const { clients } = await setUp(["alice"]);
      const res = await clients.alice!.get("/login");
      assert.equal(res.status, 303);
      assert.equal(res.headers.location, "/");
    });

    it("rate-limits login attempts per address with 429", async () => {
      const app = new PrivateChatApp({ loginRate: { capacity: 2, refillPerSecond: 0.01 } });
      const client = new TestClient(app);
      assert.equal((await client.post("/login", { form: { username: "a" } })).status, 303);
      assert.equal((await client.post("/login", { form: { username: "b" } })).status, 303);
      const limited = await client.post("/login", { form: { username: "c" } });
      assert.equal(limited.status, 429);
      assert.ok(Number(limited.headers["retry-after"]) >= 1);
      assert.equal((await client.get("/login")).status, 303, "pages are not limited");
    });
  });

  describe("logout", () => {
    it("ends the session and redirects to /login", async () => {
      const { clients } = await setUp(["alice"]);
      assert.equal((await clients.alice!.get("/logout")).status, 405, "GET cannot log out (a cross-site link or image)");
      assert.equal((await clients.alice!.get("/")).status, 200);
      const res = await clients.alice!.post("/logout");
      assert.equal(res.status, 303);
      assert.equal(res.headers.location, "/login");
      const home = await clients.alice!.get("/");
      assert.equal(home.status, 303);
      assert.equal(home.headers.location, "/login");
    });
  });

  describe("not logged in", () => {
    it("redirects pages to /login", async () => {
      const client = new TestClient(new PrivateChatApp());
      for (const path of ["/", "/dialogs/bob", "/dialogs?username=bob"]) {
        const res = await client.get(path);
        assert.equal(res.status, 303, path);
        assert.equal(res.headers.location, "/login", path);
      }
    });

    it("answers the API with 401 JSON", async () => {
      const res = await new TestClient(new PrivateChatApp()).get("/api/dialogs/bob/messages");
      assert.equal(res.status, 401);
      assert.deepEqual(res.json(), { error: "not logged in" });
    });

    it("answers a forged session cookie like no session", async () => {
      const client = new TestClient(new PrivateChatApp());
      const res = await client.get("/api/dialogs/bob/messages", { headers: { cookie: "session_id=forged" } });
      assert.equal(res.status, 401);
    });
  });

  describe("dialog pages", () => {
    it("lists dialogs with unread counts, online dots and escaped previews", async () => {
      const { app, clients } = await setUp(["alice", "bob", "carol"]);
      const store = app.chat.store;
      await store.addMessage("bob", "alice", "first");
      await store.addMessage("bob", "alice", "<img src=x onerror=alert(1)>");
      await store.openDialog("alice", "carol");
      await app.chat.connect(new ChatConnection({ sendText: async () => {}, close: async () => {}, subscribe: async () => {} }, "bob", "key"));
      const html = (await clients.alice!.get("/")).text;
      const bob = html.slice(html.indexOf('data-username="bob"'));
      assert.match(bob, /<span class="dot online">/);
      assert.match(bob, /<span class="unread">2<\/span>/);
      assert.match(bob, /&lt;img src=x onerror=alert\(1\)&gt;/);
      assert.ok(!html.includes("<img src=x"));
      const carol = html.slice(html.indexOf('data-username="carol"'));
      assert.match(carol, /<span class="dot">/);
      assert.match(carol, /<span class="unread" hidden>0<\/span>/);
      assert.ok(html.indexOf('data-username="carol"') < html.indexOf('data-username="bob"'), "the most recently active first");
    });

    it("opens the chat page with a known user", async () => {
      const { clients } = await setUp();
      const res = await clients.alice!.get("/dialogs/bob");
      assert.equal(res.status, 200);
      assert.match(res.text, /data-me="alice" data-opponent="bob"/);
      assert.match(res.text, /<textarea id="message-input"/);
      assert.match(res.text, /<script type="module" src="\/static\/chat.js"><\/script>/);
      assert.match((await clients.bob!.get("/")).text, /data-username="alice"/, "the dialog appears for both");
    });

    it("redirects the start box's /dialogs?username= to /dialogs/<username>", async () => {
      const { clients } = await setUp();
      const res = await clients.alice!.get("/dialogs?username=bob");
      assert.equal(res.status, 303);
      assert.equal(res.headers.location, "/dialogs/bob");
    });

    it("answers an unknown user with 404, yourself and bad names with 400", async () => {
      const { clients } = await setUp();
      const ghost = await clients.alice!.get("/dialogs/ghost");
      assert.equal(ghost.status, 404);
      assert.match(ghost.text, /Nobody called ghost has logged in yet/);
      const self = await clients.alice!.get("/dialogs/alice");
      assert.equal(self.status, 400);
      assert.match(self.text, /yourself/);
      const bad = await clients.alice!.get("/dialogs/%3Cb%3E");
      assert.equal(bad.status, 400);
      assert.ok(!bad.text.includes("<b>"));
    });

    it("sends security headers: a strict CSP, no sniffing, no caching", async () => {
      const { clients } = await setUp(["alice"]);
      const res = await clients.alice!.get("/");
      assert.match(res.headers["content-security-policy"]!, /script-src 'self'/);
      assert.equal(res.headers["x-content-type-options"], "nosniff");
      assert.equal(res.headers["cache-control"], "no-store");
    });

    it("serves the UI's files under /static", async () => {
      const client = new TestClient(new PrivateChatApp());
      const js = await client.get("/static/chat.js");
      assert.equal(js.status, 200);
      assert.match(js.headers["content-type"]!, /javascript/);
      assert.match(js.text, /textContent/);
      const css = await client.get("/static/style.css");
      assert.match(css.headers["content-type"]!, /^text\/css/);
      assert.equal((await client.get("/static/../app.ts")).status, 403, "no way out of public/");
    });
  });

  describe("WebSocket /chat in process", () => {
    it("refuses the handshake without a login with 403", async () => {
      const ws = await new TestClient(new PrivateChatApp()).websocket("/chat");
      assert.equal(ws.status, 403);
    });

    it("delivers a message between two logged-in clients", async () => {
      const { clients } = await setUp();
      const alice = await clients.alice!.websocket("/chat");
      const bob = await clients.bob!.websocket("/chat");
      assert.equal(alice.status, 101);
      await alice.sendJson({ type: "new-message", username: "bob", message: "in process" });
      const packet = await bob.receiveJson();
      assert.equal(packet.type, "new-message");
      assert.equal(packet.message, "in process");
      assert.equal(packet.sender_name, "alice");
      await alice.close();
      await bob.close();
    });
  });

  describe("GET /api/dialogs/<username>/messages", () => {
    async function withHistory(count: number) {
      const { app, clients } = await setUp();
      const ids: number[] = [];
      for (let i = 1; i <= count; i++) ids.push((await app.chat.store.addMessage(i % 2 ? "alice" : "bob", i % 2 ? "bob" : "alice", `m${i}`)).id);
      return { app, alice: clients.alice!, ids };
    }

    it("returns the newest page, newest last, with the packet's field names", async () => {
      const { alice, ids } = await withHistory(3);
      const res = await alice.get("/api/dialogs/bob/messages");
      assert.equal(res.status, 200);
      const body = res.json();
      assert.equal(body.has_more, false);
      assert.deepEqual(body.messages.map((m: any) => m.message), ["m1", "m2", "m3"]);
      assert.deepEqual(Object.keys(body.messages[0]).sort(), ["created", "message", "message_id", "read", "sender_name", "username"]);
      assert.deepEqual(body.messages[0], { ...body.messages[0], message_id: ids[0], sender_name: "alice", username: "bob", read: false });
    });

    it("pages backwards with before and limit", async () => {
      const { alice } = await withHistory(7);
      const page1 = (await alice.get("/api/dialogs/bob/messages?limit=3")).json();
      assert.deepEqual(page1.messages.map((m: any) => m.message), ["m5", "m6", "m7"]);
      assert.equal(page1.has_more, true);
      const page2 = (await alice.get(`/api/dialogs/bob/messages?limit=3&before=${page1.messages[0].message_id}`)).json();
      assert.deepEqual(page2.messages.map((m: any) => m.message), ["m2", "m3", "m4"]);
      assert.equal(page2.has_more, true);
      const page3 = (await alice.get(`/api/dialogs/bob/messages?limit=3&before=${page2.messages[0].message_id}`)).json();
      assert.deepEqual(page3.messages.map((m: any) => m.message), ["m1"]);
      assert.equal(page3.has_more, false);
    });

    it("shows the same dialog to both participants", async () => {
      const { app } = await withHistory(2);
      const bob = new TestClient(app);
      await bob.post("/login", { form: { username: "bob" } });
      assert.deepEqual((await bob.get("/api/dialogs/alice/messages")).json().messages.map((m: any) => m.message), ["m1", "m2"]);
    });

    it("caps limit at 100 and defaults it to 30", async () => {
      const { alice } = await withHistory(35);
      assert.equal((await alice.get("/api/dialogs/bob/messages")).json().messages.length, 30);
      assert.equal((await alice.get("/api/dialogs/bob/messages?limit=100")).json().messages.length, 35);
    });

    it("answers a bad before or limit with 400", async () => {
      const { alice } = await withHistory(1);
      for (const query of ["limit=0", "limit=101", "limit=abc", "limit=-1", "before=0", "before=x", "before=1.5"]) {
        assert.equal((await alice.get(`/api/dialogs/bob/messages?${query}`)).status, 400, query);
      }
    });

    it("answers an unknown user with 404 and yourself with 400", async () => {
      const { alice } = await withHistory(0);
      const ghost = await alice.get("/api/dialogs/ghost/messages");
      assert.equal(ghost.status, 404);
      assert.match(ghost.json().error, /ghost/);
      assert.equal((await alice.get("/api/dialogs/alice/messages")).status, 400);
    });

    it("answers only GET", async () => {
      const { alice } = await withHistory(0);
      const res = await alice.post("/api/dialogs/bob/messages", { json: {} });
      assert.equal(res.status, 405);
    });
  });
});
