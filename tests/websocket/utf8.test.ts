/**
 * Pins what `receiveText()` makes of a binary frame that is not valid UTF-8:
 * each bad sequence becomes U+FFFD (the WHATWG decoder's replacement), where
 * MicroPie (`bytes.decode("utf-8", "ignore")`) drops the bad bytes. The README
 * documents the difference beside the MicroPie-to-upie name table.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { App, type WebSocket } from "../../lib/index.js";
import { testClientAdapter, uwsAdapter, type AdapterUnderTest } from "../../lib/testing/index.js";
import { utf8Decoder } from "../../lib/websocket/utf8.js";

class Echo extends App {
  async ws_text(ws: WebSocket) {
    await ws.accept();
    for (;;) await ws.sendJson([...(await ws.receiveText())].map((c) => c.codePointAt(0)));
  }
}

// "h", "i", a lone continuation byte, a truncated 3-byte sequence, "!", then a BOM that must survive.
const BAD = new Uint8Array([0x68, 0x69, 0x80, 0xe2, 0x82, 0x21, 0xef, 0xbb, 0xbf]);

function suite(adapter: AdapterUnderTest): void {
  describe(`receiveText() on invalid UTF-8 on ${adapter.name}`, () => {
    it("replaces each bad sequence with U+FFFD instead of dropping it", async () => {
      const harness = await adapter.serve(new Echo());
      try {
        const socket = await harness.websocket("/text");
        socket.sendBytes(BAD);
        assert.deepEqual(JSON.parse((await socket.next()) as string), [0x68, 0x69, 0xfffd, 0xfffd, 0x21, 0xfeff]);
        socket.close();
      } finally {
        await harness.close();
      }
    });
  });
}

describe("utf8Decoder", () => {
  it("decodes with replacement and keeps a leading BOM", () => {
    assert.equal(utf8Decoder.decode(new Uint8Array([0xef, 0xbb, 0xbf, 0xff, 0x41])), "\uFEFF\uFFFDA");
  });
});

suite(testClientAdapter);
suite(uwsAdapter);
