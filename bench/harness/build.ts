/**
 * Turns the TypeScript bench files into what actually runs, and says which
 * Node starts them.
 *
 * Runners (the same for every server in a run):
 * - `packed` (default): what `npm install upie` gives. The working tree is
 *   packed with `npm pack` (its `prepare` script compiles lib/ with tsc) and the
 *   tarball installed into bench/output/packed/; each server file is bundled
 *   by esbuild with `../../lib/index.js` rewritten to the bare specifier
 *   `upie`, so it imports the installed package's tsc output, never lib/.
 * - `bundle`: every server, upie's lib/ included, bundled by esbuild into
 *   bench/output/bundle/ (one file per server: scope hoisting, no module
 *   boundaries; the figures before the packed runner existed).
 * - `tsx`: every server started with `node --import tsx` from its .ts file.
 *
 * Raw uWS (servers/uws.ts) loads uWebSockets.js through upie's own loader
 * (`lib/server/uws/uws-loader.ts`; in a packed run the installed package's
 * copy of it), so every ratio divides by the same uWS build upie runs on.
 *
 * Runtimes: `node: 20` runs servers with the harness's own Node; 22 or 24 run
 * them inside the Debian 13 root (`.ci/debian13-root`) with
 * /opt/node<major>/bin/node, where uWS 20.57 loads natively. Generators
 * always run on the host: loopback is shared.
 *
 * @module
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";
import { packageVersion } from "./machine.js";
import { HYPER_EXPRESS_ENV, hyperExpressFor, SERVER_INFO, type ServerName, type UpieFeatures } from "./servers.js";

/** How servers are built and started; the same for every server in a run. */
export type RunnerKind = "packed" | "bundle" | "tsx";

/** A command line that starts one bench process. */
export interface Command {
  command: string;
  args: string[];
  /** Added to the harness's environment (a server variant's switches). */
  env?: Record<string, string>;
}

/** Where the servers run: the harness's Node, or a Node inside the Debian 13 root. */
export interface Runtime {
  /** 20 = the host's Node (whatever version runs the harness); 22 / 24 = inside the root. */
  node: number;
  /** The Debian 13 root for node 22/24 (default {@link DEFAULT_ROOT}). */
  root: string;
}

/** What the servers of this run actually load (asked from a process started like a server). */
export interface RuntimeFacts {
  nodeVersion: string;
  uwsPackage: string;
  uwsVersion: string;
  /** What the upie under test offers (a server needing what it lacks sits out). */
  features: UpieFeatures;
  /** Where the servers run, for headers: "host" or "Debian 13 root /var/tmp/upie-debian13". */
  where: string;
  /** The upie that servers import: "packed upie-0.1.0.tgz" or "lib/ of the working tree". */
  upie: string;
  /** The hyper-express package and version that runs on this uWS build, e.g. "@btc-vision/hyper-express 6.17.4". */
  hyperExpress: string;
}

/** The Debian 13 root CI makes (`.ci/run`): UPIE_DEBIAN13_ROOT, else /var/tmp/upie-debian13. */
export const DEFAULT_ROOT = process.env.UPIE_DEBIAN13_ROOT ?? "/var/tmp/upie-debian13";

/** Starts bench processes the same way for every server. */
export interface Runner {
  kind: RunnerKind;
  runtime: Runtime;
  facts: RuntimeFacts;
  /** How to start a server: its file, in this runtime, with its variant's switches. */
  server(name: ServerName, nodeFlags?: readonly string[]): Command;
  wsFrames(): Command;
}

const harnessDir = fileURLToPath(new URL(".", import.meta.url));
const benchDir = fileURLToPath(new URL("..", import.meta.url));
const repoDir = fileURLToPath(new URL("../..", import.meta.url));
const bundleDir = `${benchDir}output/bundle/`;
const packedDir = `${benchDir}output/packed/`;
const packedServersDir = `${packedDir}servers/`;

/** Entry files besides servers/: the runtime probe (what Node and uWS the servers get). */
const PROBE = "runtime-probe";

const baseOptions = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  logLevel: "silent",
  outExtension: { ".js": ".mjs" },
} as const;

