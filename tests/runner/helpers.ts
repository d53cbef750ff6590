/**
 * Drives the `upie` command as a user would: a child process on a temp app
 * file, its output read line by line.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The runner's entry point, run through tsx as the repository's own scripts are. */
export const CLI = join(ROOT, "lib", "runner", "cli.ts");
/** tsx's loader by URL: a temp folder's own `--import tsx` would look for tsx there. */
const TSX = import.meta.resolve("tsx");
/** What a temp app imports upie as. */
export const UPIE = pathToFileURL(join(ROOT, "lib", "index.ts")).href;

/** A temp folder holding `files`; remove it with the returned function. */
export async function tempApp(files: Record<string, string>): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "upie-runner-"));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** One run of the runner. */
export class RunnerProcess {
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #waiters: Array<() => void> = [];

  /**
   * @param args - the command line after `upie`.
   * @param cwd - the working directory.
   * @param env - added to the environment.
   */
  constructor(args: string[], cwd: string, env: Record<string, string> = {}, command: string[] = [process.execPath, "--import", TSX, CLI]) {
    this.child = spawn(command[0]!, [...command.slice(1), ...args], { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      let partial = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        const parts = (partial + chunk).split("\n");
        partial = parts.pop()!;
        this.lines.push(...parts);
        for (const wake of this.#waiters.splice(0)) wake();
      });
    }
    this.exited = new Promise((resolve) => this.child.on("exit", (code, signal) => resolve({ code, signal })));
  }

  /** Resolves with the `count`-th line matching `pattern`; rejects after `timeoutMs` with what was printed. */
  async waitFor(pattern: RegExp, count = 1, timeoutMs = 20_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const matches = this.lines.map((line) => line.match(pattern)).filter((m): m is RegExpMatchArray => m !== null);
      if (matches.length >= count) return matches[count - 1]!;
      const left = deadline - Date.now();
      if (left <= 0 || this.child.exitCode !== null) throw new Error(`no ${pattern} (×${count}) in:\n${this.lines.join("\n")}`);
      await new Promise<void>((wake) => {
        const timer = setTimeout(wake, Math.min(left, 200));
        this.#waiters.push(() => (clearTimeout(timer), wake()));
      });
    }
  }

  /** The port and pid of the `count`-th "serving" line. */
  async serving(count = 1): Promise<{ port: number; pid: number }> {
    const match = await this.waitFor(/serving .* on http:\/\/127\.0\.0\.1:(\d+) \(pid (\d+)/, count);
    return { port: Number(match[1]), pid: Number(match[2]) };
  }

  /** Ends the run if a test left it running (by pid: only this child). */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill("SIGKILL");
      await this.exited;
    }
  }
}

/** GET over a fresh connection (no keep-alive), so SO_REUSEPORT may pick another worker. */
export function get(port: number, path: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, agent: false, headers: { connection: "close" } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode!, text }));
    });
    req.on("error", reject);
    req.setTimeout(5000, () => req.destroy(new Error("timeout")));
    req.end();
  });
}
