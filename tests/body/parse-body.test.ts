import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { HttpError } from "../../lib/protocol/errors.js";
import type { ReceiveEvent } from "../../lib/protocol/protocol.js";
import { ClientGoneError } from "../../lib/body/client-gone-error.js";
import { resolveLimits } from "../../lib/body/limits.js";
import { disposeFiles, parseBody } from "../../lib/body/parse-body.js";
import { bodyEvents, isolateTmpdir, multipartBody, multipartHeaders, scriptedReceive, split } from "./helpers.js";

const tmp = isolateTmpdir();
after(() => tmp.remove());

const limits = resolveLimits();

function isHttpError(status: number, code: string) {
  return (error: unknown) => error instanceof HttpError && error.status === status && error.code === code;
}

describe("parseBody", () => {
  it("parses application/json into json and leaves fields empty", async () => {
    const body = await parseBody(
      { "content-type": "application/json; charset=utf-8" },
      scriptedReceive(bodyEvents(['{"name":', '"Ada"}'])).receive,
      limits,
    );
    assert.deepEqual(body.json, { name: "Ada" });
    assert.deepEqual(Object.keys(body.fields), []);
    assert.equal(body.raw, undefined);
  });

  it("parses +json media types and ignores a UTF-8 BOM", async () => {
    const body = await parseBody(
      { "content-type": "application/merge-patch+json" },
      scriptedReceive(bodyEvents(['\uFEFF{"a":1}'])).receive,
      limits,
    );
    assert.deepEqual(body.json, { a: 1 });
  });

  it("rejects malformed JSON with 400", async () => {
    await assert.rejects(
      parseBody({ "content-type": "application/json" }, scriptedReceive(bodyEvents(["{oops"])).receive, limits),
      isHttpError(400, "UPIE_ERR_MALFORMED_JSON"),
    );
  });

  it("applies the jsonDepth limit", async () => {
    const receive = scriptedReceive(bodyEvents(["[[[1]]]"])).receive;
    await assert.rejects(
      parseBody({ "content-type": "application/json" }, receive, resolveLimits({ jsonDepth: 2 })),
      isHttpError(400, "UPIE_ERR_JSON_TOO_DEEP"),
    );
  });

  it("rejects a prototype-polluting JSON body with 400", async () => {
    await assert.rejects(
      parseBody(
        { "content-type": "application/json" },
        scriptedReceive(bodyEvents(['{"__proto__":{"x":1}}'])).receive,
        limits,
      ),
      isHttpError(400, "UPIE_ERR_FORBIDDEN_KEY"),
    );
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });

  it("parses an urlencoded form into fields", async () => {
    const body = await parseBody(
      { "content-type": "application/x-www-form-urlencoded" },
      scriptedReceive(bodyEvents(["name=Ada+L&tag=a&", "tag=b"])).receive,
      limits,
    );
    assert.deepEqual({ ...body.fields }, { name: ["Ada L"], tag: ["a", "b"] });
    assert.equal(body.json, undefined);
  });

  it("applies the fields limit to urlencoded forms", async () => {
    await assert.rejects(
      parseBody(
        { "content-type": "application/x-www-form-urlencoded" },
        scriptedReceive(bodyEvents(["a=1&b=2&c=3"])).receive,
        resolveLimits({ fields: 2 }),
      ),
      isHttpError(413, "UPIE_ERR_BODY_TOO_LARGE"),
    );
  });

  it("parses multipart into fields and files, and disposeFiles deletes the temp files", async () => {
    const data = Buffer.alloc(200 * 1024, 3);
    const events = bodyEvents(
      split(
        multipartBody([
          { name: "title", data: "T" },
          { name: "upload", filename: "u.bin", contentType: "application/octet-stream", data },
        ]),
        32 * 1024,
      ),
    );
    const body = await parseBody(multipartHeaders(), scriptedReceive(events).receive, limits);
    assert.deepEqual(body.fields.title, ["T"]);
    const file = body.files.upload?.[0];
    assert.equal(file?.size, data.length);
    assert.equal(tmp.leftovers().length, 1);
    await disposeFiles(body.files);
    assert.deepEqual(tmp.leftovers(), []);
    await disposeFiles(body.files);
  });

  it("returns any other type as raw bytes", async () => {
    const body = await parseBody(
      { "content-type": "text/csv" },
      scriptedReceive(bodyEvents(["a,b\n", "1,2\n"])).receive,
      limits,
    );
    assert.equal(body.raw?.toString(), "a,b\n1,2\n");
    assert.equal(body.json, undefined);
  });

  it("returns a body without content-type as raw bytes", async () => {
    const body = await parseBody({}, scriptedReceive(bodyEvents(["x"])).receive, limits);
    assert.equal(body.raw?.toString(), "x");
  });

  it("rejects a body over bodySize with 413 and stops reading", async () => {
    const script = scriptedReceive(bodyEvents(["0123456789", "0123456789", "0123456789", "0123456789"]));
    await assert.rejects(
      parseBody({ "content-type": "application/json" }, script.receive, resolveLimits({ bodySize: 15 })),
      isHttpError(413, "UPIE_ERR_BODY_TOO_LARGE"),
    );
    assert.equal(script.pulls, 2);
  });

  it("rejects a declared Content-Length over the limit without reading", async () => {
    const script = scriptedReceive(bodyEvents(["{}"]));
    await assert.rejects(
      parseBody(
        { "content-type": "application/json", "content-length": "2000000" },
        script.receive,
        resolveLimits({ bodySize: 1000 }),
      ),
      isHttpError(413, "UPIE_ERR_BODY_TOO_LARGE"),
    );
    assert.equal(script.pulls, 0);
  });

  it("rejects a declared multipart Content-Length over the multipart total without reading", async () => {
    const script = scriptedReceive(bodyEvents(["x"]));
    await assert.rejects(
      parseBody({ ...multipartHeaders(), "content-length": String(2 ** 40) }, script.receive, limits),
      isHttpError(413, "UPIE_ERR_MULTIPART_LIMIT"),
    );
    assert.equal(script.pulls, 0);
  });

  it("passes ClientGoneError through for every body type", async () => {
    const gone: ReceiveEvent[] = [{ type: "http.request", body: Buffer.from("ab"), more: true }, { type: "http.disconnect" }];
    for (const headers of [{ "content-type": "application/json" }, multipartHeaders(), {}]) {
      await assert.rejects(parseBody(headers, scriptedReceive(gone).receive, limits), ClientGoneError);
    }
    assert.deepEqual(tmp.leftovers(), []);
  });
});
