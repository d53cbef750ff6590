/**
 * End to end in a real browser: Debian's Chromium driven by playwright-core.
 * Two browser contexts (two people, separate cookies) chat through the UI.
 * Leaves a screenshot of the chat page in tests/output/screenshots/private-chat/.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, it } from "node:test";

import type { Page } from "playwright-core";

import { TestBrowser, screenshotPath } from "../test-browser.js";
import { ChatServer } from "./helpers.js";

const XSS = "<img src=x onerror=alert(1)>";
const WAIT = { timeout: 10_000 };

describe("examples/private-chat in Chromium", { timeout: 90_000 }, () => {
  let chat: ChatServer;
  let browser: TestBrowser;
  /** Dialogs (alert/confirm) opened by any page: an XSS would open one. */
  /** Uncaught errors in any page's scripts. */
  let alice: Page;
  let bob: Page;

  async function open(username: string): Promise<Page> {
    const page = await browser.page(username, { viewport: { width: 1100, height: 720 } });
    await page.goto(`${chat.base}/`);
    assert.equal(new URL(page.url()).pathname, "/login", "a visitor is sent to the login page");
    await page.fill("#username", username);
    await page.click("button[type=submit]");
    await page.waitForURL(`${chat.base}/`, WAIT);
    return page;
  }

  before(async () => {
    chat = await ChatServer.start();
    browser = await TestBrowser.launch();
  });

  after(async () => {
    await browser?.close();
    await chat?.close();
  });

  it("logs two people in; each sees the other online", async () => {
    alice = await open("alice");
    bob = await open("bob");
    await alice.locator('#online-users [data-username="bob"]').waitFor(WAIT);
    await bob.locator('#online-users [data-username="alice"]').waitFor(WAIT);
    assert.equal(await alice.locator("#me-name").textContent(), "alice");
  });

  it("starts a dialog from the start box and from the online list", async () => {
    await bob.fill(".start input[name=username]", "alice");
    await bob.press(".start input[name=username]", "Enter");
    await bob.waitForURL(`${chat.base}/dialogs/alice`, WAIT);
    await alice.click('#online-users [data-username="bob"] a');
    await alice.waitForURL(`${chat.base}/dialogs/bob`, WAIT);
    await alice.locator("#opponent-status", { hasText: "online" }).waitFor(WAIT);
    await alice.locator("#send:not([disabled])").waitFor(WAIT);
    await bob.locator("#send:not([disabled])").waitFor(WAIT);
    assert.equal(await bob.locator("#opponent-name").textContent(), "alice");
  });

  it("shows typing to the opponent, and it fades after a few seconds", async () => {
    await alice.locator("#message-input").pressSequentially("Hello Bob", { delay: 20 });
    await bob.locator("#typing.visible").waitFor(WAIT);
    assert.match((await bob.locator("#typing").textContent()) ?? "", /alice is typing/);
    await bob.locator("#typing:not(.visible)").waitFor({ timeout: 6_000 });
    assert.equal(await bob.locator("#typing.visible").count(), 0);
  });

  it("sends on Enter; the opponent gets it and alice sees ✓✓ once bob has read it", async () => {
    await alice.press("#message-input", "Enter");
    await bob.locator("#message-list .msg.theirs .text", { hasText: "Hello Bob" }).waitFor(WAIT);
    const mine = alice.locator("#message-list .msg.mine").last();
    await alice.locator('#message-list .msg.mine[data-state="read"]').waitFor(WAIT);
    assert.equal(await mine.locator(".ticks").textContent(), "✓✓");
    assert.equal(await alice.inputValue("#message-input"), "", "the input is cleared");
  });

  it("shows ✓ (sent, not read) while the opponent is away from the dialog", async () => {
    await bob.goto(`${chat.base}/`);
    await alice.fill("#message-input", "Are you there?");
    await alice.press("#message-input", "Enter");
    const sent = alice.locator("#message-list .msg.mine", { hasText: "Are you there?" });
    await alice.locator('#message-list .msg.mine[data-state="sent"]', { hasText: "Are you there?" }).waitFor(WAIT);
    assert.equal(await sent.locator(".ticks").textContent(), "✓");
    await bob.locator('#dialogs [data-username="alice"] .unread', { hasText: "1" }).waitFor(WAIT);
    await bob.click('#dialogs [data-username="alice"] a');
    await bob.waitForURL(`${chat.base}/dialogs/alice`, WAIT);
    await alice.locator('#message-list .msg.mine[data-state="read"]', { hasText: "Are you there?" }).waitFor(WAIT);
    assert.equal(await sent.locator(".ticks").textContent(), "✓✓");
  });

  it("shows an HTML-looking message as text, running nothing", async () => {
    await alice.fill("#message-input", XSS);
    await alice.press("#message-input", "Enter");
    const text = bob.locator("#message-list .msg.theirs .text", { hasText: "onerror" });
    await text.waitFor(WAIT);
    assert.equal(await text.textContent(), XSS);
    assert.equal(await bob.locator("#message-list img").count(), 0);
    assert.equal(await bob.locator('#dialogs [data-username="alice"] .preview').textContent(), XSS);
    await bob.reload();
    const reloaded = bob.locator("#message-list .msg.theirs .text", { hasText: "onerror" });
    await reloaded.waitFor(WAIT);
    assert.equal(await reloaded.textContent(), XSS, "history renders it as text too");
    assert.deepEqual(browser.dialogs, []);
  });

  it("delivers the reply, and the history survives a reload", async () => {
    await bob.locator("#send:not([disabled])").waitFor(WAIT);
    await bob.fill("#message-input", "Hi Alice! Lunch at noon?");
    await bob.press("#message-input", "Enter");
    await alice.locator("#message-list .msg.theirs .text", { hasText: "Lunch at noon?" }).waitFor(WAIT);
    await alice.reload();
    await alice.locator("#message-list .msg.theirs", { hasText: "Lunch at noon?" }).waitFor(WAIT);
    const texts = await alice.locator("#message-list .text").allTextContents();
    assert.deepEqual(texts, ["Hello Bob", "Are you there?", XSS, "Hi Alice! Lunch at noon?"]);
  });

  it("saves a screenshot of the chat page", async () => {
    await alice.locator("#send:not([disabled])").waitFor(WAIT);
    await alice.fill("#message-input", "Sure, see you there!");
    await alice.press("#message-input", "Enter");
    await alice.locator('#message-list .msg.mine[data-state="read"]', { hasText: "see you there" }).waitFor(WAIT);
    await bob.locator("#message-input").pressSequentially("On my w", { delay: 20 });
    await alice.locator("#typing.visible").waitFor(WAIT);
    const path = screenshotPath("private-chat", "chat.png");
    await alice.screenshot({ path });
    assert.ok(existsSync(path));
  });

  it("shows the opponent offline when they leave, and online when they come back", async () => {
    const bobContext = bob.context();
    await bob.close();
    await alice.locator("#opponent-status", { hasText: "offline" }).waitFor(WAIT);
    assert.equal(await alice.locator("#opponent-dot.online").count(), 0);
    bob = await bobContext.newPage();
    await bob.goto(`${chat.base}/dialogs/alice`);
    await alice.locator("#opponent-status", { hasText: "online" }).waitFor(WAIT);
    assert.equal(await alice.locator("#opponent-dot.online").count(), 1);
  });

  it("reconnects after the connection drops", async () => {
    // Close alice's socket from the server side: the page shows the banner, then reconnects by itself.
    const cookies = await alice.context().cookies();
    const sessionKey = cookies.find((c) => c.name === "session_id")!.value;
    chat.app.chat.hub.closeSession(sessionKey, 1012, "restarting");
    await alice.locator("#connection:not([hidden])").waitFor(WAIT);
    await alice.locator("#connection[hidden]").waitFor({ state: "attached", ...WAIT });
    await bob.fill("#message-input", "still there?");
    await bob.press("#message-input", "Enter");
    await alice.locator("#message-list .text", { hasText: "still there?" }).waitFor(WAIT);
    assert.deepEqual(browser.pageErrors, []);
  });

  it("logs out with the POST form (a GET cannot log anyone out)", async () => {
    await bob.click(".logout button");
    await bob.waitForURL(`${chat.base}/login`, WAIT);
    await bob.goto(`${chat.base}/`);
    assert.equal(new URL(bob.url()).pathname, "/login");
    assert.deepEqual(browser.pageErrors, []);
  });
});
