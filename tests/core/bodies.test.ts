import assert from "node:assert/strict";
import { readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { App, TestClient, type Limits, type UploadedFile } from "../../lib/index.js";
import { privateTempDir, recordingLogger } from "./helpers.js";

const tempFiles = privateTempDir();

class Bodies extends App {
  seenTemp: string[] = [];
  async echo() {
    return { json: this.request.json() ?? null, form: { ...this.request.bodyParams }, query: { ...this.request.queryParams } };
  }
  async polluted() {
    const probe = {} as Record<string, unknown>;
    return { polluted: probe.polluted ?? null, isAdmin: probe.isAdmin ?? null, body: this.request.json() ?? null };
  }
  async upload(file: UploadedFile, note = "") {
    this.seenTemp = tempFiles();
    const chunks: Buffer[] = [];
    for await (const chunk of file) chunks.push(Buffer.from(chunk));
    const streamed: Uint8Array[] = [];
    const reader = file.stream().getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      streamed.push(value);
    }
    return {
      field: file.fieldName,
      filename: file.filename,
      contentType: file.contentType,
      size: file.size,
      iterated: Buffer.concat(chunks).byteLength,
      streamed: Buffer.concat(streamed).byteLength,
      head: (await file.text()).slice(0, 5),
      bytes: (await file.arrayBuffer()).byteLength,
      note,
    };
  }
  async save(file: UploadedFile, to: string) {
    await file.saveTo(to);
    return "saved";
  }
  async many() {
    const files = this.request.files;
    return Object.fromEntries(Object.entries(files).map(([name, list]) => [name, list.map((f) => f.filename)]));
  }
  async boom(_file: UploadedFile) {
    this.seenTemp = tempFiles();
    throw new Error("handler failed");
  }
}

function setup(limits?: Partial<Limits>) {
  const logger = recordingLogger();
  const app = new Bodies({ logger, limits });
  return { app, logger, client: new TestClient(app) };
}

const big = Buffer.alloc(200 * 1024, "x");

describe("JSON and urlencoded bodies", () => {
  const { client } = setup({ bodySize: 1024, jsonDepth: 8, fields: 5 });

  it("parses JSON and urlencoded bodies", async () => {
    assert.deepEqual((await client.post("/echo", { json: { a: [1, { b: 2 }] } })).json().json, { a: [1, { b: 2 }] });
    assert.deepEqual((await client.post("/echo", { form: { a: "1", b: ["x y", "z"] } })).json().form, { a: ["1"], b: ["x y", "z"] });
  });

  it("answers 413 for a body over bodySize", async () => {
    const json = await client.post("/echo", { json: { blob: "x".repeat(2000) } });
    assert.equal(json.status, 413);
    const form = await client.post("/echo", { form: { blob: "x".repeat(2000) } });
    assert.equal(form.status, 413);
  });

  it("allows 1 MiB by default and answers 413 past it", async () => {
    const { client: c } = setup();
    const fits = "x".repeat(1024 * 1024 - 2);
    const ok = await c.post("/echo", { body: JSON.stringify(fits), headers: { "content-type": "application/json" } });
    assert.equal(ok.status, 200);
    const over = await c.post("/echo", { body: JSON.stringify(`${fits}x`), headers: { "content-type": "application/json" } });
    assert.equal(over.status, 413);
    assert.equal(over.text, "Request body larger than 1048576 bytes");
  });

  it("answers 413 when the declared length is over bodySize without reading the body", async () => {
    let pulled = 0;
    const { app } = setup({ bodySize: 10 });
    const { appCore } = await import("../../lib/core/app.js");
    const { handleHttpAsync } = await import("../../lib/core/http-handler.js");
    let status = 0;
    await handleHttpAsync(
      appCore(app),
      { type: "http", method: "POST", path: "/echo", rawQuery: "", headers: { "content-length": "50000000", "content-type": "application/json" }, client: "" },
      {
        receive: async () => {
          pulled++;
          return { type: "http.request", body: new Uint8Array(10), more: true };
        },
        send: (event) => {
          if (event.type === "http.response.start") status = event.status;
        },
      },
    );
    assert.equal(status, 413);
    assert.equal(pulled, 0);
  });

  it("answers 400 for malformed JSON", async () => {
    for (const body of ["{", "{'a':1}", "[1,]", "nul"]) {
      const res = await client.post("/echo", { body, headers: { "content-type": "application/json" } });
      assert.equal(res.status, 400, body);
      assert.equal(res.text, "Malformed JSON body");
    }
  });

  it("answers 400 for JSON nested deeper than jsonDepth", async () => {
    const deep = "[".repeat(9) + "]".repeat(9);
    const res = await client.post("/echo", { body: deep, headers: { "content-type": "application/json" } });
    assert.equal(res.status, 400);
    const ok = "[".repeat(8) + "]".repeat(8);
    assert.equal((await client.post("/echo", { body: ok, headers: { "content-type": "application/json" } })).status, 200);
  });

  it("answers 400 quickly for a huge nesting within bodySize", async () => {
    const { client: c } = setup({ bodySize: 1024 * 1024 });
    const started = Date.now();
    const res = await c.post("/echo", { body: "[".repeat(500_000), headers: { "content-type": "application/json" } });
    assert.equal(res.status, 400);
    assert.ok(Date.now() - started < 1000);
  });

  it("answers 413 for more form fields than allowed", async () => {
    const res = await client.post("/echo", { body: "a=1&b=2&c=3&d=4&e=5&f=6", headers: { "content-type": "application/x-www-form-urlencoded" } });
    assert.equal(res.status, 413);
  });
});

