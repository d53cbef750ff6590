/**
 * uwsAdapter: the harness that serves an app with listen() on a loopback
 * port and talks to it over real sockets.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { App } from "../../lib/index.js";
import { uwsAdapter } from "../../lib/testing/index.js";
import { recordingLogger } from "../core/helpers.js";

class Site extends App {
  pieces: string[] = [];
  async index() { return this.request.remoteAddress; }
  async upload() {
    this.pieces.push(`te=${this.request.headers["transfer-encoding"] ?? "none"}`);
    return Buffer.from(this.request.body ?? new Uint8Array()).toString();
  }
}

describe("uwsAdapter", () => {
  it("serves over a real loopback socket", async () => {
    const harness = await uwsAdapter.serve(new Site({ logger: recordingLogger() }));
    try {
      assert.equal((await harness.request("GET", "/")).text, "127.0.0.1");
    } finally {
      await harness.close();
    }
  });

  it("sends an async iterable body chunked, piece by piece as it yields", async () => {
    const app = new Site({ logger: recordingLogger() });
    const harness = await uwsAdapter.serve(app);
    let yielded = 0;
    async function* pieces() {
      for (const piece of ["al", "pha", "bet"]) {
        yielded++;
        await new Promise((resolve) => setTimeout(resolve, 5));
        yield piece;
      }
    }
    try {
      const res = await harness.request("POST", "/upload", { body: pieces() });
      assert.equal(res.text, "alphabet");
      assert.equal(yielded, 3);
      assert.deepEqual(app.pieces, ["te=chunked"]);
    } finally {
      await harness.close();
    }
  });

  it("stops serving on close(): the next request cannot connect", async () => {
    const harness = await uwsAdapter.serve(new Site({ logger: recordingLogger() }));
    assert.equal((await harness.request("GET", "/")).status, 200);
    await harness.close();
    await assert.rejects(harness.request("GET", "/"), TypeError); // fetch: "fetch failed", ECONNREFUSED
  });
});
