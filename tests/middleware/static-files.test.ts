import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import { App, InvalidOptionError, StaticFiles, TestClient } from "../../lib/index.js";
import { parseRange } from "../../lib/middleware/byte-range.js";
import { contentTypeLookup } from "../../lib/middleware/mime-types.js";

const base = mkdtempSync(join(tmpdir(), "upie-static-"));
const root = join(base, "public");
const HELLO = "hello, static world\n";
const MTIME = new Date("2024-01-02T03:04:05Z");
// Larger than loopback socket buffers, so a download is still streaming when the client leaves.
const BIG_SIZE = 24 * 1024 * 1024;

class Site extends App {
  async index() { return "app index"; }
  async about() { return "app about"; }
}

function site(options: Partial<ConstructorParameters<typeof StaticFiles>[0]> = {}): TestClient {
  const app = new Site();
  app.middlewares.push(new StaticFiles({ root, ...options }));
  return new TestClient(app);
}

before(() => {
  mkdirSync(join(root, "sub"), { recursive: true });
  mkdirSync(join(root, "noindex"));
  mkdirSync(join(root, ".hidden"));
  writeFileSync(join(root, "hello.txt"), HELLO);
  utimesSync(join(root, "hello.txt"), MTIME, MTIME);
  writeFileSync(join(root, "index.html"), "<h1>root index</h1>");
  writeFileSync(join(root, "sub", "index.html"), "<h1>sub index</h1>");
  writeFileSync(join(root, "style.css"), "body{}");
  writeFileSync(join(root, "data.unknownext"), "?");
  writeFileSync(join(root, "empty.txt"), "");
  writeFileSync(join(root, ".env"), "SECRET=1");
  writeFileSync(join(root, ".hidden", "note.txt"), "hidden");
  writeFileSync(join(root, "big.bin"), Buffer.alloc(BIG_SIZE, 7));
  writeFileSync(join(base, "secret.txt"), "TOP SECRET");
  symlinkSync(join(base, "secret.txt"), join(root, "escape.txt"));
  symlinkSync(base, join(root, "escape-dir"));
  symlinkSync(join(root, "hello.txt"), join(root, "inside.txt"));
});

after(() => rmSync(base, { recursive: true, force: true }));

