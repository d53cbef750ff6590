/**
 * Turns the TypeScript bench files into what actually runs. By default every
 * server (and the WebSocket generator) is bundled by esbuild into plain ESM
 * under bench/output/bundle/ and started with plain `node`: no TS runner in
 * any measured process, the same for every server, and upie is compiled from
 * the working tree's lib/ (not a possibly stale dist/). `--runner tsx` starts
 * every server with `node --import tsx` instead (still the same for all).
 *
 * @module
 */
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/** How servers are started; the same for every server in a run. */
export type RunnerKind = "bundle" | "tsx";

/** A command line that starts one bench process. */
export interface Command {
  command: string;
  args: string[];
}

/** Starts bench processes the same way for every server. */
export interface Runner {
  kind: RunnerKind;
  server(name: string): Command;
  wsFrames(): Command;
}

const benchDir = fileURLToPath(new URL(".", import.meta.url));
const bundleDir = `${benchDir}output/bundle/`;

/**
 * Bundles the servers and the WebSocket generator (always bundled: it must be
 * as cheap as possible) and returns how to start each.
 */
export async function prepareRunner(kind: RunnerKind, servers: readonly string[]): Promise<Runner> {
  mkdirSync(bundleDir, { recursive: true });
  const bundle = (name: string, entry: string) =>
    build({
      entryPoints: { [name]: entry },
      outdir: bundleDir,
      outExtension: { ".js": ".mjs" },
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      packages: "external",
      logLevel: "silent",
    });
  await bundle("ws-frames", `${benchDir}generators/ws-frames.ts`);
  // One build per server: a server that does not compile fails its own rows, not the run.
  const failures = new Map<string, string>();
  if (kind === "bundle") {
    await Promise.all(
      servers.map((name) =>
        bundle(name, `${benchDir}servers/${name}.ts`).catch((error: { errors?: Array<{ text: string; location?: { file: string; line: number } | null }> }) => {
          const first = error.errors?.[0];
          const where = first?.location ? ` (${first.location.file}:${first.location.line})` : "";
          failures.set(name, `build failed: ${first?.text ?? String(error)}${where}`);
        }),
      ),
    );
  }
  return {
    kind,
    server: (name) => {
      const failure = failures.get(name);
      if (failure !== undefined) throw new Error(failure);
      return kind === "bundle"
        ? { command: process.execPath, args: [`${bundleDir}${name}.mjs`] }
        : { command: process.execPath, args: ["--import", "tsx", `${benchDir}servers/${name}.ts`] };
    },
    wsFrames: () => ({ command: process.execPath, args: [`${bundleDir}ws-frames.mjs`] }),
  };
}
