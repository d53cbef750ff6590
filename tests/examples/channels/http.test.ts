/**
 * The channels HTTP API: accounts with hashed passwords, tokens,
 * POST-only state changes, channels, agents, groups and upload limits.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { MAX_UPLOAD } from "../../../examples/channels/app.js";
import { ChannelStore } from "../../../examples/channels/channel-store.js";
import { Platform } from "./helpers.js";

let platform: Platform;
before(async () => {
  platform = await Platform.start();
});
after(() => platform.close());

describe("accounts", () => {
  it("keeps only a salted hash of the password", async () => {
    const store = new ChannelStore();
    const a = await store.signUp("ann", "same password", "user");
    const b = await store.signUp("ben", "same password", "user");
    assert.equal(a.hash.length, 32);
    assert.notDeepEqual(a.hash, b.hash); // different salts
    assert.equal(JSON.stringify(a).includes("same password"), false);
    assert.equal((await store.accounts.signIn("ann", "same password"))?.id, a.id);
    assert.equal(await store.accounts.signIn("ann", "wrong password"), undefined);
    assert.equal(await store.accounts.signIn("nobody", "same password"), undefined);
  });

  it("signs up and in, refuses a taken name, a wrong password and bad input", async () => {
    assert.equal((await platform.api("/api/sign_up", { body: { username: "carol", password: "long enough" } })).status, 201);
    assert.equal((await platform.api("/api/sign_up", { body: { username: "carol", password: "long enough" } })).status, 409);
    assert.equal((await platform.api("/api/sign_up", { body: { username: "bad name!", password: "long enough" } })).status, 400);
    assert.equal((await platform.api("/api/sign_up", { body: { username: "dave", password: "short" } })).status, 400);
    assert.equal((await platform.api("/api/sign_up", { body: { username: "dave", password: "long enough", role: "admin" } })).status, 400);
    assert.equal((await platform.api("/api/sign_in", { body: { username: "carol", password: "not it at all" } })).status, 401);
    const signIn = await platform.api("/api/sign_in", { body: { username: "carol", password: "long enough" } });
    assert.equal(signIn.status, 200);
    assert.equal(typeof signIn.body.access_token, "string");
    const out = await platform.api("/api/sign_out", { token: signIn.body.access_token, body: {} });
    assert.equal(out.status, 200);
    assert.equal((await platform.api("/api/channels", { token: signIn.body.access_token })).status, 401);
  });

  it("answers state-changing routes only to POST", async () => {
    const res = await platform.api("/api/sign_up?username=eve&password=longenough");
    assert.equal(res.status, 405);
    assert.equal((await platform.api("/api/agents/create?name=x")).status, 405);
    assert.equal((await platform.api("/api/upload")).status, 405);
  });

  it("rate-limits sign-in attempts by address when enabled", async () => {
    const limited = await Platform.start({ authRate: { capacity: 2, refillPerSecond: 0.01 } });
    try {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await limited.api("/api/sign_in", { body: { username: "x", password: "yyyyyyyy" } })).status);
      assert.deepEqual(statuses, [401, 401, 429, 429]);
    } finally {
      await limited.close();
    }
  });
});

describe("channels, agents and groups", () => {
  it("needs a token, and lets only services create agents and groups", async () => {
    assert.equal((await platform.api("/api/channels")).status, 401);
    const user = await platform.account("user");
    assert.equal((await platform.api("/api/agents/create", { token: user.token, body: { name: "x" } })).status, 403);
    assert.equal((await platform.api("/api/groups/create", { token: user.token, body: { characters: [] } })).status, 403);
  });

  it("creates, fetches, lists and binds channels", async () => {
    const service = await platform.account("service");
    const other = await platform.account("service");
    const channelId = await platform.channel(service, "Garden");
    const fetched = await platform.api(`/api/channels/${channelId}`, { token: service.token });
    assert.equal(fetched.body.channel_name, "Garden");
    assert.equal(fetched.body.service_online, false);
    const list = await platform.api("/api/channels", { token: other.token });
    assert.ok(list.body.channels.some((c: any) => c.channel_id === channelId));
    assert.equal((await platform.api(`/api/channels/${channelId}/bind`, { token: other.token, body: {} })).status, 409);
    assert.equal((await platform.api("/api/channels/nope", { token: other.token })).status, 404);
  });

  it("refuses a group with a malformed id", async () => {
    const service = await platform.account("service");
    const res = await platform.api("/api/groups/create", { token: service.token, body: { characters: ["ok", "not ok!"] } });
    assert.equal(res.status, 400);
  });
});

describe("uploads", () => {
  const upload = async (token: string, bytes: Uint8Array, type: string, name: string) => {
    const form = new FormData();
    form.append("file", new Blob([bytes], { type }), name);
    return fetch(`${platform.base}/api/upload`, { method: "POST", body: form, headers: { authorization: `Bearer ${token}` } });
  };

  it("stores a file and serves it back; non-images as downloads", async () => {
    const user = await platform.account();
    const res = await upload(user.token, new TextEncoder().encode("<script>alert(1)</script>"), "text/html", "../evil.html");
    assert.equal(res.status, 201);
    const body = (await res.json()) as { path: string; filename: string; size: number };
    assert.equal(body.size, 25);
    assert.equal(body.filename.includes("/"), false);
    const file = await fetch(platform.base + body.path);
    assert.equal(file.headers.get("content-type"), "application/octet-stream");
    assert.match(file.headers.get("content-disposition")!, /^attachment/);
  });

  it("refuses an upload over the limit with 413, and one without a token with 401", async () => {
    const user = await platform.account();
    assert.equal((await upload(user.token, new Uint8Array(MAX_UPLOAD + 1), "image/png", "big.png")).status, 413);
    assert.equal((await upload("forged", new Uint8Array(10), "image/png", "a.png")).status, 401);
  });
});
