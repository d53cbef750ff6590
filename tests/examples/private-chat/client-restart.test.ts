/**
 * The chat page on upie/client, in Chromium: the server is stopped and
 * started again on the same port (same store and sessions, as a restarted
 * process with persistent storage would have); the page shows its banner,
 * keeps what alice types during the outage, and delivers it after the
 * restart, without a reload.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import type { Page } from "playwright-core";

import { TestBrowser } from "../test-browser.js";
import { buildClientBundle } from "../../../examples/build-client.js";
import { PrivateChatApp } from "../../../examples/private-chat/app.js";
import { InMemoryChatStore } from "../../../examples/private-chat/chat-store.js";
import { InMemorySessionBackend, type Server } from "../../../lib/index.js";
import { freePort } from "../../ws-client/helpers.js";

const WAIT = { timeout: 15_000 };

describe("the chat page across a server restart", { timeout: 120_000 }, () => {
  const store = new InMemoryChatStore();
  const sessionBackend = new InMemorySessionBackend();
  let port: number;
  let server: Server | undefined;
  let browser: TestBrowser;

  const start = async () => {
    server = await new PrivateChatApp({ store, sessionBackend }).listen({ port, host: "127.0.0.1" });
  };

  async function login(username: string): Promise<Page> {
    const page = await browser.page(username);
    await page.goto(`http://127.0.0.1:${port}/login`);
    await page.fill("#username", username);
    await page.click("button[type=submit]");
    await page.waitForURL(`http://127.0.0.1:${port}/`, WAIT);
    return page;
  }

  async function openDialog(page: Page, opponent: string): Promise<void> {
    await page.goto(`http://127.0.0.1:${port}/dialogs/${opponent}`);
    await page.locator("#send:not([disabled])").waitFor(WAIT);
  }

  before(async () => {
    await buildClientBundle();
    port = await freePort();
    await start();
    browser = await TestBrowser.launch();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it("delivers what was typed during the outage once the server is back, without a reload", async () => {
    const alice = await login("alice");
    const bob = await login("bob");
    await openDialog(alice, "bob");
    await openDialog(bob, "alice");
    await alice.evaluate(() => ((globalThis as { sameDocument?: boolean }).sameDocument = true));

    await server!.close();
    server = undefined;
    await alice.locator("#connection:not([hidden])").waitFor(WAIT);
    assert.equal(await alice.locator("#connection").textContent(), "Connection lost. Reconnecting…");

    await alice.fill("#message-input", "typed while the server was down");
    await alice.press("#message-input", "Enter");
    await alice.fill("#message-input", "and a second one");
    await alice.press("#message-input", "Enter");
    assert.equal(await alice.locator("#pending-list .msg").count(), 2, "both wait as pending bubbles");

    await start();
    await alice.locator("#connection[hidden]").waitFor({ state: "attached", ...WAIT });
    await bob.locator("#message-list .text", { hasText: "and a second one" }).waitFor(WAIT);
    const texts = await bob.locator("#message-list .text").allTextContents();
    assert.deepEqual(texts.slice(-2), ["typed while the server was down", "and a second one"], "in the order typed");
    await alice.locator("#pending-list .msg").first().waitFor({ state: "detached", ...WAIT });
    assert.equal(await alice.evaluate(() => (globalThis as { sameDocument?: boolean }).sameDocument), true, "the page was not reloaded");
    assert.deepEqual(browser.pageErrors, []);
  });
});
