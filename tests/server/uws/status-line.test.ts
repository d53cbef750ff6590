/** statusLine(): the whole status line uWS wants, built once per status. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { App } from "../../../lib/index.js";
import { STATUS_TEXT } from "../../../lib/protocol/errors.js";
import { statusLine } from "../../../lib/server/uws/status-line.js";
import { exchange, recordingLogger } from "../helpers.js";

describe("statusLine", () => {
  it("joins the code and the reason phrase of every known status", () => {
    for (const [code, text] of Object.entries(STATUS_TEXT)) assert.equal(statusLine(Number(code)), `${code} ${text}`);
    assert.equal(statusLine(404), "404 Not Found");
  });

  it("says Unknown for a status without a reason phrase", () => {
    assert.equal(statusLine(299), "299 Unknown");
    assert.equal(statusLine(599), "599 Unknown");
  });

  it("is the line a response carries on the wire", async () => {
    class Site extends App {
      async made() { return [201, "made"]; }
      async odd() { return [299, "odd"]; }
    }
    const server = await new Site({ logger: recordingLogger() }).listen({ port: 0, host: "127.0.0.1" });
    try {
      const line = async (path: string) => (await exchange(server.port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)).split("\r\n")[0];
      assert.equal(await line("/made"), "HTTP/1.1 201 Created");
      assert.equal(await line("/odd"), "HTTP/1.1 299 Unknown");
      assert.equal(await line("/"), "HTTP/1.1 404 Not Found");
    } finally {
      await server.close();
    }
  });
});
