import assert from "node:assert/strict";
import { ReadableStream } from "node:stream/web";
import { describe, it } from "node:test";
import { App, ERRORS, HttpError, TestClient, html, redirect } from "../../lib/index.js";
import { errorResponse, toResponse, validateHeaders } from "../../lib/core/response.js";
import { recordingLogger } from "./helpers.js";

let generatorFinished = 0;

class Responses extends App {
  async text() { return "<p>hi</p>"; }
  async bytes() { return Buffer.from([1, 2, 3]); }
  async uint8() { return new Uint8Array([4, 5]); }
  async object() { return { ok: true, n: 1 }; }
  async array() { return [1, "two"]; }
  async made() { return [201, "made", { "X-Id": "7" }]; }
  async pair() { return [202, { queued: true }]; }
  async typed() { return [200, "plain", { "Content-Type": "text/plain" }]; }
  async nothing() { return undefined; }
  async *ticks() {
    try {
      yield "1\n";
      yield Buffer.from("2\n");
      yield 3;
    } finally {
      generatorFinished++;
    }
  }
  async iterable() {
    return {
      async *[Symbol.asyncIterator]() {
        yield "a";
        yield "b";
      },
    };
  }
  async stream() {
    return new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("web "));
        controller.enqueue(new TextEncoder().encode("stream"));
        controller.close();
      },
    });
  }
  async streamed() { return [206, this.ticks(), { "content-type": "text/plain" }]; }
  async moved() { return redirect("/new"); }
  async gone() { return redirect("/elsewhere", 301); }
  async teapot() { throw new HttpError(418, "short and stout"); }
  async forbidden() { throw new HttpError(403); }
  async oops() { throw new Error("secret database password in /srv/app.ts"); }
  async thrown() { throw "a string"; }
  syncHandler() { return "sync"; }
  async *failsAtOnce() {
    try {
      throw new Error("generator failed before its first chunk");
    } finally {
      generatorFinished++;
    }
  }
}

function setup() {
  const logger = recordingLogger();
  return { logger, client: new TestClient(new Responses({ logger })) };
}

describe("responses", () => {
  const { client } = setup();

  it("sends a string as text/html", async () => {
    const res = await client.get("/text");
    assert.equal(res.status, 200);
    assert.equal(res.headers["content-type"], "text/html; charset=utf-8");
    assert.equal(res.text, "<p>hi</p>");
  });

  it("sends a Buffer and a Uint8Array as octet-stream", async () => {
    const buffer = await client.get("/bytes");
    assert.equal(buffer.headers["content-type"], "application/octet-stream");
    assert.deepEqual([...buffer.body], [1, 2, 3]);
    const uint8 = await client.get("/uint8");
    assert.equal(uint8.headers["content-type"], "application/octet-stream");
    assert.deepEqual([...uint8.body], [4, 5]);
  });

  it("sends objects and arrays as JSON", async () => {
    const object = await client.get("/object");
    assert.equal(object.headers["content-type"], "application/json; charset=utf-8");
    assert.deepEqual(object.json(), { ok: true, n: 1 });
    assert.deepEqual((await client.get("/array")).json(), [1, "two"]);
  });

  it("sends a [status, body, headers] tuple", async () => {
    const res = await client.post("/made");
    assert.equal(res.status, 201);
    assert.equal(res.text, "made");
    assert.equal(res.headers["x-id"], "7");
  });

  it("sends a [status, body] tuple with a JSON body", async () => {
    const res = await client.get("/pair");
    assert.equal(res.status, 202);
    assert.deepEqual(res.json(), { queued: true });
  });

  it("lets a tuple's content-type replace the default", async () => {
    assert.equal((await client.get("/typed")).headers["content-type"], "text/plain");
  });

  it("answers 204 with no body for undefined", async () => {
    const res = await client.get("/nothing");
    assert.equal(res.status, 204);
    assert.equal(res.body.byteLength, 0);
  });

  it("streams an async generator and runs its finally", async () => {
    const before = generatorFinished;
    const res = await client.get("/ticks");
    assert.equal(res.status, 200);
    assert.equal(res.text, "1\n2\n3");
    assert.equal(generatorFinished, before + 1);
  });

  it("streams an async iterable", async () => {
    assert.equal((await client.get("/iterable")).text, "ab");
  });

  it("streams a web ReadableStream", async () => {
    assert.equal((await client.get("/stream")).text, "web stream");
  });

  it("streams a generator inside a tuple with its status and headers", async () => {
    const res = await client.get("/streamed");
    assert.equal(res.status, 206);
    assert.equal(res.headers["content-type"], "text/plain");
    assert.equal(res.text, "1\n2\n3");
  });

  it("does not start a streamed body for HEAD", async () => {
    const before = generatorFinished;
    const res = await client.head("/streamed");
    assert.equal(res.status, 206);
    assert.equal(res.body.byteLength, 0);
    assert.equal(generatorFinished, before);
  });

  it("redirects with 302 by default", async () => {
    const res = await client.get("/moved");
    assert.equal(res.status, 302);
    assert.equal(res.headers.location, "/new");
  });

  it("redirects with the status given", async () => {
    const res = await client.get("/gone");
    assert.equal(res.status, 301);
    assert.equal(res.headers.location, "/elsewhere");
  });

  it("answers an HttpError with its status and message, unlogged", async () => {
    const { client: c, logger } = setup();
    const res = await c.get("/teapot");
    assert.equal(res.status, 418);
    assert.equal(res.text, "short and stout");
    const forbidden = await c.get("/forbidden");
    assert.equal(forbidden.status, 403);
    assert.equal(forbidden.text, "Forbidden");
    assert.equal(logger.errors.length, 0);
  });

  it("answers any other throw with a generic 500 and logs the error", async () => {
    const { client: c, logger } = setup();
    const res = await c.get("/oops");
    assert.equal(res.status, 500);
    assert.equal(res.text, "Internal Server Error");
    assert.doesNotMatch(res.text, /secret|\.ts|at /);
    assert.equal(logger.errors.length, 1);
    assert.match(String((logger.errors[0]!.error as Error).stack), /secret database password/);
    const thrown = await c.get("/thrown");
    assert.equal(thrown.status, 500);
    assert.equal(thrown.text, "Internal Server Error");
    assert.equal(logger.errors.length, 2);
  });

  it("answers a generator that throws before its first chunk with a logged generic 500", async () => {
    const { client: c, logger } = setup();
    const before = generatorFinished;
    const res = await c.get("/failsAtOnce");
    assert.equal(res.status, 500);
    assert.equal(res.text, "Internal Server Error");
    assert.equal(res.headers["content-type"], "text/plain; charset=utf-8");
    assert.equal(logger.errors.length, 1);
    assert.match(String(logger.errors[0]!.error), /before its first chunk/);
    assert.equal(generatorFinished, before + 1);
  });

  it("serves a synchronous handler", async () => {
    assert.equal((await client.get("/syncHandler")).text, "sync");
  });

  it("sends no body for HEAD but the same status and headers", async () => {
    const res = await client.head("/object");
    assert.equal(res.status, 200);
    assert.equal(res.headers["content-type"], "application/json; charset=utf-8");
    assert.equal(res.body.byteLength, 0);
  });
});

