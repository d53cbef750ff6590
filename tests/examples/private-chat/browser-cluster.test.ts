/**
 * Two people in Chromium on two processes of the private chat that share
 * one Redis and one SQLite file: alice's pages come from process 1, bob's
 * from process 2. Then everything restarts and the history is still there.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import type { Page } from "playwright-core";

import { TestBrowser } from "../test-browser.js";
import { ChildServer } from "../../redis/child-process.js";
import { RedisServer } from "../../redis/redis-server.js";
import { CHAT_APP, LISTENING, RUNNER } from "./helpers.js";

const WAIT = { timeout: 15_000 };

describe("examples/private-chat on two processes, in Chromium", { timeout: 180_000 }, () => {
  let redis: RedisServer;
  let dir: string;
  let env: Record<string, string>;
  let browser: TestBrowser;
  const servers: ChildServer[] = [];
  let one: ChildServer;
  let two: ChildServer;
  let alice: Page;
  let bob: Page;

  const startChat = async () => {
    const server = await ChildServer.start(RUNNER, { ...env, PORT: "0" }, { args: [CHAT_APP], listening: LISTENING });
    servers.push(server);
    return server;
  };

  async function open(username: string, base: string): Promise<Page> {
    const page = await browser.page(username, { viewport: { width: 1100, height: 720 } });
    await page.goto(`${base}/login`);
    await page.fill("#username", username);
    await page.click("button[type=submit]");
    await page.waitForURL(`${base}/`, WAIT);
    return page;
  }

  before(async () => {
    redis = await RedisServer.start({ persistent: true });
    dir = await mkdtemp(join(tmpdir(), "upie-chat-browser-"));
    env = { REDIS_URL: redis.url, CHAT_DB: join(dir, "chat.db"), REDIS_PREFIX: "browser:" };
    [one, two] = [await startChat(), await startChat()];
    browser = await TestBrowser.launch();
  });

  after(async () => {
    await browser?.close();
    await Promise.all(servers.map((server) => server.stop()));
    await redis?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("shows alice (process 1) and bob (process 2) online to each other", async () => {
    alice = await open("alice", one.url);
    bob = await open("bob", two.url);
    // Alice's list was drawn before bob arrived; a reload (or the next users-changed) shows him.
    await alice.reload();
    await alice.locator('#online-users [data-username="bob"]').waitFor(WAIT);
    await bob.locator('#online-users [data-username="alice"]').waitFor(WAIT);
  });

  it("opens the dialog on both processes and shows typing across them", async () => {
    await alice.click('#online-users [data-username="bob"] a');
    await alice.waitForURL(`${one.url}/dialogs/bob`, WAIT);
    await bob.goto(`${two.url}/dialogs/alice`);
    await alice.locator("#opponent-status", { hasText: "online" }).waitFor(WAIT);
    await bob.locator("#opponent-status", { hasText: "online" }).waitFor(WAIT);
    await alice.locator("#send:not([disabled])").waitFor(WAIT);
    await bob.locator("#send:not([disabled])").waitFor(WAIT);
    await alice.locator("#message-input").pressSequentially("Hello Bob", { delay: 20 });
    await bob.locator("#typing.visible").waitFor(WAIT);
    assert.match((await bob.locator("#typing").textContent()) ?? "", /alice is typing/);
  });

  it("exchanges messages with read receipts across the processes", async () => {
    await alice.press("#message-input", "Enter");
    await bob.locator("#message-list .msg.theirs .text", { hasText: "Hello Bob" }).waitFor(WAIT);
    await alice.locator('#message-list .msg.mine[data-state="read"]', { hasText: "Hello Bob" }).waitFor(WAIT);
    await bob.fill("#message-input", "Hi Alice, from another process");
    await bob.press("#message-input", "Enter");
    await alice.locator("#message-list .msg.theirs .text", { hasText: "another process" }).waitFor(WAIT);
    await bob.locator('#message-list .msg.mine[data-state="read"]', { hasText: "another process" }).waitFor(WAIT);
  });

  it("keeps the history when every process and Redis restart", async () => {
    await Promise.all(servers.splice(0).map((server) => server.stop()));
    await redis.kill();
    await redis.restart();
    [one, two] = [await startChat(), await startChat()];
    // New ports, same host: the browsers keep their session cookies, and Redis kept the sessions.
    await alice.goto(`${one.url}/dialogs/bob`);
    await bob.goto(`${two.url}/dialogs/alice`);
    await alice.locator("#message-list .msg.theirs", { hasText: "another process" }).waitFor(WAIT);
    assert.deepEqual(await alice.locator("#message-list .text").allTextContents(), ["Hello Bob", "Hi Alice, from another process"]);
    assert.deepEqual(await bob.locator("#message-list .text").allTextContents(), ["Hello Bob", "Hi Alice, from another process"]);
    await alice.locator("#opponent-status", { hasText: "online" }).waitFor(WAIT);
    await alice.locator("#send:not([disabled])").waitFor(WAIT);
    await alice.fill("#message-input", "Still here after the restart");
    await alice.press("#message-input", "Enter");
    await bob.locator("#message-list .msg.theirs .text", { hasText: "after the restart" }).waitFor(WAIT);
    assert.deepEqual(browser.pageErrors, []);
  });
});
