/**
 * TestHttpExchange: one in-process request as the app sees it over a socket:
 * a body in pieces, and a client that can leave (its signal).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { App, TestClient, type UploadedFile } from "../../lib/index.js";

class Site extends App {
  async upload(file: UploadedFile, note: string) { return { note, text: await file.text() }; }
  async data() { return this.request.json(); }
  async slow() {
    await new Promise((resolve) => setTimeout(resolve, 300));
    return "late";
  }
}

describe("TestHttpExchange", () => {
  it("delivers a body in pieces of chunkSize bytes, and multipart and JSON parse as over a socket", async () => {
    const client = new TestClient(new Site());
    const upload = await client.post("/upload", { form: { note: "n" }, files: { file: { filename: "a.txt", content: "hello ".repeat(500) } }, chunkSize: 7 });
    assert.deepEqual(upload.json(), { note: "n", text: "hello ".repeat(500) });
    const json = await client.post("/data", { json: { deep: { list: [1, 2, 3] } }, chunkSize: 1 });
    assert.deepEqual(json.json(), { deep: { list: [1, 2, 3] } });
    await assert.rejects(client.post("/data", { json: {}, chunkSize: 0 }), TypeError);
  });

  it("rejects a request whose client left (signal), as fetch does, while the app carries on", async () => {
    const client = new TestClient(new Site());
    await assert.rejects(client.get("/slow", { signal: AbortSignal.timeout(30) }), { name: "TimeoutError" });
    await assert.rejects(client.get("/slow", { signal: AbortSignal.abort() }), { name: "AbortError" });
  });

});