describe("prototype pollution", () => {
  const { client } = setup();
  const json = { "content-type": "application/json" };

  it("refuses __proto__ and constructor.prototype in JSON", async () => {
    for (const body of [
      '{"__proto__": {"polluted": "yes"}}',
      '{"a": {"__proto__": {"polluted": "yes"}}}',
      '{"constructor": {"prototype": {"polluted": "yes"}}}',
      '{"\\u005f_proto__": {"polluted": "yes"}}',
    ]) {
      const res = await client.post("/polluted", { body, headers: json });
      assert.equal(res.status, 400, body);
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it("drops polluting keys from the query", async () => {
    const res = await client.get("/polluted?__proto__[isAdmin]=1&__proto__=x&constructor[prototype][isAdmin]=1&%5F%5Fproto%5F%5F=y");
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { polluted: null, isAdmin: null, body: null });
    const echoed = await client.get("/echo?__proto__=x&constructor=y&prototype=z&ok=1");
    assert.deepEqual(echoed.json().query, { ok: ["1"] });
  });

  it("drops polluting keys from forms", async () => {
    const res = await client.post("/echo", { body: "__proto__=x&constructor=y&ok=1", headers: { "content-type": "application/x-www-form-urlencoded" } });
    assert.deepEqual(res.json().form, { ok: ["1"] });
    const fields = JSON.parse('{"__proto__": "x", "constructor": "y", "ok": "1"}') as Record<string, string>;
    const multi = await client.post("/echo", { form: fields, files: {} });
    assert.equal(multi.status, 200);
    assert.deepEqual(multi.json().form, { ok: ["1"] });
  });
});

describe("multipart uploads", () => {
  it("binds an UploadedFile by field name with its metadata and readers", async () => {
    const { client } = setup();
    const res = await client.post("/upload", {
      form: { note: "hi" },
      files: { file: { filename: "big.txt", content: big, contentType: "text/plain" } },
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json(), {
      field: "file",
      filename: "big.txt",
      contentType: "text/plain",
      size: big.byteLength,
      iterated: big.byteLength,
      streamed: big.byteLength,
      head: "xxxxx",
      bytes: big.byteLength,
      note: "hi",
    });
  });

  it("removes temp files after the response", async () => {
    const { client, app } = setup();
    await client.post("/upload", { files: { file: { filename: "big.txt", content: big } } });
    assert.equal(app.seenTemp.length, 1, "a large upload is spooled to a temp file");
    assert.deepEqual(tempFiles(), []);
  });

  it("removes temp files after a handler throws", async () => {
    const { client, app, logger } = setup();
    const res = await client.post("/boom", { files: { _file: { filename: "big.txt", content: big } } });
    assert.equal(res.status, 500);
    assert.equal(app.seenTemp.length, 1);
    assert.deepEqual(tempFiles(), []);
    assert.equal(logger.errors.length, 1);
  });

  it("saves a file with saveTo()", async () => {
    const { client } = setup();
    const target = join(tmpdir(), `saved-${process.pid}.txt`);
    try {
      const res = await client.post(`/save?to=${encodeURIComponent(target)}`, { files: { file: { filename: "a.txt", content: "contents" } } });
      assert.equal(res.text, "saved");
      assert.equal(await readFile(target, "utf8"), "contents");
    } finally {
      await rm(target, { force: true });
    }
  });

  it("keeps every file of a repeated field", async () => {
    const { client } = setup();
    const res = await client.post("/many", { files: { f: [{ filename: "1.txt", content: "1" }, { filename: "2.txt", content: "2" }] } });
    assert.deepEqual(res.json(), { f: ["1.txt", "2.txt"] });
  });

  it("answers 400 for multipart without a boundary", async () => {
    const { client } = setup();
    const res = await client.post("/many", { body: "--x\r\n", headers: { "content-type": "multipart/form-data" } });
    assert.equal(res.status, 400);
  });

  it("answers 400 for a truncated multipart body and removes its temp file", async () => {
    const { client, logger } = setup();
    const boundary = "XyZ";
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="a.bin"\r\n\r\n`),
      big,
    ]);
    const res = await client.post("/upload", { body, headers: { "content-type": `multipart/form-data; boundary=${boundary}` } });
    assert.equal(res.status, 400);
    assert.deepEqual(tempFiles(), []);
    assert.equal(logger.errors.length, 0);
  });

  for (const [limit, value, files] of [
    ["fileSize", 1024, { file: { filename: "a", content: big } }],
    ["files", 1, { a: { filename: "a", content: "1" }, b: { filename: "b", content: "2" } }],
    ["parts", 2, { a: { filename: "a", content: "1" }, b: { filename: "b", content: "2" }, c: { filename: "c", content: "3" } }],
  ] as const) {
    it(`answers 413 over the ${limit} limit and removes temp files`, async () => {
      const { client } = setup({ [limit]: value });
      const res = await client.post("/many", { files: files as never });
      assert.equal(res.status, 413);
      assert.deepEqual(tempFiles(), []);
    });
  }

  it("answers 413 over the fields limit", async () => {
    const { client } = setup({ fields: 2 });
    const res = await client.post("/many", { form: { a: "1", b: "2", c: "3" }, files: {} });
    assert.equal(res.status, 413);
  });

  it("answers 413 for a big file spooled before the limit is hit and removes it", async () => {
    const { client } = setup({ fileSize: 100 * 1024 });
    const res = await client.post("/upload", { files: { file: { filename: "a", content: big } } });
    assert.equal(res.status, 413);
    assert.deepEqual(tempFiles(), []);
  });
});
