import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Spool } from "../../lib/body/spool.js";
import { isolateTmpdir } from "./helpers.js";

const tmp = isolateTmpdir();
after(() => tmp.remove());

describe("Spool", () => {
  it("keeps a small upload in memory", async () => {
    const spool = new Spool(10);
    await spool.write(Buffer.from("hello"));
    await spool.write(Buffer.from("!"));
    const content = await spool.finish();
    assert.equal(content.path, undefined);
    assert.equal(content.data?.toString(), "hello!");
    assert.equal(content.size, 6);
    assert.deepEqual(tmp.leftovers(), []);
  });

  it("spills to a private temp file once past the threshold", async () => {
    const spool = new Spool(4);
    await spool.write(Buffer.from("abc"));
    await spool.write(Buffer.from("defg"));
    await spool.write(Buffer.from("hij"));
    const content = await spool.finish();
    assert.equal(content.size, 10);
    assert.ok(content.path !== undefined);
    assert.ok(content.path.startsWith(join(tmp.dir, "upie-")));
    assert.equal(readFileSync(content.path, "utf8"), "abcdefghij");
    assert.equal(statSync(content.path).mode & 0o777, 0o600);
    await spool.discard();
    assert.deepEqual(tmp.leftovers(), []);
  });

  it("deletes its temp file on discard, twice without error", async () => {
    const spool = new Spool(1);
    await spool.write(Buffer.from("abc"));
    assert.equal(tmp.leftovers().length, 1);
    await spool.discard();
    await spool.discard();
    assert.deepEqual(tmp.leftovers(), []);
  });

  it("refuses writes after discard", async () => {
    const spool = new Spool(1);
    await spool.discard();
    await assert.rejects(spool.write(Buffer.from("x")), /closed/);
    assert.deepEqual(tmp.leftovers(), []);
  });

  it("leaves no file when discarded while a write is in flight", async () => {
    const spool = new Spool(1);
    const writing = spool.write(Buffer.alloc(1024, 1));
    await spool.discard();
    await writing;
    assert.deepEqual(tmp.leftovers(), []);
  });
});