describe("StaticFiles", () => {
  it("serves a file with its type, length, validators and cache headers", async () => {
    const res = await site().get("/static/hello.txt");
    assert.equal(res.status, 200);
    assert.equal(res.text, HELLO);
    assert.equal(res.headers["content-type"], "text/plain; charset=utf-8");
    assert.equal(res.headers["content-length"], String(HELLO.length));
    assert.match(res.headers.etag!, /^W\/"[0-9a-f]+-[0-9a-f]+"$/);
    assert.equal(res.headers["last-modified"], MTIME.toUTCString());
    assert.equal(res.headers["accept-ranges"], "bytes");
    assert.equal(res.headers["cache-control"], "public, max-age=0");
    assert.equal(res.headers["x-content-type-options"], "nosniff");
  });

  it("picks content types by extension, octet-stream when unknown", async () => {
    const client = site();
    assert.equal((await client.get("/static/style.css")).headers["content-type"], "text/css; charset=utf-8");
    assert.equal((await client.get("/static/index.html")).headers["content-type"], "text/html; charset=utf-8");
    assert.equal((await client.get("/static/data.unknownext")).headers["content-type"], "application/octet-stream");
    const custom = site({ types: { unknownext: "text/x-custom" } });
    assert.equal((await custom.get("/static/data.unknownext")).headers["content-type"], "text/x-custom");
  });

  it("answers HEAD with the GET headers and no body", async () => {
    const res = await site().head("/static/hello.txt");
    assert.equal(res.status, 200);
    assert.equal(res.body.byteLength, 0);
    assert.equal(res.headers["content-length"], String(HELLO.length));
    assert.equal(res.headers["content-type"], "text/plain; charset=utf-8");
  });

  it("serves an empty file", async () => {
    const res = await site().get("/static/empty.txt");
    assert.equal(res.status, 200);
    assert.equal(res.body.byteLength, 0);
    assert.equal(res.headers["content-length"], "0");
  });

  it("builds Cache-Control from maxAge and immutable, or takes it verbatim", async () => {
    assert.equal((await site({ maxAge: 31536000, immutable: true }).get("/static/hello.txt")).headers["cache-control"], "public, max-age=31536000, immutable");
    assert.equal((await site({ cacheControl: "no-store" }).get("/static/hello.txt")).headers["cache-control"], "no-store");
    assert.equal((await site({ cacheControl: false }).get("/static/hello.txt")).headers["cache-control"], undefined);
  });

  it("serves under another prefix, and at the root in front of the app", async () => {
    assert.equal((await site({ prefix: "/assets" }).get("/assets/hello.txt")).text, HELLO);
    assert.equal((await site({ prefix: "/assets" }).get("/static/hello.txt")).status, 404);
    const rooted = site({ prefix: "/" });
    assert.equal((await rooted.get("/hello.txt")).text, HELLO);
    assert.equal((await rooted.get("/")).text, "<h1>root index</h1>");
    assert.equal((await rooted.get("/about")).text, "app about");
  });

  it("does not match a path that merely starts with the prefix", async () => {
    assert.equal((await site().get("/statichello.txt")).status, 404);
  });

  describe("directories", () => {
    it("serves index.html for a URL ending in /", async () => {
      assert.equal((await site().get("/static/")).text, "<h1>root index</h1>");
      assert.equal((await site().get("/static/sub/")).text, "<h1>sub index</h1>");
    });

    it("redirects a directory URL without its slash, keeping the query", async () => {
      const res = await site().get("/static/sub?x=1");
      assert.equal(res.status, 301);
      assert.equal(res.headers.location, "/static/sub/?x=1");
      assert.equal((await site().get("/static")).headers.location, "/static/");
    });

    it("never redirects to another host from a root prefix", async () => {
      const res = await site({ prefix: "/" }).get("//sub");
      assert.equal(res.status, 301);
      assert.equal(res.headers.location, "/sub/");
    });

    it("falls through when a directory has no index, or index is off", async () => {
      assert.equal((await site().get("/static/noindex/")).status, 404);
      assert.equal((await site({ index: false }).get("/static/")).status, 404);
    });
  });

  describe("conditional requests", () => {
    it("answers 304 when If-None-Match matches, strongly, weakly, in a list or with *", async () => {
      const client = site();
      const etag = (await client.get("/static/hello.txt")).headers.etag!;
      for (const value of [etag, etag.slice(2), `"nope", ${etag}`, "*"]) {
        const res = await client.get("/static/hello.txt", { headers: { "if-none-match": value } });
        assert.equal(res.status, 304, value);
        assert.equal(res.body.byteLength, 0);
        assert.equal(res.headers.etag, etag);
        assert.equal(res.headers["cache-control"], "public, max-age=0");
      }
    });

    it("answers 200 when If-None-Match does not match, even if If-Modified-Since would", async () => {
      const res = await site().get("/static/hello.txt", {
        headers: { "if-none-match": '"other"', "if-modified-since": new Date().toUTCString() },
      });
      assert.equal(res.status, 200);
      assert.equal(res.text, HELLO);
    });

    it("answers 304 for If-Modified-Since at or after the modification time", async () => {
      const client = site();
      assert.equal((await client.get("/static/hello.txt", { headers: { "if-modified-since": MTIME.toUTCString() } })).status, 304);
      assert.equal((await client.get("/static/hello.txt", { headers: { "if-modified-since": new Date(MTIME.getTime() + 60_000).toUTCString() } })).status, 304);
      assert.equal((await client.get("/static/hello.txt", { headers: { "if-modified-since": new Date(MTIME.getTime() - 60_000).toUTCString() } })).status, 200);
    });

    it("ignores an unparseable If-Modified-Since", async () => {
      const res = await site().get("/static/hello.txt", { headers: { "if-modified-since": "yesterday-ish" } });
      assert.equal(res.status, 200);
    });
  });

  describe("ranges", () => {
    it("serves one range with 206 and Content-Range", async () => {
      const res = await site().get("/static/hello.txt", { headers: { range: "bytes=0-4" } });
      assert.equal(res.status, 206);
      assert.equal(res.text, "hello");
      assert.equal(res.headers["content-range"], `bytes 0-4/${HELLO.length}`);
      assert.equal(res.headers["content-length"], "5");
    });

    it("serves suffix and open-ended ranges, clamping the end to the file", async () => {
      const client = site();
      const suffix = await client.get("/static/hello.txt", { headers: { range: "bytes=-6" } });
      assert.equal(suffix.status, 206);
      assert.equal(suffix.text, HELLO.slice(-6));
      const open = await client.get("/static/hello.txt", { headers: { range: "bytes=7-" } });
      assert.equal(open.text, HELLO.slice(7));
      const clamped = await client.get("/static/hello.txt", { headers: { range: "bytes=7-9999" } });
      assert.equal(clamped.text, HELLO.slice(7));
      assert.equal(clamped.headers["content-range"], `bytes 7-${HELLO.length - 1}/${HELLO.length}`);
    });

    it("answers 416 with the size for a range beyond the file", async () => {
      for (const range of [`bytes=${HELLO.length}-`, "bytes=1000-2000", "bytes=-0", "bytes=500-600, 700-"]) {
        const res = await site().get("/static/hello.txt", { headers: { range } });
        assert.equal(res.status, 416, range);
        assert.equal(res.headers["content-range"], `bytes */${HELLO.length}`);
      }
      assert.equal((await site().get("/static/empty.txt", { headers: { range: "bytes=0-" } })).status, 416);
    });

    it("ignores a malformed Range and sends the whole file", async () => {
      for (const range of ["bytes=abc", "items=0-4", "bytes=5-2", "bytes=", "bytes=-", "bytes=0-4;x", "bytes 0-4", `bytes=${"9".repeat(20)}-`, `bytes=${"0-1,".repeat(400)}0-1`]) {
        const res = await site().get("/static/hello.txt", { headers: { range } });
        assert.equal(res.status, 200, range);
        assert.equal(res.text, HELLO);
      }
    });

    it("sends the whole file for several ranges", async () => {
      const res = await site().get("/static/hello.txt", { headers: { range: "bytes=0-1, 4-5" } });
      assert.equal(res.status, 200);
      assert.equal(res.text, HELLO);
    });

    it("honours If-Range only when it names the current Last-Modified", async () => {
      const client = site();
      const current = await client.get("/static/hello.txt", { headers: { range: "bytes=0-4", "if-range": MTIME.toUTCString() } });
      assert.equal(current.status, 206);
      const stale = await client.get("/static/hello.txt", { headers: { range: "bytes=0-4", "if-range": new Date(0).toUTCString() } });
      assert.equal(stale.status, 200);
      const etag = current.headers.etag!;
      const weak = await client.get("/static/hello.txt", { headers: { range: "bytes=0-4", "if-range": etag } });
      assert.equal(weak.status, 200, "a weak ETag never satisfies If-Range");
    });

    it("lets conditional requests win over ranges", async () => {
      const res = await site().get("/static/hello.txt", { headers: { range: "bytes=0-4", "if-none-match": "*" } });
      assert.equal(res.status, 304);
    });
  });

  describe("traversal", () => {
    const attempts: Array<[string, number[]]> = [
      ["/static/../secret.txt", [403]],
      ["/static/sub/../../secret.txt", [403]],
      ["/static/./hello.txt", [403]],
      ["/static/%2e%2e/secret.txt", [403]],
      ["/static/%2E%2E/secret.txt", [403]],
      ["/static/.%2e/secret.txt", [403]],
      ["/static/%2e%2e%2fsecret.txt", [403]],
      ["/static/..%2Fsecret.txt", [403]],
      ["/static/..%5csecret.txt", [403]],
      ["/static/..\\secret.txt", [403]],
      ["/static/sub%2F..%2F..%2Fsecret.txt", [403]],
      ["/static/%2Fetc%2Fpasswd", [403]],
      ["/static/%252e%252e/secret.txt", [404]],
      ["/static//etc/passwd", [404]],
      ["/static/" + base + "/secret.txt", [404]],
      ["/static/%c0%ae%c0%ae/secret.txt", [400]],
      ["/static/%e0%80%ae%e0%80%ae/secret.txt", [400]],
      ["/static/%", [400]],
      ["/static/%zz", [400]],
      ["/static/hello.txt%00.png", [400]],
      ["/static/%00", [400]],
      ["/static/hello.txt\0", [400]],
    ];
    for (const [path, statuses] of attempts) {
      it(`refuses ${JSON.stringify(path)} with ${statuses.join("/")}`, async () => {
        const res = await site().get(path);
        assert.ok(statuses.includes(res.status), `${path} → ${res.status}`);
        assert.doesNotMatch(res.text, /TOP SECRET/);
      });
    }

    it("refuses a symlink that points out of the root", async () => {
      const client = site();
      const file = await client.get("/static/escape.txt");
      assert.equal(file.status, 403);
      assert.doesNotMatch(file.text, /TOP SECRET/);
      assert.equal((await client.get("/static/escape-dir/secret.txt")).status, 403);
    });

    it("follows a symlink that stays inside the root", async () => {
      assert.equal((await site().get("/static/inside.txt")).text, HELLO);
    });
  });

  describe("dotfiles", () => {
    it("hides them by default, falling through to the app", async () => {
      const client = site();
      assert.equal((await client.get("/static/.env")).status, 404);
      assert.equal((await client.get("/static/.hidden/note.txt")).status, 404);
      assert.equal((await client.get("/static/%2eenv")).status, 404);
    });

    it("answers 403 with dotfiles: deny", async () => {
      assert.equal((await site({ dotfiles: "deny" }).get("/static/.env")).status, 403);
      assert.equal((await site({ dotfiles: "deny" }).get("/static/.hidden/note.txt")).status, 403);
    });

    it("serves them with dotfiles: allow", async () => {
      assert.equal((await site({ dotfiles: "allow" }).get("/static/.env")).text, "SECRET=1");
    });
  });

  it("lets other methods and unknown files through to the app", async () => {
    const client = site();
    assert.equal((await client.post("/static/hello.txt")).status, 404);
    assert.equal((await client.get("/static/missing.txt")).status, 404);
    assert.equal((await client.get("/static/hello.txt/more")).status, 404);
    assert.equal((await client.get("/about")).text, "app about");
  });

  it("rejects bad options at construction", () => {
    assert.throws(() => new StaticFiles({ root: join(base, "nope") }), InvalidOptionError);
    assert.throws(() => new StaticFiles({ root: join(root, "hello.txt") }), InvalidOptionError);
    assert.throws(() => new StaticFiles({ root: "" }), InvalidOptionError);
    for (const prefix of ["static", "/static/", "/a?b", "/a b", "/a%2f"]) {
      assert.throws(() => new StaticFiles({ root, prefix }), InvalidOptionError, prefix);
    }
    assert.throws(() => new StaticFiles({ root, maxAge: -1 }), InvalidOptionError);
    assert.throws(() => new StaticFiles({ root, maxAge: 1.5 }), InvalidOptionError);
    assert.throws(() => new StaticFiles({ root, cacheControl: "a\r\nb" }), InvalidOptionError);
    assert.throws(() => new StaticFiles({ root, dotfiles: "show" as "allow" }), InvalidOptionError);
    assert.throws(() => new StaticFiles({ root, index: "../x.html" }), InvalidOptionError);
  });
});

