/**
 * One server under test: a child process pinned to its core, ready once it
 * prints `READY <port>`, read through /proc, and stopped when its scenario is done.
 *
 * @module
 */
import type { ChildProcess } from "node:child_process";
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
  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
    readonly pid: number,
    readonly port: number,
    readonly output: () => string,
  ) {}

  /**
   * Starts `command` with `PORT=0` and waits for its READY line.
   *
   * @throws Error if it exits or stays silent for 20 s.
   */
  static start(name: string, command: Command, core: number | null): Promise<ServerProcess> {
    const child = spawnOnCore(core, command.command, command.args, {
      env: { ...process.env, PORT: "0", NODE_ENV: "production" },
    });
    let output = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      if (output.length < 20_000) output += chunk.toString();
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`${name} did not print READY within ${READY_TIMEOUT_MS / 1000} s: ${summarize(output)}`));
      }, READY_TIMEOUT_MS);
      let buffered = "";
      const onData = (chunk: Buffer) => {
        buffered += chunk.toString();
        const match = /^READY (\d+)$/m.exec(buffered);
        if (match === null) {
          if (output.length < 20_000) output += chunk.toString();
          return;
        }
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        child.stdout?.on("data", () => {}); // keep draining whatever it prints later
        resolve(new ServerProcess(name, child, child.pid ?? 0, Number(match[1]), () => output));
      };
      child.stdout?.on("data", onData);
      child.on("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited (${code ?? signal}) before READY: ${summarize(output)}`));
      });
    });
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
