import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { GET_SERVERS, hyperExpressFor, isServerName, SERVER_INFO, SERVERS, unavailable, WS_TARGET_SERVERS } from "../../../bench/harness/servers.js";

const serversDir = new URL("../../../bench/servers/", import.meta.url);

describe("SERVER_INFO", () => {
  it("gives every server a file in bench/servers/", () => {
    for (const name of SERVERS) assert.ok(existsSync(new URL(`${SERVER_INFO[name].entry}.ts`, serversDir)), name);
  });

  it("names each variant a switch its file reads", () => {
    for (const name of SERVERS) {
      const variant = SERVER_INFO[name].env?.BENCH_VARIANT;
      if (variant === undefined) continue;
      const source = readFileSync(new URL(`${SERVER_INFO[name].entry}.ts`, serversDir), "utf8");
      assert.match(source, /BENCH_VARIANT/, name);
      assert.match(source, new RegExp(`\\b${variant}\\b`), `${name}: ${variant}`);
    }
  });

  it("keeps raw uWS first and ahead of the floors, which compare with it", () => {
    assert.equal(SERVERS[0], "uws");
    assert.deepEqual(SERVERS.filter((s) => SERVER_INFO[s].floor), ["uws-async", "uws-await"]);
  });

  it("puts the floors in the scenarios whose targets need them", () => {
    assert.ok(GET_SERVERS.includes("uws-async") && GET_SERVERS.includes("upie-plain") && GET_SERVERS.includes("hyper-express-async"));
    assert.ok(WS_TARGET_SERVERS.includes("uws-await") && WS_TARGET_SERVERS.includes("upie-fast"));
  });

  it("runs upie's fast path only against a upie that has one", () => {
    assert.match(unavailable("upie-fast", { webSocketFastPath: false }) ?? "", /no WebSocket fast path/);
    assert.equal(unavailable("upie-fast", { webSocketFastPath: true }), undefined);
    assert.equal(unavailable("upie", { webSocketFastPath: false }), undefined);
  });
});

describe("hyperExpressFor", () => {
  it("runs the @btc-vision fork on uWS 20.57 and hyper-express 6.14 on 20.30", () => {
    assert.equal(hyperExpressFor("@btc-vision/uwebsockets.js"), "@btc-vision/hyper-express");
    assert.equal(hyperExpressFor("@trufflesuite/uws-js-unofficial"), "hyper-express");
  });
});

describe("isServerName", () => {
  it("knows the registry's names only", () => {
    assert.equal(isServerName("uws-await"), true);
    assert.equal(isServerName("upie-async"), false);
  });
});
