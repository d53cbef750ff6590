/**
 * End to end in a real browser: Debian's Chromium driven by playwright-core,
 * against the platform and the demo service. Two people in one channel;
 * the bot answers, a button's dialog is submitted, a menu item is picked,
 * the canvas changes, a dialog's Cancel reaches the service, a reload keeps
 * the open channel, sign-out signs out. Screenshots go to
 * tests/output/screenshots/channels/.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

import type { Page } from "playwright-core";

import { buildClientBundle } from "../../../examples/build-client.js";
import { startDemoService } from "../../../examples/channels/demo-service.js";
import { startDemo, type Demo } from "../../../examples/channels/run.js";
import { TestBrowser, screenshotPath } from "../test-browser.js";

const PUBLIC = fileURLToPath(new URL("../../../examples/channels/public/", import.meta.url));
const XSS = "<img src=x onerror=alert(1)>";
const WAIT = { timeout: 15_000 };

describe("examples/channels in Chromium", { timeout: 120_000 }, () => {
  let demo: Demo;
  let browser: TestBrowser;
  let alice: Page;
  let bob: Page;
  const notFound: string[] = [];

  async function open(username: string): Promise<Page> {
    const page = await browser.page(username, { viewport: { width: 1200, height: 760 } });
    page.on("response", (response) => {
      if (response.status() === 404) notFound.push(response.url());
    });
    await page.goto(`${demo.httpUrl}/`);
    await page.fill("#username", username);
    await page.fill("#password", "a long password");
    await page.click("#sign-up");
    await page.locator("#app:not([hidden])").waitFor(WAIT);
    await page.click('#channels button:has-text("Lobby")');
    await page.locator("#send:not([disabled])").waitFor(WAIT);
    return page;
  }

  const message = (page: Page, text: string | RegExp) => page.locator("#messages .message", { hasText: text });

  before(async () => {
    await buildClientBundle([PUBLIC]);
    demo = await startDemo(0, "127.0.0.1", { authRate: false });
    browser = await TestBrowser.launch();
  });

  after(async () => {
    await browser?.close();
    await demo?.close();
  });

  it("signs two people up into one channel; the bot welcomes them and lists members with the agent", async () => {
    alice = await open("alice");
    await message(alice, "Welcome, alice!").waitFor(WAIT);
    bob = await open("bob");
    await message(bob, "Welcome, bob!").waitFor(WAIT);
    await alice.locator("#members li", { hasText: "bob" }).waitFor(WAIT);
    await bob.locator("#members li", { hasText: "Helper Bot" }).locator(".tag").waitFor(WAIT);
  });

  it("shows different buttons to the host and the guest", async () => {
    await alice.locator('#buttons [data-button-id="reset"]').waitFor(WAIT);
    await bob.locator('#buttons [data-button-id="roll"]').waitFor(WAIT);
    assert.equal(await bob.locator('#buttons [data-button-id="reset"]').count(), 0);
  });

  it("delivers a message to both, escaped, and the bot answers", async () => {
    await alice.fill("#text", XSS);
    await alice.press("#text", "Enter");
    await message(bob, XSS).first().waitFor(WAIT);
    await message(bob, /said 28 characters/).waitFor(WAIT);
    await alice.fill("#text", "card");
    await alice.press("#text", "Enter");
    await bob.locator(".card", { hasText: "A card from the bot" }).waitFor(WAIT);
    await alice.fill("#text", "image");
    await alice.press("#text", "Enter");
    await bob.locator('.message img[src^="/files/"]').waitFor(WAIT);
    assert.equal(await bob.locator(".message img").evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth), 16);
    assert.deepEqual(browser.dialogs, []);
  });

  it("submits a button's dialog; the service answers and the canvas changes", async () => {
    await bob.click('#buttons [data-button-id="survey"]');
    await bob.locator("#button-dialog[open]").waitFor(WAIT);
    await bob.fill('#dialog-fields input[name="Name"]', "Bob");
    await bob.selectOption('#dialog-fields select[name="Color"]', "green");
    await bob.fill('#dialog-fields input[name="Count"]', "4");
    await bob.screenshot({ path: screenshotPath("channels", "dialog.png") });
    await bob.click('#dialog-buttons [data-bottom-id="send"]');
    await message(alice, "Survey from bob: Name=Bob, Color=green, Count=4").waitFor(WAIT);
    await alice.locator("#canvas", { hasText: "Last survey: bob likes green" }).waitFor(WAIT);
    await bob.locator("#canvas", { hasText: "Last survey: bob likes green" }).waitFor(WAIT);
  });

  it("picks a context-menu item on a message", async () => {
    await message(alice, XSS).first().click({ button: "right" });
    await alice.locator("#context-menu:not([hidden])").waitFor(WAIT);
    await alice.screenshot({ path: screenshotPath("channels", "menu.png") });
    await alice.click('#context-menu [data-menu-item-id="quote"]');
    await message(bob, `alice picked quote: > ${XSS}`).waitFor(WAIT);
  });

  it("rolls the die from a button without a dialog and the canvas follows", async () => {
    await alice.click('#buttons [data-button-id="roll"]');
    await bob.locator("#canvas", { hasText: /Die: [1-6] \(rolled by alice\)/ }).waitFor(WAIT);
    await alice.screenshot({ path: screenshotPath("channels", "channel-alice.png") });
    await bob.screenshot({ path: screenshotPath("channels", "channel-bob.png") });
    assert.deepEqual(browser.dialogs, []);
    assert.deepEqual(browser.pageErrors, []);
  });

  it("sends a dialog's Cancel to the service as a button_click with its bottom_button_id", async () => {
    await bob.click('#buttons [data-button-id="survey"]');
    await bob.locator("#button-dialog[open]").waitFor(WAIT);
    await bob.click('#dialog-buttons [data-bottom-id="cancel"]');
    await message(bob, "bob cancelled the survey").waitFor(WAIT); // the demo answers a cancel, to bob only
    await bob.screenshot({ path: screenshotPath("channels", "cancel.png") });
    assert.equal(await message(alice, "bob cancelled the survey").count(), 0);
  });

  it("keeps the open channel on reload, as a refresh: the view comes back, no second welcome", async () => {
    await alice.reload();
    await alice.locator("#channel-name", { hasText: "Lobby" }).waitFor(WAIT);
    await alice.locator('#buttons [data-button-id="reset"]').waitFor(WAIT);
    await alice.locator("#members li", { hasText: "bob" }).waitFor(WAIT);
    await message(alice, "Welcome, alice!").waitFor(WAIT); // from history
    await message(alice, /bob rolled|rolled a/).first().waitFor(WAIT);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(await message(alice, "Welcome, alice!").count(), 1);
    await alice.screenshot({ path: screenshotPath("channels", "reload.png") });
  });

  it("serves a favicon (no 404 on any load)", async () => {
    const res = await fetch(`${demo.httpUrl}/favicon.ico`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "image/svg+xml");
    assert.deepEqual(notFound, []);
  });

  it("tells members when the service goes away and comes back, and keeps their page working", async () => {
    await demo.service.stop();
    await bob.locator("#service-banner:not([hidden])").waitFor(WAIT);
    await bob.screenshot({ path: screenshotPath("channels", "service-offline.png") });
    demo.service = await startDemoService({ httpUrl: demo.httpUrl, username: "demo_service", password: "demo-service-password", channels: demo.channels });
    await bob.locator("#service-banner[hidden]").waitFor({ state: "attached", ...WAIT });
    await bob.fill("#text", "still here");
    await bob.press("#text", "Enter");
    await message(alice, /bob said 10 characters/).waitFor(WAIT);
    assert.deepEqual(browser.pageErrors, []);
  });

  it("signs out: the page shows the sign-in form again, and the token no longer works", async () => {
    const token = await bob.evaluate(() => (globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } }).sessionStorage.getItem("channels.token"));
    assert.ok(token);
    await bob.click("#sign-out");
    await bob.locator("#auth:not([hidden])").waitFor(WAIT);
    await bob.locator("#app[hidden]").waitFor({ state: "attached", ...WAIT });
    await bob.screenshot({ path: screenshotPath("channels", "sign-out.png") });
    assert.equal(await bob.evaluate(() => (globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } }).sessionStorage.getItem("channels.token")), null);
    assert.equal((await fetch(`${demo.httpUrl}/api/channels`, { headers: { authorization: `Bearer ${token}` } })).status, 401);
    await bob.reload();
    await bob.locator("#auth:not([hidden])").waitFor(WAIT);
    assert.deepEqual(browser.pageErrors, []);
  });

  it("goes back to the sign-in form when its session is signed out elsewhere (the socket gets 4401)", async () => {
    const token = await alice.evaluate(() => (globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } }).sessionStorage.getItem("channels.token"));
    const res = await fetch(`${demo.httpUrl}/api/sign_out`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: "{}" });
    assert.equal(res.status, 200);
    await alice.locator("#auth:not([hidden])").waitFor(WAIT);
    assert.deepEqual(browser.pageErrors, []);
  });
});
