/**
 * tests/ mirrors lib/ (issue #26, item 9): every `lib/<path>.ts` has its
 * test at `tests/<path>.test.ts`, so the test of a module is found without
 * searching. Feature tests that cross modules (tests/core/bodies.test.ts,
 * tests/server/hostile-http.test.ts) live beside them; they do not replace
 * a module's own.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";

const LIB = fileURLToPath(new URL("../../lib/", import.meta.url));
const TESTS = fileURLToPath(new URL("../", import.meta.url));

/** lib/ files with no test of their own, each with the reason. Keep it short. */
const EXEMPT = new Map<string, string>([
  // (none: every module has behaviour, or types a test can compile against)
]);

/** Mirrors still being written on another branch; emptied when it merges. */
const PENDING = new Set<string>([
  // TODO(mirror2): being written
  "server/uws/bind-failure.ts", "server/uws/http-exchange.ts", "server/uws/listen.ts", "server/uws/read-request.ts", "server/uws/refuse-framing.ts",
  "server/uws/register.ts", "server/uws/status-line.ts", "server/uws/string-interner.ts", "server/uws/uws-http-scope.ts", "server/uws/uws-loader.ts",
  "server/uws/uws-topics.ts", "server/uws/websocket-server.ts",
  "testing/broker-contract.ts", "testing/harness.ts", "testing/message-inbox.ts", "testing/session-backend-contract.ts", "testing/test-client-harness.ts",
  "testing/test-client.ts", "testing/test-connection.ts", "testing/test-http-exchange.ts", "testing/test-websocket.ts", "testing/uws-harness.ts",
  "websocket/handshake.ts", "websocket/websocket-handler.ts",
  "ws-client/client-events.ts", "ws-client/client-options.ts", "ws-client/errors.ts", "ws-client/index.ts", "ws-client/liveness.ts", "ws-client/transport.ts",
]);

/** Every .ts file under `dir`, as a path relative to lib/. */
function libFiles(dir: string = LIB): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? libFiles(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [relative(LIB, join(dir, entry.name))] : [],
  );
}

/** Where the test of `lib/<file>` belongs. */
const mirrorOf = (file: string): string => join(TESTS, file.replace(/\.ts$/, ".test.ts"));

describe("tests/ mirroring lib/", () => {
  const files = libFiles().sort();

  it("has tests/<path>.test.ts for every lib/<path>.ts", () => {
    const missing = files.filter((file) => !EXEMPT.has(file) && !PENDING.has(file) && !existsSync(mirrorOf(file)));
    assert.deepEqual(missing, [], `lib/ files without their test at tests/<same path>.test.ts:\n${missing.join("\n")}`);
  });

  it("lists no exemption or pending file that no longer needs it", () => {
    const stale = [...EXEMPT.keys(), ...PENDING].filter((file) => !files.includes(file) || existsSync(mirrorOf(file)));
    assert.deepEqual(stale, [], `these have a test now, or left lib/: take them off the list:\n${stale.join("\n")}`);
  });

  it("finds the files it checks", () => {
    assert.ok(files.includes("index.ts") && files.includes("core/app.ts"), "the walk reaches lib/ and its folders");
  });
});