describe("toResponse", () => {
  it("reads only a well-formed [status, body, headers?] as a tuple; any other array is JSON", () => {
    assert.equal(toResponse([201, "made"]).status, 201);
    for (const notATuple of [[600, "x"], [99, "x"], [200.5, "x"], ["200", "x"], [200, "x", "headers"], [200, "x", ["a"]], [200, "x", null], [200, "x", {}, 1], [200]]) {
      const response = toResponse(notATuple);
      assert.deepEqual([response.status, response.body], [200, JSON.stringify(notATuple)], JSON.stringify(notATuple));
    }
  });

  it("answers 204 for nothing with status 200, but keeps another status", () => {
    assert.equal(toResponse(undefined).status, 204);
    assert.equal(toResponse(null).status, 204);
    assert.deepEqual(toResponse([404, null]), { status: 404, body: null, headers: {} });
  });

  it("types Html as HTML, bytes and ArrayBuffers as octets, and lower-cases tuple headers, skipping empty ones", () => {
    assert.deepEqual(toResponse(html`<b>${"<i>"}</b>`), { status: 200, body: "<b>&lt;i&gt;</b>", headers: { "content-type": "text/html; charset=utf-8" } });
    const fromBuffer = toResponse(new Uint8Array([1, 2]).buffer);
    assert.deepEqual([fromBuffer.body, fromBuffer.headers["content-type"]], [new Uint8Array([1, 2]), "application/octet-stream"]);
    const headers = toResponse([200, "x", { "X-Count": 3 as unknown as string, "Set-Cookie": ["a=1", "b=2"], "X-None": undefined as unknown as string }]).headers;
    assert.deepEqual(headers, { "content-type": "text/html; charset=utf-8", "x-count": "3", "set-cookie": ["a=1", "b=2"] });
  });
});

describe("errorResponse", () => {
  it("answers an HttpError as it is, with its headers, and anything else as a generic 500", () => {
    assert.deepEqual(errorResponse(new HttpError(429, "slow", { headers: { "Retry-After": "3" } })), {
      status: 429, body: "slow", headers: { "content-type": "text/plain; charset=utf-8", "retry-after": "3" },
    });
    assert.deepEqual(errorResponse(new Error("secret detail")), { status: 500, body: "Internal Server Error", headers: { "content-type": "text/plain; charset=utf-8" } });
    assert.equal(errorResponse("thrown string").status, 500);
  });
});

describe("validateHeaders", () => {
  const refused = (headers: Record<string, string | string[]>) => {
    try {
      validateHeaders(headers);
      return "accepted";
    } catch (error) {
      assert.ok(error instanceof HttpError && error.code === ERRORS.INVALID_HEADER.code && error.status === 500);
      return error.message;
    }
  };

  it("accepts token names and values with HTAB, spaces and obs-text", () => {
    assert.equal(refused({ "x-a": "a\tb c", "x-b": "caf\u00e9", "x-!#$%&'*+.^_`|~": "" }), "accepted");
  });

  it("names the header it refuses: a name that is no token, a control character in any value", () => {
    assert.equal(refused({ "x y": "v" }), 'Invalid response header name "x y"');
    assert.equal(refused({ "x-a": "v\r\nInjected: 1" }), 'Invalid value for response header "x-a"');
    assert.equal(refused({ "set-cookie": ["a=1", "b=\u007f"] }), 'Invalid value for response header "set-cookie"');
  });

  it("checks a content-type of the app's own, letting upie's defaults through unchecked", () => {
    assert.equal(refused({ "content-type": "text/html; charset=utf-8" }), "accepted");
    assert.equal(refused({ "content-type": "text/plain\u0000" }), 'Invalid value for response header "content-type"');
  });
});
