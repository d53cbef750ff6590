/**
 * One server under test, for every bench program: a child process pinned to
 * its core, ready once it prints `READY <port>`, read through /proc, spoken to
 * by lines on stdin/stdout when the program needs more than a port (the chat
 * load asks its server for CPU marks), and stopped when the program is done.
 *
 * @module
 */
import type { ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import type { Command } from "./build.js";
import { memoryMiB, spawnOnCore, stopChild } from "./processes.js";

const READY_TIMEOUT_MS = 20_000;

/** The telling line of a crash report (the first that names an error), for one table cell. */
function summarize(output: string): string {
  const lines = output.split("\n").map((line) => line.trim()).filter(Boolean);
  return (lines.find((line) => /error/i.test(line)) ?? lines[0] ?? "no output").slice(0, 300);
}

/** A running server. */
export class ServerProcess {
  /** Lines the server printed after READY that no {@link ask} has taken yet. */
  readonly #lines: string[] = [];
  /** Asks waiting for a line, first asked first answered. */
  readonly #waiting: Array<(line: string | undefined) => void> = [];
  #ended = false;

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
    readonly pid: number,
    readonly port: number,
    readonly output: () => string,
  ) {}

  /**
   * Starts `command` with `PORT=0` (plus the command's own environment) and
   * waits for its READY line.
   *
   * @param name - for messages and tables.
   * @param command - what to run; its `env` is added to this process's.
   * @param core - the core to pin it to (null: not pinned).
   * @throws Error if it exits or stays silent for 20 s.
   */
  static start(name: string, command: Command, core: number | null): Promise<ServerProcess> {
    const child = spawnOnCore(core, command.command, command.args, {
      env: { ...process.env, PORT: "0", NODE_ENV: "production", ...command.env },
    });
    let output = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      if (output.length < 20_000) output += chunk.toString();
    });
    return new Promise((resolve, reject) => {
      let server: ServerProcess | undefined;
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`${name} did not print READY within ${READY_TIMEOUT_MS / 1000} s: ${summarize(output)}`));
      }, READY_TIMEOUT_MS);
      const lines = createInterface({ input: child.stdout! });
      lines.on("line", (line) => {
        if (server !== undefined) return server.#take(line);
        const match = /^READY (\d+)$/.exec(line);
        if (match === null) {
          if (output.length < 20_000) output += `${line}\n`;
          return;
        }
        clearTimeout(timer);
        server = new ServerProcess(name, child, child.pid ?? 0, Number(match[1]), () => output);
        resolve(server);
      });
      lines.on("close", () => {
        if (server !== undefined) server.#take(undefined);
      });
      child.on("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited (${code ?? signal}) before READY: ${summarize(output)}`));
      });
    });
  }

  #take(line: string | undefined): void {
    if (line === undefined) {
      this.#ended = true;
      for (const waiting of this.#waiting.splice(0)) waiting(undefined);
      return;
    }
    const waiting = this.#waiting.shift();
    if (waiting !== undefined) waiting(line);
    else if (this.#lines.length < 1_000) this.#lines.push(line);
  }

  /**
   * Writes `command` as a line to the server's stdin and returns the next line it prints.
   *
   * @throws Error when the server's output ends first.
   */
  async ask(command: string): Promise<string> {
    this.child.stdin?.write(`${command}\n`);
    const line = this.#lines.shift() ?? (this.#ended ? undefined : await new Promise<string | undefined>((resolve) => this.#waiting.push(resolve)));
    if (line === undefined) throw new Error(`${this.name} ended before answering ${JSON.stringify(command)}: ${summarize(this.output())}`);
    return line;
  }

  /** {@link ask}, for servers that answer with one JSON line. */
  async askJson<T>(command: string): Promise<T> {
    return JSON.parse(await this.ask(command)) as T;
  }

  /** Current and peak resident memory, MiB. */
  memory(): { rss: number; peak: number } | null {
    return memoryMiB(this.pid);
  }

  /** True while the process runs. */
  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async stop(): Promise<void> {
    await stopChild(this.child);
  }
}
