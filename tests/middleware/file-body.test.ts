import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CHUNK_SIZE, fileBody } from "../../lib/middleware/file-body.js";

/** Open file descriptors of this process (Linux). */
const openFds = (): number => readdirSync("/proc/self/fd").length;

describe("fileBody", () => {
  let dir: string;
  let path: string;
  const content = Buffer.alloc(3 * CHUNK_SIZE + 100);
  for (let i = 0; i < content.length; i++) content[i] = i % 251;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "upie-file-body-"));
    path = join(dir, "data.bin");
    await writeFile(path, content);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  async function collect(body: AsyncIterable<Buffer>): Promise<Buffer[]> {
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk);
    return chunks;
  }

  it("streams the whole file in chunks of at most CHUNK_SIZE", async () => {
    const chunks = await collect(fileBody(path, 0, content.length - 1));
    assert.equal(chunks.length, 4);
    assert.ok(chunks.every((chunk) => chunk.length <= CHUNK_SIZE));
    assert.deepEqual(Buffer.concat(chunks), content);
  });

  it("streams an inclusive byte range", async () => {
    assert.deepEqual(Buffer.concat(await collect(fileBody(path, 10, 19))), content.subarray(10, 20));
    assert.deepEqual(Buffer.concat(await collect(fileBody(path, CHUNK_SIZE - 1, CHUNK_SIZE))), content.subarray(CHUNK_SIZE - 1, CHUNK_SIZE + 1));
    assert.deepEqual(Buffer.concat(await collect(fileBody(path, 5, 5))), content.subarray(5, 6));
  });

  it("opens nothing until the first chunk is pulled", async () => {
    const before = openFds();
    const body = fileBody(join(dir, "missing.bin"), 0, 10);
    assert.equal(openFds(), before);
    await assert.rejects(body.next(), (error: NodeJS.ErrnoException) => error.code === "ENOENT");
  });

  it("closes the file at once when the reader stops early", async () => {
    const before = openFds();
    const body = fileBody(path, 0, content.length - 1);
    const first = await body.next();
    assert.equal(first.done, false);
    assert.ok(openFds() > before, "the file is open while it is read");
    assert.deepEqual(await body.return(undefined), { done: true, value: undefined });
    // destroy() closes through libuv's thread pool: a few milliseconds, not a garbage collection.
    const deadline = Date.now() + 1000;
    while (openFds() > before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(openFds(), before, "return() closed it");
  });
});