describe("parseRange", () => {
  it("parses first-last, first- and -suffix ranges", () => {
    assert.deepEqual(parseRange("bytes=0-99", 1000), { start: 0, end: 99 });
    assert.deepEqual(parseRange("bytes=900-", 1000), { start: 900, end: 999 });
    assert.deepEqual(parseRange("bytes=-100", 1000), { start: 900, end: 999 });
    assert.deepEqual(parseRange("bytes=-5000", 1000), { start: 0, end: 999 });
    assert.deepEqual(parseRange("BYTES= 1 - 2 ", 1000), { start: 1, end: 2 });
  });

  it("keeps the one satisfiable range of several", () => {
    assert.deepEqual(parseRange("bytes=5000-, 0-9", 1000), { start: 0, end: 9 });
  });

  it("reports unsatisfiable and malformed headers apart", () => {
    assert.equal(parseRange("bytes=1000-", 1000), "unsatisfiable");
    assert.equal(parseRange("bytes=-1", 0), "unsatisfiable");
    assert.equal(parseRange("bytes=1-0", 1000), undefined);
    assert.equal(parseRange("bytes=1-2,x", 1000), undefined);
  });
});

describe("contentTypeLookup", () => {
  it("treats a leading-dot name as having no extension", () => {
    const typeOf = contentTypeLookup();
    assert.equal(typeOf(".css"), "application/octet-stream");
    assert.equal(typeOf("a.CSS"), "text/css; charset=utf-8");
    assert.equal(contentTypeLookup({ ".glb": "model/gltf-binary" })("m.glb"), "model/gltf-binary");
  });
});