/**
 * Rewrites the servers' imports of lib/ to the installed package: the public
 * entry to `upie`, the uWS loader to the package's own copy. Any other path
 * into lib/ fails the build: a server must use the public API only.
 */
export function packedImports(installed: string): Plugin {
  return {
    name: "upie-packed",
    setup(build) {
      build.onResolve({ filter: /\/lib\// }, (args) => {
        if (/(^|\/)lib\/index\.js$/.test(args.path)) return { path: "upie", external: true };
        if (/(^|\/)lib\/server\/uws\/uws-loader\.js$/.test(args.path)) {
          return { path: `${installed}dist/server/uws/uws-loader.js`, external: true };
        }
        return { errors: [{ text: `${args.path}: bench servers may import only lib/index.js (and raw uWS the loader)` }] };
      });
    },
  };
}

/** npm pack of the working tree (prepare → tsc), installed like a user's `npm install upie`. */
function packAndInstall(log: (line: string) => void): string {
  mkdirSync(packedDir, { recursive: true });
  for (const file of readdirSync(packedDir)) if (file.endsWith(".tgz")) rmSync(`${packedDir}${file}`);
  log(`packing the working tree (npm pack: tsc build) into ${packedDir}`);
  const output = execFileSync("npm", ["pack", "--pack-destination", packedDir, "--silent"], { cwd: repoDir, stdio: ["ignore", "pipe", "pipe"] });
  const tarball = output.toString().trim().split("\n").at(-1)!.trim();
  if (!existsSync(`${packedDir}package.json`)) {
    writeFileSync(`${packedDir}package.json`, `${JSON.stringify({ name: "upie-bench-packed", private: true, type: "module" }, null, 2)}\n`);
  }
  log(`installing ${tarball} (npm install --omit=dev)`);
  execFileSync(
    "npm",
    ["install", "--prefer-offline", "--no-audit", "--no-fund", "--omit=dev", "--ignore-scripts", "--no-package-lock", "--no-save", `./${tarball}`],
    { cwd: packedDir, stdio: ["ignore", "ignore", "pipe"] },
  );
  return tarball;
}

/**
 * How a bench program starts itself as its own server: this Node, tsx, the
 * program's file with `--serve` (the chat, space, channels and Redis loads
 * run their server side this way).
 *
 * @param moduleUrl - the program's `import.meta.url`.
 * @param args - after `--serve`.
 * @param nodeFlags - before the file, e.g. `--cpu-prof`.
 * @param env - added to the environment.
 */
export function scriptCommand(moduleUrl: string, args: readonly string[] = [], nodeFlags: readonly string[] = [], env?: Record<string, string>): Command {
  return { command: process.execPath, args: [...nodeFlags, "--import", "tsx", fileURLToPath(moduleUrl), "--serve", ...args], env };
}

/** How to start `node` with `args` in this runtime; the pid is node's own (exec all the way). */
function nodeCommand(runtime: Runtime, args: readonly string[]): Command {
  if (runtime.node === 20) return { command: process.execPath, args: [...args] };
  // chroot changes to / : cd into the (bind-mounted, same path) repo, then exec node.
  return {
    command: "chroot",
    args: [runtime.root, "/bin/sh", "-c", 'cd "$0" && exec "$@"', repoDir, `/opt/node${runtime.node}/bin/node`, ...args],
  };
}

/** Fails early, with the fix, when the Debian 13 root is missing or this worktree is not mounted in it. */
function checkRoot(runtime: Runtime): void {
  if (runtime.node === 20) return;
  const node = `${runtime.root}/opt/node${runtime.node}/bin/node`;
  const mounted = `${runtime.root}${repoDir}package.json`;
  if (!existsSync(node) || !existsSync(mounted)) {
    throw new Error(
      `--node ${runtime.node} runs the servers inside a Debian 13 root, and ${!existsSync(node) ? `${node} is missing` : `${repoDir} is not mounted in ${runtime.root}`}.\n` +
        `Fix (as root, once): .ci/debian13-root setup ${runtime.root} ${repoDir.replace(/\/$/, "")}`,
    );
  }
}

