import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";

import { InvalidOptionError } from "../../lib/index.js";
import { loadApp } from "../../lib/runner/load-app.js";
import { tempApp, UPIE } from "./helpers.js";

const HEAD = `import { App } from "${UPIE}";\n`;

describe("loadApp", () => {
  it("picks the named export, else the default, else the only App; constructs classes", async () => {
    const { dir, remove } = await tempApp({
      "named.ts": `${HEAD}export class A extends App {}\nexport class B extends App { async index() { return "b"; } }\n`,
      "default.ts": `${HEAD}class Main extends App {}\nexport class Other extends App {}\nexport default new Main();\n`,
      "only.ts": `${HEAD}export const helper = 1;\nexport class Only extends App {}\n`,
      "instance.ts": `${HEAD}export class Chat extends App {}\nexport const app = new Chat();\n`,
      "factory.ts": `${HEAD}export class Chat extends App {}\nexport default async () => { await Promise.resolve(); const app = new Chat(); app.middlewares.length = 0; return app; };\nexport function make() { return new Chat(); }\n`,
    });
    try {
      const named = await loadApp(join(dir, "named.ts"), "B");
      // Recognised by shape: the temp module may load another copy of upie than this test (here tsx's URL for it differs).
      assert.equal(typeof named.app.listen, "function");
      assert.equal(named.app.constructor.name, "B");
      assert.match(named.label, /named\.ts:B$/);
      assert.match((await loadApp(join(dir, "default.ts"), undefined)).label, /default\.ts:default$/);
      assert.equal((await loadApp(join(dir, "only.ts"), undefined)).app.constructor.name, "Only");
      assert.match((await loadApp(join(dir, "instance.ts"), undefined)).label, /instance\.ts:app$/);
      const made = await loadApp(join(dir, "factory.ts"), undefined);
      assert.equal(made.app.constructor.name, "Chat");
      assert.match(made.label, /factory\.ts:default$/);
      assert.equal((await loadApp(join(dir, "factory.ts"), "make")).app.constructor.name, "Chat");
    } finally {
      await remove();
    }
  });

  it("says what is wrong when there is no App to serve", async () => {
    const { dir, remove } = await tempApp({
      "none.ts": `export const x = 1;\n`,
      "two.ts": `${HEAD}export class A extends App {}\nexport class B extends App {}\n`,
      "plain.ts": `export class NotApp {}\nexport const notAFactory = () => 42;\n`,
    });
    try {
      const cases: Array<[string, string | undefined, RegExp]> = [
        ["none.ts", undefined, /exports no App/],
        ["two.ts", undefined, /exports several Apps \(A, B\)/],
        ["two.ts", "C", /has no export named C \(it exports: A, B\)/],
        ["plain.ts", "NotApp", /is not an App subclass, an App, or a function returning one/],
        ["plain.ts", "notAFactory", /is a function, and it returned number, not an App/],
      ];
      for (const [file, exportName, message] of cases) {
        await assert.rejects(loadApp(join(dir, file), exportName), (error: unknown) => error instanceof InvalidOptionError && message.test(error.message));
      }
    } finally {
      await remove();
    }
  });
});
