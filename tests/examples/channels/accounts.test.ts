/**
 * Accounts and sessions under attack: fields of the wrong type, a sign-out
 * that must end that token's sockets, password guessing against one account
 * from many addresses, and one account signing in again and again.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { CLOSE } from "../../../examples/channels/platform.js";
import { Platform } from "./helpers.js";

let platform: Platform;
before(async () => {
  platform = await Platform.start({ signInBackoff: { freeFailures: 3, baseMs: 60_000, maxMs: 600_000 } });
});
after(() => platform.close());

describe("sign-up and sign-in input", () => {
  it("answers fields of the wrong type with 400 and creates nothing", async () => {
    assert.equal((await platform.api("/api/sign_up", { body: { username: "alice", password: "long enough" } })).status, 201);
    for (const body of [
      { username: ["alice"], password: "long enough" },
      { username: { 0: "x" }, password: "long enough" },
      { username: "zed", password: 12345678 },
      { username: "zed", password: "long enough", role: ["service"] },
      { username: "zed", password: "long enough", name: 7 },
    ]) {
      const res = await platform.api("/api/sign_up", { body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(String(res.body), /must be a string/);
    }
    assert.equal((await platform.api("/api/sign_in", { body: { username: ["alice"], password: "long enough" } })).status, 400);
    assert.equal((await platform.api("/api/sign_in", { body: { username: "alice", password: ["long enough"] } })).status, 400);
    assert.equal((await platform.api("/api/sign_in", { body: { username: "zed", password: "long enough" } })).status, 401);
  });
});

describe("accounts per address", () => {
  it("refuses sign-ups past the address's quota with 403", async () => {
    const limited = await Platform.start({ accountsPerAddress: 2 });
    try {
      await limited.account("user");
      await limited.account("service");
      const third = await limited.api("/api/sign_up", { body: { username: "third", password: "correct horse" } });
      assert.equal(third.status, 403);
      assert.match(String(third.body), /quota/);
    } finally {
      await limited.close();
    }
  });
});

describe("sign-out", () => {
  it("closes the sockets logged in with that token with 4401, and only those", async () => {
    const login = await platform.account("user");
    const second = await platform.api("/api/sign_in", { body: { username: login.username, password: "correct horse" } });
    const signedOut = await platform.user(login);
    const kept = await platform.user({ ...login, token: second.body.access_token });
    assert.equal((await platform.api("/api/sign_out", { token: login.token, body: {} })).status, 200);
    assert.equal((await signedOut.closed).code, CLOSE.SIGNED_OUT);
    assert.equal(CLOSE.SIGNED_OUT, 4401);
    assert.equal((await kept.request({ type: "heartbeat" })).body.status, true);
  });
});

describe("password guessing", () => {
  it("backs off one account after repeated failures, whatever the address, and leaves others alone", async () => {
    const victim = await platform.account("user");
    const other = await platform.account("user");
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await platform.api("/api/sign_in", { body: { username: victim.username, password: "guess guess" } })).status);
    assert.deepEqual(statuses, [401, 401, 401, 429]);
    const blocked = await fetch(`${platform.base}/api/sign_in`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: victim.username, password: "correct horse" }),
    });
    assert.equal(blocked.status, 429);
    assert.ok(Number(blocked.headers.get("retry-after")) >= 1);
    assert.equal((await platform.api("/api/sign_in", { body: { username: other.username, password: "correct horse" } })).status, 200);
  });
});

describe("sessions", () => {
  it("limits sessions per account by ending that account's own oldest, never another's", async () => {
    const limited = await Platform.start({ storeLimits: { sessionsPerAccount: 2, sessions: 4 } });
    try {
      const bystander = await limited.account("user");
      const busy = await limited.account("user");
      const tokens = [busy.token];
      for (let i = 0; i < 6; i++) tokens.push((await limited.api("/api/sign_in", { body: { username: busy.username, password: "correct horse" } })).body.access_token);
      assert.equal((await limited.api("/api/channels", { token: bystander.token })).status, 200);
      assert.equal((await limited.api("/api/channels", { token: tokens[0] })).status, 401);
      assert.equal((await limited.api("/api/channels", { token: tokens.at(-1) })).status, 200);
      await limited.account("user"); // the fourth session: the platform is full
      assert.equal((await limited.api("/api/sign_up", { body: { username: "late", password: "correct horse" } })).status, 201);
      const refused = await limited.api("/api/sign_in", { body: { username: "late", password: "correct horse" } });
      assert.equal(refused.status, 507); // refused, rather than someone else signed out
      assert.equal((await limited.api("/api/channels", { token: bystander.token })).status, 200);
    } finally {
      await limited.close();
    }
  });

  it("refreshes an access token with the refresh token; the old one stops working, the socket stays", async () => {
    const login = await platform.account("user");
    const signIn = await platform.api("/api/sign_in", { body: { username: login.username, password: "correct horse" } });
    const peer = await platform.user({ ...login, token: signIn.body.access_token });
    const refreshed = await platform.api("/api/refresh", { body: { refresh_token: signIn.body.refresh_token } });
    assert.equal(refreshed.status, 200);
    assert.notEqual(refreshed.body.access_token, signIn.body.access_token);
    assert.equal((await platform.api("/api/channels", { token: signIn.body.access_token })).status, 401);
    assert.equal((await platform.api("/api/channels", { token: refreshed.body.access_token })).status, 200);
    assert.equal((await peer.request({ type: "heartbeat" })).body.status, true);
    assert.equal((await platform.api("/api/refresh", { body: { refresh_token: "forged" } })).status, 401);
  });
});
