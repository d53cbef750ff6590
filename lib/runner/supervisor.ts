/**
 * `--workers N` and `--reload`: the runner's process forks the workers and
 * watches them. Workers share the port with SO_REUSEPORT, so the kernel
 * spreads connections; port 0 is resolved to a free port once, here, and kept
 * across restarts and reloads. A worker that dies is restarted with exponential backoff
 * (a crash loop does not spin); one that never came up at start means the
 * app cannot start, and the runner exits 1 (with `--reload` it waits for the
 * next change instead). SIGTERM/SIGINT stop every worker gracefully.
 *
 * @module
 */
import { fork, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { dirname, resolve } from "node:path";

import { Backoff } from "../ws-client/backoff.js";
import type { RunnerOptions } from "./runner-options.js";
import type { ReadyMessage, ServeOptions } from "./serve.js";
import { watchForChanges } from "./watch.js";

/** The environment variable that makes the runner's entry point a worker. */
export const WORKER_ENV = "UPIE_RUNNER_WORKER";

/** A worker that stayed up this long was healthy: its next crash restarts it at once again. */
const HEALTHY_AFTER_MS = 10_000;

interface Slot {
  index: number;
  child: ChildProcess | undefined;
  backoff: Backoff;
  startedAt: number;
  /** The current worker told us it listens. */
  ready: boolean;
  restart: NodeJS.Timeout | undefined;
}

/** Forks, restarts, reloads and stops the workers. */
export class Supervisor {
  readonly #options: RunnerOptions;
  readonly #entry: string;
  readonly #slots: Slot[];
  #port: number;
  /** "running" restarts crashed workers; the other states mean an exit was asked for. */
  #state: "starting" | "running" | "reloading" | "stopping" = "starting";
  #unwatch: (() => void) | undefined;
  #stopped: ((code: number) => void) | undefined;
  /** Starts run one after another: two at once would fork two workers into one slot. */
  #starts: Promise<void> = Promise.resolve();
  #startQueued = false;

  /**
   * @param options - the command line.
   * @param entry - the script a worker runs (the runner's own entry point).
   */
  constructor(options: RunnerOptions, entry: string) {
    this.#options = options;
    this.#entry = entry;
    this.#port = options.port;
    this.#slots = Array.from({ length: options.workers }, (_, index) => ({
      index, child: undefined, backoff: new Backoff(100, 10_000), startedAt: 0, ready: false, restart: undefined,
    }));
  }

  /**
   * Starts the workers and supervises them until a signal stops them.
   *
   * @returns the exit code for the runner: 0 after a graceful stop, 1 when the app cannot start.
   */
  run(): Promise<number> {
    const done = new Promise<number>((resolveDone) => (this.#stopped = resolveDone));
    process.on("SIGTERM", () => void this.#stop("SIGTERM"));
    process.on("SIGINT", () => void this.#stop("SIGINT"));
    if (this.#options.reload) {
      this.#unwatch = watchForChanges(dirname(resolve(this.#options.file)), (file) => void this.#reload(file));
    }
    this.#queueStart();
    return done;
  }

  /** Starts the workers after any start in progress; a start already waiting covers this one too. */
  #queueStart(): void {
    if (this.#startQueued) return;
    this.#startQueued = true;
    this.#starts = this.#starts.then(() => {
      this.#startQueued = false;
      return this.#state === "stopping" ? undefined : this.#startAll();
    });
  }

  async #startAll(): Promise<void> {
    this.#state = "starting";
    // uSockets binds port 0 without SO_REUSEPORT, so workers could not join it:
    // pick the port here, once, and keep it across restarts and reloads.
    if (this.#port === 0) this.#port = await freePort(this.#options.host);
    const started = await this.#startFirstThenRest();
    if (this.#state !== "starting") return; // a signal or a change came meanwhile
    if (started) {
      this.#state = "running";
      return;
    }
    if (this.#options.reload) {
      await this.#stopWorkers();
      console.error("upie: the app did not start; waiting for a change");
      this.#state = "running";
      return;
    }
    console.error("upie: the app did not start; exiting");
    await this.#stopWorkers();
    this.#finish(1);
  }

  /** The first worker alone first: an app that cannot start fails once, not N times. */
  async #startFirstThenRest(): Promise<boolean> {
    const [first, ...rest] = this.#slots;
    if (!(await this.#spawn(first!))) return false;
    const results = await Promise.all(rest.map((slot) => this.#spawn(slot)));
    return results.every(Boolean);
  }

  /** Forks the worker of `slot`; resolves true once it listens, false if it exits first. */
  #spawn(slot: Slot): Promise<boolean> {
    const { file, exportName, host, workers } = this.#options;
    const serve: ServeOptions = { file, exportName, host, port: this.#port, reusePort: workers > 1 };
    const child = fork(this.#entry, [], {
      env: { ...process.env, [WORKER_ENV]: JSON.stringify(serve) },
      stdio: "inherit",
    });
    slot.child = child;
    slot.startedAt = Date.now();
    slot.ready = false;
    return new Promise((ready) => {
      child.on("message", (message: ReadyMessage) => {
        if (message?.type !== "upie:ready") return;
        slot.ready = true;
        ready(true);
      });
      child.on("exit", (code, signal) => {
        ready(false);
        if (slot.child === child) slot.child = undefined;
        this.#exited(slot, code, signal);
      });
    });
  }

  /** A worker exited: restart it with backoff, unless its exit was asked for or it never came up. */
  #exited(slot: Slot, code: number | null, signal: NodeJS.Signals | null): void {
    // While starting, a worker that had come up and died (its siblings still starting) is a crash too.
    if (!(this.#state === "running" || (this.#state === "starting" && slot.ready))) return;
    if (Date.now() - slot.startedAt >= HEALTHY_AFTER_MS) slot.backoff.reset();
    const delay = slot.backoff.next();
    console.error(`upie: worker ${slot.index + 1} exited (${signal ?? `code ${code}`}); restarting in ${delay} ms`);
    slot.restart = setTimeout(() => {
      slot.restart = undefined;
      if (this.#state === "running" || this.#state === "starting") void this.#spawn(slot);
    }, delay);
  }

  /** Stops the workers now (a start in progress ends: its workers exit) and queues a fresh start. */
  async #reload(file: string): Promise<void> {
    if (this.#state === "stopping") return;
    console.log(`upie: ${file} changed; restarting`);
    this.#state = "reloading";
    await this.#stopWorkers();
    if ((this.#state as string) === "stopping") return;
    for (const slot of this.#slots) slot.backoff.reset();
    this.#queueStart();
  }

  async #stop(signal: string): Promise<void> {
    if (this.#state === "stopping") return;
    this.#state = "stopping";
    console.log(`upie: ${signal}: stopping ${this.#slots.length} worker(s)`);
    this.#unwatch?.();
    const codes = await this.#stopWorkers();
    this.#finish(codes.every((code) => code === 0) ? 0 : 1);
  }

  /** SIGTERM to every worker (each drains); resolves with their exit codes once all are gone. */
  #stopWorkers(): Promise<number[]> {
    return Promise.all(
      this.#slots.map((slot) => {
        clearTimeout(slot.restart);
        slot.restart = undefined;
        const child = slot.child;
        if (child === undefined || child.exitCode !== null || child.signalCode !== null) return 0;
        return new Promise<number>((gone) => {
          child.once("exit", (code) => gone(code ?? 1));
          child.kill("SIGTERM");
        });
      }),
    );
  }

  #finish(code: number): void {
    this.#unwatch?.();
    this.#stopped?.(code);
  }
}

/** A port free on `host` now (the kernel's pick for port 0). */
function freePort(host: string): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolvePort(port));
    });
  });
}
