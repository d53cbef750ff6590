/**
 * Starts a TypeScript file as a child Node process (through tsx) and waits
 * for it to print that it listens (`LISTENING <port>` unless told otherwise).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** A child server process. */
export class ChildServer {
  readonly process: ChildProcess;
  readonly port: number;
  output: string;

  private constructor(child: ChildProcess, port: number, output: string) {
    this.process = child;
    this.port = port;
    this.output = output;
    child.stdout!.on("data", (chunk) => (this.output += String(chunk)));
    child.stderr!.on("data", (chunk) => (this.output += String(chunk)));
  }

  /**
   * @param script - path from the repository root.
   * @param env - added to this process's environment.
   * @param options - `args` for the script; `listening`: a pattern whose first group is the port;
   *   `times`: how many such lines to wait for (a cluster prints one per worker).
   */
  static start(script: string, env: Record<string, string>, options: { args?: string[]; listening?: RegExp; times?: number } = {}): Promise<ChildServer> {
    const { args = [], listening = /LISTENING (\d+)/, times = 1 } = options;
    const pattern = new RegExp(listening.source, "g");
    const child = spawn(process.execPath, ["--import", "tsx", script, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    return new Promise((resolve, reject) => {
      let output = "";
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`${script} did not start within 30 s: ${output}`));
      }, 30_000);
      const onData = (chunk: Buffer) => {
        output += String(chunk);
        const matches = [...output.matchAll(pattern)];
        if (matches.length < times) return;
        const match = matches[0]!;
        clearTimeout(timer);
        child.stdout!.off("data", onData);
        child.stderr!.off("data", onData);
        child.off("exit", onExit);
        resolve(new ChildServer(child, Number(match[1]), output));
      };
      const onExit = (code: number | null) => {
        clearTimeout(timer);
        reject(new Error(`${script} exited with ${code} before listening: ${output}`));
      };
      child.stdout!.on("data", onData);
      child.stderr!.on("data", onData);
      child.once("exit", onExit);
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** SIGTERM, then SIGKILL after 10 s; resolves once it exited. */
  async stop(): Promise<void> {
    const child = this.process;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
