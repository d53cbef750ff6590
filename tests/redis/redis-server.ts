/**
 * A real `redis-server` for tests: started on a free loopback port in a
 * temporary directory, killed (and its directory removed) when stopped.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { Redis } from "ioredis";

/** Finds a free loopback port (free when asked; the caller takes it at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface RedisServerOptions {
  /** Turn on the append-only file with fsync on every write, so a SIGKILL loses nothing. */
  persistent?: boolean;
}

/** One redis-server process, restartable on the same port and directory. */
export class RedisServer {
  readonly port: number;
  readonly dir: string;
  readonly #options: RedisServerOptions;
  #process: ChildProcess | undefined;

  private constructor(port: number, dir: string, options: RedisServerOptions) {
    this.port = port;
    this.dir = dir;
    this.#options = options;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const dir = await mkdtemp(join(tmpdir(), "upie-redis-"));
    for (let attempt = 0; ; attempt++) {
      const server = new RedisServer(await freePort(), dir, options);
      try {
        await server.restart();
        return server;
      } catch (error) {
        if (attempt >= 4) throw error;
      }
    }
  }

  /** Starts (again) on the same port, in the same directory; resolves once it answers PING. */
  async restart(): Promise<void> {
    const args = ["--port", String(this.port), "--bind", "127.0.0.1", "--dir", this.dir, "--save", "", "--protected-mode", "no"];
    args.push(...(this.#options.persistent ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"]));
    const child = spawn("/usr/bin/redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
    this.#process = child;
    let output = "";
    child.stdout!.on("data", (chunk) => (output += String(chunk)));
    child.stderr!.on("data", (chunk) => (output += String(chunk)));
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`redis-server exited: ${output}`);
      if (output.includes("Ready to accept connections")) return;
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`redis-server did not start: ${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Kills the server at once (SIGKILL): no shutdown save, connections cut. */
  async kill(): Promise<void> {
    const child = this.#process;
    this.#process = undefined;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  }

  /** A plain client for the test's own commands (the caller quits it). */
  client(): Redis {
    return new Redis(this.url, { maxRetriesPerRequest: 3 });
  }

  /** Kills the server and removes its directory. */
  async stop(): Promise<void> {
    await this.kill();
    await rm(this.dir, { recursive: true, force: true });
  }
}
