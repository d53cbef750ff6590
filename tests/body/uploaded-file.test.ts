import assert from "node:assert/strict";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, afterEach, describe, it } from "node:test";
import { UploadedFile } from "../../lib/body/uploaded-file.js";
import { isolateTmpdir } from "./helpers.js";

const tmp = isolateTmpdir();
after(() => tmp.remove());

const BYTES = Buffer.from("hello, upload\n".repeat(1000));
const created: UploadedFile[] = [];
afterEach(async () => {
  await Promise.all(created.splice(0).map((file) => file.dispose()));
});

function track(file: UploadedFile): UploadedFile {
  created.push(file);
  return file;
}

/** Both kinds of UploadedFile: held in memory, and backed by a temp file. */
function makeFiles(): Array<[string, () => UploadedFile]> {
  return [
    [
      "in memory",
      () => track(new UploadedFile({ fieldName: "doc", filename: "a.txt", contentType: "text/plain", data: BYTES })),
    ],
    [
      "on disk",
      () => {
        const path = join(tmp.dir, `upie-${Math.random().toString(16).slice(2)}`);
        writeFileSync(path, BYTES, { mode: 0o600 });
        return track(
          new UploadedFile({ fieldName: "doc", filename: "a.txt", contentType: "text/plain", path, size: BYTES.length }),
        );
      },
    ],
  ];
}

for (const [kind, make] of makeFiles()) {
  describe(`UploadedFile ${kind}`, () => {
    it("exposes its metadata", () => {
      const file = make();
      assert.equal(file.fieldName, "doc");
      assert.equal(file.filename, "a.txt");
      assert.equal(file.contentType, "text/plain");
      assert.equal(file.size, BYTES.length);
    });

    it("reads back as text and as an ArrayBuffer", async () => {
      const file = make();
      assert.equal(await file.text(), BYTES.toString());
      const buffer = await file.arrayBuffer();
      assert.ok(buffer instanceof ArrayBuffer);
      assert.deepEqual(Buffer.from(buffer), BYTES);
    });

    it("iterates its chunks", async () => {
      const parts: Uint8Array[] = [];
      for await (const chunk of make()) parts.push(chunk);
      assert.deepEqual(Buffer.concat(parts), BYTES);
    });

    it("streams as a web ReadableStream", async () => {
      const parts: Uint8Array[] = [];
      for await (const chunk of make().stream()) parts.push(chunk);
      assert.deepEqual(Buffer.concat(parts), BYTES);
    });

    it("saves to a path, twice, with ordinary permissions", async () => {
      const file = make();
      const first = join(tmp.dir, `saved-1-${kind.replace(" ", "-")}`);
      const second = join(tmp.dir, `saved-2-${kind.replace(" ", "-")}`);
      await file.saveTo(first);
      await file.saveTo(second);
      assert.deepEqual(readFileSync(first), BYTES);
      assert.deepEqual(readFileSync(second), BYTES);
      assert.notEqual(statSync(first).mode & 0o077, 0o000, "not the temp file's private 0600");
      assert.equal(await file.text(), BYTES.toString(), "still readable after saving");
    });

    it("deletes its temp file on dispose, idempotently, and refuses reads afterwards", async () => {
      const file = make();
      await file.dispose();
      await file.dispose();
      assert.deepEqual(tmp.leftovers(), []);
      await assert.rejects(file.text(), /disposed/);
      await assert.rejects(file.saveTo(join(tmp.dir, "never")), /disposed/);
    });
  });
}

describe("UploadedFile construction", () => {
  it("needs exactly one of data or path", () => {
    assert.throws(() => new UploadedFile({ fieldName: "f", filename: "", contentType: "x/y" }), TypeError);
    assert.throws(
      () => new UploadedFile({ fieldName: "f", filename: "", contentType: "x/y", data: Buffer.alloc(1), path: "/x", size: 1 }),
      TypeError,
    );
  });
});
