/**
 * The layers of lib/, checked on every import: a file may import its own
 * layer and the ones below, never one above. The bottom layer (lib/protocol:
 * the protocol's types, the error catalogue, small helpers) imports nothing of
 * upie; the core never imports a server; the client runs in browsers on the
 * bottom layer alone.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";

const LIB = fileURLToPath(new URL("../../lib/", import.meta.url));

/** Layer of each folder of lib/ (index.ts, the composition root, is the top). */
const LAYERS: Record<string, number> = {
  protocol: 0,
  "ws-client": 1,
  body: 2, session: 2, pubsub: 2, websocket: 2, middleware: 2, core: 2,
  server: 3, client: 3, redis: 3,
  testing: 4,
  ".": 5,
};

/** Folders that may import only from these (besides themselves). */
const ONLY: Record<string, readonly string[]> = {
  protocol: [],
  "ws-client": ["protocol"],
};

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : [],
  );
}

function folderOf(path: string): string {
  const parts = relative(LIB, path).split("/");
  return parts.length === 1 ? "." : parts[0]!;
}

/** Every relative import of a file (static, type-only and dynamic), as folders of lib/. */
function importedFolders(path: string): Array<{ spec: string; folder: string }> {
  const source = readFileSync(path, "utf8");
  const found: Array<{ spec: string; folder: string }> = [];
  for (const match of source.matchAll(/(?:from\s+|import\s*\(\s*)["'](\.{1,2}\/[^"']+)["']/g)) {
    const target = resolve(dirname(path), match[1]!);
    if (!target.startsWith(LIB)) continue;
    found.push({ spec: match[1]!, folder: folderOf(target) });
  }
  return found;
}

describe("the layers of lib/", () => {
  const all = files(LIB);

  it("knows every folder of lib/", () => {
    for (const path of all) assert.ok(folderOf(path) in LAYERS, `${relative(LIB, path)}: add its folder to LAYERS`);
  });

  it("has no import of a higher layer, and keeps the bottom layer and the client to what they may use", () => {
    const wrong: string[] = [];
    for (const path of all) {
      const from = folderOf(path);
      for (const { spec, folder } of importedFolders(path)) {
        if (folder === from) continue;
        const only = ONLY[from];
        if (only !== undefined ? !only.includes(folder) : LAYERS[folder]! > LAYERS[from]!) {
          wrong.push(`${relative(LIB, path)} imports ${spec} (${folder})`);
        }
      }
    }
    assert.deepEqual(wrong, []);
  });

  it("keeps lib/core free of any server", () => {
    const servers = all.filter((path) => folderOf(path) === "core").flatMap((path) => importedFolders(path).filter(({ folder }) => folder === "server").map(({ spec }) => `${relative(LIB, path)} → ${spec}`));
    assert.deepEqual(servers, []);
  });
});