describe("StaticFiles over a socket", () => {
  let server: Awaited<ReturnType<App["listen"]>>;

  before(async () => {
    const app = new Site();
    app.middlewares.push(new StaticFiles({ root }));
    server = await app.listen({ port: 0, host: "127.0.0.1" });
  });

  after(() => server.close());

  it("streams a whole large file intact", async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/static/big.bin`);
    assert.equal(res.status, 200);
    const body = new Uint8Array(await res.arrayBuffer());
    assert.equal(body.byteLength, BIG_SIZE);
    assert.ok(body.every((b) => b === 7));
  });

  it("serves a Range from the middle of a large file", async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/static/big.bin`, { headers: { range: "bytes=1000000-1000099" } });
    assert.equal(res.status, 206);
    assert.equal(res.headers.get("content-range"), `bytes 1000000-1000099/${BIG_SIZE}`);
    assert.equal((await res.arrayBuffer()).byteLength, 100);
  });

  it("answers 416 for a range beyond the file", async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/static/hello.txt`, { headers: { range: "bytes=999-" } });
    assert.equal(res.status, 416);
    assert.equal(res.headers.get("content-range"), `bytes */${HELLO.length}`);
  });

  it("answers traversal sent raw on the wire", async () => {
    const status = await rawStatus(server.port, "/static/../secret.txt");
    assert.equal(status, 403);
  });

  it("closes the file when the client leaves mid-download (counted in /proc/self/fd)", async () => {
    const bigPath = join(root, "big.bin");
    const request = http.get({ host: "127.0.0.1", port: server.port, path: "/static/big.bin" });
    const response = await new Promise<http.IncomingMessage>((resolve) => request.on("response", resolve));
    await new Promise((resolve) => response.once("data", resolve));
    response.pause(); // stop reading: the server fills the socket and waits for drain
    assert.ok(await waitFor(() => openFds(bigPath) > 0), "the file is open while streaming");
    request.destroy();
    assert.ok(await waitFor(() => openFds(bigPath) === 0), "the file is closed after the client left");
  });
});

/** Sends a request line exactly as given (fetch would normalise the dots away). */
function rawStatus(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: "127.0.0.1", port, path, method: "GET" }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    request.on("error", reject);
    request.end();
  });
}

/** How many of this process' file descriptors point at `path`. */
function openFds(path: string): number {
  let count = 0;
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === path) count++;
    } catch {
      // the fd closed while we looked
    }
  }
  return count;
}

async function waitFor(check: () => boolean, timeoutMs = 3000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return check();
}
