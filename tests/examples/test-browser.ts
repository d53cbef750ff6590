/**
 * The one way the example apps' tests drive a real browser: Debian's Chromium
 * through playwright-core (`npx playwright install` cannot download here).
 *
 * A missing browser is a failed test with the fix in its message, never a
 * skipped one: CI installs chromium, and a green run must mean the pages ran.
 */
import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

/** Where Chromium is; `CHROMIUM_PATH` overrides Debian's location. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Flags for a quiet headless run in a container (no sandbox, GPU or background traffic). */
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Screenshots go under tests/output/ (git-ignored), so a test run never rewrites tracked files. */
const SCREENSHOTS = fileURLToPath(new URL("../output/screenshots/", import.meta.url));

/** How {@link TestBrowser.page} sets up a person's page. */
export interface PageOptions {
  /** Window size; screenshots use it. */
  readonly viewport?: { width: number; height: number };
}

/**
 * One Chromium with a context per person (separate cookies), recording every
 * dialog (an injected script's `alert` would open one) and every uncaught
 * page error, so a test can assert the pages stayed clean.
 */
export class TestBrowser {
  /** Messages of every dialog any page opened (each dismissed). */
  readonly dialogs: string[] = [];
  /** Uncaught errors in any page's scripts, as `person: message`. */
  readonly pageErrors: string[] = [];
  readonly #browser: Browser;
  readonly #contexts: BrowserContext[] = [];

  private constructor(browser: Browser) {
    this.#browser = browser;
  }

  /** Starts Chromium, or fails saying how to install it. */
  static async launch(): Promise<TestBrowser> {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`no browser at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
    }
    return new TestBrowser(await chromium.launch({ executablePath: CHROMIUM, args: ARGS }));
  }

  /** A fresh page in its own context (its own cookies) for `person`. */
  async page(person: string, options: PageOptions = {}): Promise<Page> {
    const context = await this.#browser.newContext(
      options.viewport ? { viewport: options.viewport, deviceScaleFactor: 1 } : {},
    );
    this.#contexts.push(context);
    const page = await context.newPage();
    page.on("dialog", (dialog) => {
      this.dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on("pageerror", (error) => this.pageErrors.push(`${person}: ${error.message}`));
    return page;
  }

  /** Closes every context, then the browser. */
  async close(): Promise<void> {
    for (const context of this.#contexts) await context.close().catch(() => {});
    await this.#browser.close();
  }
}

/** A path for screenshot `name` of `example`, its folder created. */
export function screenshotPath(example: string, name: string): string {
  const dir = `${SCREENSHOTS}${example}/`;
  mkdirSync(dir, { recursive: true });
  return `${dir}${name}`;
}
