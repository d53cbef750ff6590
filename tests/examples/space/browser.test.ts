/**
 * End to end in a real browser: Debian's Chromium driven by playwright-core.
 * Two pages join one space, see each other walk (arrow keys), chat, set
 * statuses and shoot confetti; the page runs under a CSP without eval. Then
 * a few actions of each group, some from the pages (profile, focus, ring,
 * whisper, follow, high-five) and some from an owner's GatherClient
 * (notify, sounds, custom events, spotlight, moving and shaking objects,
 * map editing), and what the pages render for them.
 * Saves screenshots under tests/output/screenshots/space/ (the README shows a copy of one).
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

import type { Page } from "playwright-core";

import { buildClientBundle } from "../../../examples/build-client.js";
import { TestBrowser, screenshotPath } from "../test-browser.js";
import { GatherActor, SpaceServer } from "./helpers.js";

const XSS = "<img src=x onerror=alert(1)>";
const WAIT = { timeout: 15_000 };

describe("examples/space in Chromium", { timeout: 120_000 }, () => {
  let space: SpaceServer;
  let browser: TestBrowser;
  let alice: Page;
  let bob: Page;

  async function open(name: string): Promise<Page> {
    const page = await browser.page(name, { viewport: { width: 1280, height: 700 } });
    await page.goto(`${space.base}/?space=e2e/Office&name=${name}`);
    await page.waitForSelector("#people li.me", WAIT);
    return page;
  }

  /** Where the page shows player `encId` (from the people list). */
  async function position(page: Page, encId: string): Promise<{ x: number; y: number }> {
    const item = page.locator(`#people li[data-enc-id="${encId}"]`);
    return { x: Number(await item.getAttribute("data-x")), y: Number(await item.getAttribute("data-y")) };
  }

  before(async () => {
    await buildClientBundle([fileURLToPath(new URL("../../../examples/space/public/", import.meta.url))]);
    space = await SpaceServer.start();
    browser = await TestBrowser.launch();
    alice = await open("Alice");
    bob = await open("Bob");
  });

  after(async () => {
    await browser?.close();
    await space?.close();
  });

  it("serves the page with a strict CSP (no inline script, no eval)", async () => {
    const response = await fetch(`${space.base}/`);
    const csp = response.headers.get("content-security-policy")!;
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-eval|unsafe-inline/);
  });

  it("shows both players on both pages", async () => {
    // Locators and attribute selectors only: waitForFunction polls with eval, which the page's CSP refuses.
    for (const page of [alice, bob]) await page.locator("#people li").nth(1).waitFor(WAIT);
    assert.equal(await bob.locator("#people li").count(), 2);
    assert.match((await bob.locator("#people").textContent())!, /Alice/);
  });

  it("walks with the arrow keys, and the other page sees it", async () => {
    const encId = (await alice.locator("body").getAttribute("data-me"))!;
    const start = await position(bob, encId);
    await alice.locator("#map").focus();
    for (let i = 0; i < 3; i++) {
      await alice.keyboard.press("ArrowUp");
      await alice.waitForTimeout(150);
    }
    await alice.keyboard.press("ArrowLeft");
    await bob.locator(`#people li[data-enc-id="${encId}"][data-y="${start.y - 3}"]`).waitFor(WAIT);
    await bob.locator(`#people li[data-enc-id="${encId}"][data-x="${start.x - 1}"][data-y="${start.y - 3}"]`).waitFor(WAIT);
  });

  it("chats: the other page shows the line as text, not markup", async () => {
    await alice.fill("#chat-input", `hello Bob ${XSS}`);
    await alice.press("#chat-input", "Enter");
    const line = bob.locator("#messages li", { hasText: "hello Bob" });
    await line.waitFor(WAIT);
    assert.equal(await line.textContent(), `Alicehello Bob ${XSS}`);
    assert.equal(await bob.locator("#messages img").count(), 0);
    await bob.fill("#chat-input", "hi Alice 👋");
    await bob.press("#chat-input", "Enter");
    await alice.locator("#messages li", { hasText: "hi Alice" }).waitFor(WAIT);
  });

  it("sets a text and emoji status from the status box, seen by the other page", async () => {
    await alice.fill("#text-status", "demoing the space");
    await alice.fill("#emoji", "🚀");
    await alice.click("#profile button[type=submit]");
    await bob.locator("#people li", { hasText: "🚀 Alice — demoing the space" }).waitFor(WAIT);
  });

  it("shoots confetti, and saves a screenshot of the other page", async () => {
    await bob.fill("#text-status", "reviewing");
    await bob.fill("#emoji", "☕");
    await bob.click("#profile button[type=submit]");
    await alice.locator("#people li", { hasText: "☕ Bob — reviewing" }).waitFor(WAIT);
    await alice.fill("#chat-input", "confetti time!");
    await alice.press("#chat-input", "Enter");
    await bob.locator("#messages li", { hasText: "confetti time!" }).waitFor(WAIT);
    await alice.click("#confetti");
    await bob.waitForTimeout(400); // the particles fly for ~2 s: catch them mid-air
    const path = screenshotPath("space", "space.png");
    await bob.screenshot({ path });
    assert.ok(existsSync(path));
  });

  it("shows the profile fields on hover", async () => {
    await alice.click("#profile summary");
    await alice.fill("#pronouns", "she/her");
    await alice.fill("#title", "Staff engineer");
    await alice.fill("#timezone", "Europe/Paris");
    await alice.fill("#city", "Lyon");
    await alice.click("#profile button[type=submit]");
    const encId = (await alice.locator("body").getAttribute("data-me"))!;
    await bob.locator(`#people li[data-enc-id="${encId}"]`).waitFor(WAIT);
    await bob.waitForTimeout(300); // the profile events arrive with the next tick
    const { x, y } = await position(bob, encId);
    await bob.locator("#map").hover({ position: { x: x * 24 + 12, y: y * 24 + 12 } });
    await bob.locator('#profile-card [data-field="pronouns"]', { hasText: "she/her" }).waitFor(WAIT);
    assert.match((await bob.locator("#profile-card").textContent())!, /Title: Staff engineer.*Time zone: Europe\/Paris \(\d\d:\d\d there\).*City: Lyon/);
    await bob.screenshot({ path: screenshotPath("space", "profile-hover.png") });
    await bob.mouse.move(0, 0);
  });

  it("shows away and focus, and rings, whispers, follows and high-fives the selected player", async () => {
    const aliceId = (await alice.locator("body").getAttribute("data-me"))!;
    const bobId = (await bob.locator("body").getAttribute("data-me"))!;
    await alice.check("#focus");
    await bob.locator(`#people li[data-enc-id="${aliceId}"][data-focus="true"]`).waitFor(WAIT);
    await alice.check("#away");
    await bob.locator(`#people li[data-enc-id="${aliceId}"][data-away="true"]`).waitFor(WAIT);
    await bob.click(`#people li[data-enc-id="${aliceId}"]`);
    await bob.click("#ring");
    await alice.locator(".toast.ring", { hasText: "Bob rings you" }).waitFor(WAIT);
    await bob.click("#whisper");
    await alice.locator(`#people li[data-enc-id="${bobId}"][data-whisper="${aliceId}"]`).waitFor(WAIT);
    await bob.click("#follow");
    await alice.locator(`#people li[data-enc-id="${bobId}"][data-following]`).waitFor(WAIT);
    // walk next to Bob for a high-five: Alice leads, so Bob follows her steps
    await alice.locator("#map").focus();
    for (let i = 0; i < 2; i++) {
      await alice.keyboard.press("ArrowDown");
      await alice.waitForTimeout(150);
    }
    await alice.click(`#people li[data-enc-id="${bobId}"]`);
    await alice.click("#high-five");
    await bob.locator(".toast.high-five", { hasText: "Alice high-fives Bob" }).waitFor(WAIT);
    await alice.locator("header").scrollIntoViewIfNeeded(); // the buttons scrolled the page down
    await alice.screenshot({ path: screenshotPath("space", "social.png") });
    await alice.uncheck("#away");
    await alice.uncheck("#focus");
  });

  it("renders what an owner's GatherClient does: notify, sounds, custom events, spotlight, objects moving and shaking, a map name", async () => {
    const owner = await GatherActor.start(space, "key-alice", "e2e/Office");
    try {
      const aliceId = (await alice.locator("body").getAttribute("data-me"))!;
      const aliceUser = [...space.app.hub.spaces.get("e2e/Office")!.connections.values()].find((c) => c.player.encId === Number(aliceId))!.player.id;
      for (const [action, ...args] of [
        ["notify", "standup in 5 minutes"],
        ["playSound", "/static/chime.mp3", 0.8, ""],
        ["customAction", "poll", '{"q":"lunch?"}', [], true],
        ["spotlight", aliceUser, true],
        ["mapSetName", "", "The Office", false],
        ["mapMoveObject", "", "plant-1", 14, 20, 0, 0, 1500, "easeInOut"],
        ["fxShakeObject", "", "table-1", 3, 4000, 0],
        ["fxShakeCamera", 1, 1500, "", ""],
      ] as const) {
        const status = await owner.act(action, ...args);
        assert.equal(status.reason, "", action);
      }
      await bob.locator(".toast.notify", { hasText: "standup in 5 minutes" }).waitFor(WAIT);
      await bob.locator(".toast.sound", { hasText: "chime.mp3 (volume 80%)" }).waitFor(WAIT);
      await bob.locator(".toast.custom", { hasText: "poll" }).waitFor(WAIT);
      await bob.locator(`#people li[data-enc-id="${aliceId}"][data-spotlighted="true"]`).waitFor(WAIT);
      await bob.locator("#map-name", { hasText: "The Office" }).waitFor(WAIT);
      await bob.locator('#objects li[data-id="plant-1"][data-x="14"][data-y="20"]').waitFor({ ...WAIT, state: "attached" });
      await bob.locator('#objects li[data-id="table-1"][data-shaking="true"]').waitFor({ ...WAIT, state: "attached" });
      await bob.locator('body[data-camera-shake="true"]').waitFor({ ...WAIT, state: "attached" });
      await bob.locator("header").scrollIntoViewIfNeeded();
      await bob.waitForTimeout(700); // the plant mid-way, the table shaking
      await bob.screenshot({ path: screenshotPath("space", "effects.png") });
    } finally {
      await owner.stop();
    }
  });

  it("ran without page errors or dialogs", () => {
    assert.deepEqual(browser.pageErrors, []);
    assert.deepEqual(browser.dialogs, []);
  });
});
