/**
 * The layers of lib/, checked on every import: a file may import its own
 * folder and the folders strictly below it, never one beside or above, so no
 * two folders ever import each other, and no two files either, even for types. The bottom layer (lib/protocol: the
 * protocol's types, the error catalogue, small helpers) imports nothing of
 * upie; the core never imports a server or the WebSocket engine; the client
 * runs in browsers on the bottom layer alone.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { describe, it } from "node:test";

import { LIB, libFiles } from "./lib-files.js";


/**
 * Layer of each folder of lib/ (index.ts, the composition root, is the top).
 * Folders on one layer never import each other; a folder imports only lower layers.
 */
const LAYERS: Record<string, number> = {
  protocol: 0, // types of the scope/receive/send protocol, the error catalogue, the logger
  "ws-client": 1, cookies: 1, templates: 1, body: 1, pubsub: 1, // leaves on the protocol alone
  session: 2, // sessions and their cookie (on cookies)
  "websocket-policy": 2, // the WebSocket options, origin policy and message budget (on pubsub's broker type)
  core: 3, redis: 3, // the app: config, lifecycle, routing, binding, requests, responses, HTTP
  websocket: 4, middleware: 4, sse: 4, // on the core: the WebSocket engine and handler, middleware, SSE
  server: 5, // the uWebSockets.js adapter
  testing: 6, runner: 6, // the in-process TestClient, the contract suites and their harnesses; the `upie` command
  ".": 7,
};

/** Folders that may import only from these (besides themselves). */
const ONLY: Record<string, readonly string[]> = {
  protocol: [],
  "ws-client": ["protocol"],
};

function folderOf(path: string): string {
  const parts = relative(LIB, path).split("/");
  return parts.length === 1 ? "." : parts[0]!;
}

/** Every relative import of a file (static, type-only and dynamic), as folders of lib/. */
function importedFolders(path: string): Array<{ spec: string; folder: string; target: string }> {
  const source = readFileSync(path, "utf8");
  const found: Array<{ spec: string; folder: string; target: string }> = [];
  for (const match of source.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)["'](\.{1,2}\/[^"']+)["']/g)) {
    // Sources import each other by their emitted name (x.js); the file is x.ts.
    const target = resolve(dirname(path), match[1]!).replace(/\.js$/, ".ts");
    if (!target.startsWith(LIB)) continue;
    found.push({ spec: match[1]!, folder: folderOf(target), target });
  }
  return found;
}

describe("the layers of lib/", () => {
  const all = libFiles();

  it("knows every folder of lib/", () => {
    for (const path of all) assert.ok(folderOf(path) in LAYERS, `${relative(LIB, path)}: add its folder to LAYERS`);
  });

  it("has no import of a higher or the same layer, and keeps the bottom layer and the client to what they may use", () => {
    const wrong: string[] = [];
    for (const path of all) {
      const from = folderOf(path);
      for (const { spec, folder } of importedFolders(path)) {
        if (folder === from) continue;
        const only = ONLY[from];
        if (only !== undefined ? !only.includes(folder) : LAYERS[folder]! >= LAYERS[from]!) {
          wrong.push(`${relative(LIB, path)} imports ${spec} (${folder})`);
        }
      }
    }
    assert.deepEqual(wrong, []);
  });

  it("has no cycle between folders", () => {
    assert.deepEqual(findCycle(folderGraph(all)), []);
  });

  it("has no cycle between files, type-only imports included", () => {
    assert.deepEqual(findCycle(fileGraph(all)), []);
  });

  it("keeps lib/core free of any server", () => {
    const servers = all.filter((path) => folderOf(path) === "core").flatMap((path) => importedFolders(path).filter(({ folder }) => folder === "server").map(({ spec }) => `${relative(LIB, path)} → ${spec}`));
    assert.deepEqual(servers, []);
  });
});

/** Which folders each folder of lib/ imports (itself excluded). */
function folderGraph(paths: readonly string[]): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const path of paths) {
    const from = folderOf(path);
    const targets = graph.get(from) ?? graph.set(from, new Set()).get(from)!;
    for (const { folder } of importedFolders(path)) if (folder !== from) targets.add(folder);
  }
  return graph;
}

/** Which files of lib/ each file imports, by path relative to lib/ (type-only imports count: a cycle of types is still a knot to untie). */
function fileGraph(paths: readonly string[]): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const path of paths) {
    const targets = new Set<string>();
    for (const { target } of importedFolders(path)) targets.add(relative(LIB, target));
    graph.set(relative(LIB, path), targets);
  }
  return graph;
}

/** One cycle of `graph` as a path that ends where it starts, or `[]` when there is none. */
function findCycle(graph: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (node: string): string[] => {
    const at = path.indexOf(node);
    if (at >= 0) return [...path.slice(at), node];
    if (done.has(node)) return [];
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle.length > 0) return cycle;
    }
    path.pop();
    done.add(node);
    return [];
  };
  for (const node of [...graph.keys()].sort()) {
    const cycle = visit(node);
    if (cycle.length > 0) return cycle;
  }
  return [];
}

describe("findCycle", () => {
  const graph = (edges: Record<string, string[]>) => new Map(Object.entries(edges).map(([k, v]) => [k, new Set(v)]));

  it("finds a cycle through several folders", () => {
    assert.deepEqual(findCycle(graph({ core: ["session"], session: ["cookies"], cookies: ["core"] })), ["cookies", "core", "session", "cookies"]);
  });

  it("finds none in a layered graph, shared leaves included", () => {
    assert.deepEqual(findCycle(graph({ websocket: ["core", "protocol"], core: ["session", "protocol"], session: ["protocol"], protocol: [] })), []);
  });
});
