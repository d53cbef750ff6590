/**
 * handshakeProblem(): the RFC 6455 §4.2.1 checks made before a handler sees
 * a handshake. What uWS does with each on the wire is pinned in
 * tests/server/hostile-websocket.test.ts.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { handshakeProblem } from "../../lib/websocket/handshake.js";

const KEY = "dGhlIHNhbXBsZSBub25jZQ=="; // RFC 6455 §1.3's example nonce
const VALID = { upgrade: "websocket", connection: "Upgrade", "sec-websocket-key": KEY, "sec-websocket-version": "13" };

/** The valid handshake with `name` set to `value`, or left out when `value` is undefined. */
function withHeader(name: keyof typeof VALID, value: string | undefined): Record<string, string> {
  const headers: Record<string, string> = { ...VALID };
  if (value === undefined) delete headers[name];
  else headers[name] = value;
  return headers;
}

describe("handshakeProblem", () => {
  it("accepts a well-formed handshake, and any 16 random bytes as the key", () => {
    assert.equal(handshakeProblem(VALID), undefined);
    for (let i = 0; i < 200; i++) assert.equal(handshakeProblem({ ...VALID, "sec-websocket-key": randomBytes(16).toString("base64") }), undefined);
  });

  it("reads Upgrade and Connection as case-insensitive token lists", () => {
    assert.equal(handshakeProblem({ ...VALID, upgrade: "WebSocket" }), undefined);
    assert.equal(handshakeProblem({ ...VALID, connection: "keep-alive, Upgrade" }), undefined);
    assert.equal(handshakeProblem({ ...VALID, upgrade: "h2c , websocket" }), undefined);
    assert.equal(handshakeProblem({ ...VALID, connection: "UPGRADE" }), undefined);
    assert.equal(handshakeProblem({ ...VALID, connection: "keep-alive,\tUpgrade\t" }), undefined);
  });

  it("answers 400 without Upgrade: websocket", () => {
    for (const upgrade of [undefined, "h2c", "websockets", ""]) {
      assert.deepEqual(handshakeProblem(withHeader("upgrade", upgrade)), { status: 400, body: "Missing Upgrade: websocket" });
    }
  });

  it("answers 400 without Connection: Upgrade", () => {
    for (const connection of [undefined, "keep-alive", "upgraded", "keep-alive upgrade"]) {
      assert.deepEqual(handshakeProblem(withHeader("connection", connection)), { status: 400, body: "Missing Connection: Upgrade" });
    }
  });

  it("answers 400 for a key that is not the base64 of exactly 16 bytes", () => {
    const bad = [
      undefined,
      "",
      randomBytes(15).toString("base64"),
      randomBytes(17).toString("base64"),
      "dGhlIHNhbXBsZSBub25jZQ", // unpadded
      "dGhlIHNhbXBsZSBub25jZR==", // last character carries bits a 16-byte value cannot have
      "dGhlIHNhbXBsZSBub25j-Q==", // base64url, not base64
      ` ${KEY}`,
    ];
    for (const key of bad) assert.deepEqual(handshakeProblem(withHeader("sec-websocket-key", key)), { status: 400, body: "Invalid Sec-WebSocket-Key" }, String(key));
  });

  it("answers 426 naming version 13 for any other version, or none (§4.4)", () => {
    for (const version of [undefined, "8", "12", "14", "13, 8", ""]) {
      assert.deepEqual(handshakeProblem(withHeader("sec-websocket-version", version)), {
        status: 426,
        headers: { "sec-websocket-version": "13" },
        body: "Unsupported WebSocket version",
      }, String(version));
    }
    assert.equal(handshakeProblem({ ...VALID, "sec-websocket-version": " 13 " }), undefined);
  });

  it("checks in order: Upgrade, then Connection, then the key, then the version", () => {
    assert.equal(handshakeProblem({ connection: "close", "sec-websocket-version": "8" })?.body, "Missing Upgrade: websocket");
    assert.equal(handshakeProblem({ upgrade: "websocket", "sec-websocket-version": "8" })?.body, "Missing Connection: Upgrade");
    assert.equal(handshakeProblem({ upgrade: "websocket", connection: "upgrade", "sec-websocket-version": "8" })?.body, "Invalid Sec-WebSocket-Key");
  });
});