/** Runs the probe the way servers run and reads what it loaded. */
function probe(command: Command): Pick<RuntimeFacts, "nodeVersion" | "uwsPackage" | "uwsVersion" | "features"> {
  const output = execFileSync(command.command, command.args, { stdio: ["ignore", "pipe", "pipe"], timeout: 30_000 }).toString();
  const line = output.split("\n").find((l) => l.startsWith("{"));
  if (line === undefined) throw new Error(`runtime probe printed no JSON: ${output.slice(0, 300)}`);
  return JSON.parse(line) as Pick<RuntimeFacts, "nodeVersion" | "uwsPackage" | "uwsVersion" | "features">;
}

/**
 * Builds the servers, the runtime probe and the WebSocket generator (always
 * an esbuild bundle run by the host's Node: it must be cheap and it does not
 * touch upie), and returns how to start each.
 */
export async function prepareRunner(
  kind: RunnerKind,
  runtime: Runtime,
  servers: readonly ServerName[],
  log: (line: string) => void,
  options: { reusePacked?: boolean } = {},
): Promise<Runner> {
  checkRoot(runtime);
  mkdirSync(bundleDir, { recursive: true });
  await build({ ...baseOptions, entryPoints: { "ws-frames": `${harnessDir}generators/ws-frames.ts` }, outdir: bundleDir });

  const reuse = kind === "packed" && options.reusePacked === true && existsSync(`${packedDir}node_modules/upie/package.json`);
  const tarball = kind !== "packed" ? undefined : reuse ? readdirSync(packedDir).find((f) => f.endsWith(".tgz")) ?? "upie (installed earlier)" : packAndInstall(log);
  const outdir = kind === "packed" ? packedServersDir : bundleDir;
  const plugins = kind === "packed" ? [packedImports(`${packedDir}node_modules/upie/`)] : [];
  const entry = (name: string) => (name === PROBE ? `${harnessDir}${PROBE}.ts` : `${benchDir}servers/${name}.ts`);

  // One build per server: a server that does not compile fails its own rows, not the run.
  const failures = new Map<string, string>();
  if (kind !== "tsx") {
    mkdirSync(outdir, { recursive: true });
    await Promise.all(
      [PROBE, ...new Set(servers.map((name) => SERVER_INFO[name].entry))].map((name) =>
        build({ ...baseOptions, entryPoints: { [name]: entry(name) }, outdir, plugins }).catch(
          (error: { errors?: Array<{ text: string; location?: { file: string; line: number } | null }> }) => {
            const first = error.errors?.[0];
            const where = first?.location ? ` (${first.location.file}:${first.location.line})` : "";
            failures.set(name, `build failed: ${first?.text ?? String(error)}${where}`);
          },
        ),
      ),
    );
  }
  const start = (name: string, nodeFlags: readonly string[] = []): Command => {
    const failure = failures.get(name);
    if (failure !== undefined) throw new Error(failure);
    return kind === "tsx"
      ? nodeCommand(runtime, [...nodeFlags, "--import", "tsx", entry(name)])
      : nodeCommand(runtime, [...nodeFlags, `${outdir}${name}.mjs`]);
  };
  const facts = probe(start(PROBE));
  const hyperExpress = hyperExpressFor(facts.uwsPackage);
  return {
    kind,
    runtime,
    facts: {
      ...facts,
      hyperExpress: `${hyperExpress} ${packageVersion(hyperExpress)}`,
      where: runtime.node === 20 ? "host" : `Debian 13 root ${runtime.root} (/opt/node${runtime.node}/bin/node)`,
      upie: tarball !== undefined ? `packed ${tarball}, installed in bench/output/packed/ (tsc output)` : kind === "bundle" ? "lib/ of the working tree, bundled by esbuild" : "lib/ of the working tree through tsx",
    },
    server: (name, nodeFlags) => {
      const info = SERVER_INFO[name];
      const command = start(info.entry, nodeFlags);
      return { ...command, env: { ...info.env, [HYPER_EXPRESS_ENV]: hyperExpress } };
    },
    wsFrames: () => ({ command: process.execPath, args: [`${bundleDir}ws-frames.mjs`] }),
  };
}
