/**
 * Runs a load generator against the server of a {@link RunContext}, pinned to
 * the generator's core, while a {@link Meter} samples both processes. The
 * scenarios call these two functions and turn the result into a {@link Sample}.
 *
 * @module
 */
import { runWrk, type WrkOptions, type WrkResult } from "./generators/wrk.js";
import { runWsFrames, type WsFramesOptions, type WsFramesResult } from "./generators/ws-frames.js";
import { Meter, spawnOnCore, type MeterReading } from "./processes.js";
import type { RunContext, Sample } from "./scenario.js";

/** A {@link Sample} from a generator's numbers and the meter's readings. */
export function toSample(
  meter: MeterReading,
  fields: Pick<Sample, "value" | "p50Ms" | "p99Ms" | "errors"> & { notes?: string[] },
): Sample {
  const { packetDrops, retransmits, ...readings } = meter;
  const notes = [...(fields.notes ?? [])];
  if (packetDrops > 0) notes.push(`⚠ ${packetDrops} packets dropped by the kernel`);
  if (retransmits > 0) notes.push(`${retransmits} TCP retransmits (machine-wide)`);
  return { ...fields, ...readings, notes };
}

/** wrk against `path` on the context's server. */
export async function wrkLoad(
  ctx: RunContext,
  options: Omit<WrkOptions, "url" | "durationS"> & { path: string },
): Promise<{ wrk: WrkResult; meter: MeterReading }> {
  const meter = new Meter(ctx.server.pid, ctx.settings.pinning);
  const { path, ...rest } = options;
  const run = runWrk({ ...rest, url: `http://127.0.0.1:${ctx.server.port}${path}`, durationS: ctx.durationS }, (args, env) =>
    spawnOnCore(ctx.settings.pinning.generator, "wrk", args, { env: { ...process.env, ...env } }),
  );
  meter.start(run.pid);
  try {
    const wrk = await run.result;
    return { wrk, meter: meter.stop() };
  } catch (error) {
    meter.stop();
    throw error;
  }
}

/** The raw-frame WebSocket client against the context's server. */
export async function wsLoad(
  ctx: RunContext,
  options: Partial<WsFramesOptions> & Pick<WsFramesOptions, "mode">,
  onOpened?: (opened: number, failed: number) => Promise<void>,
): Promise<{ ws: WsFramesResult; meter: MeterReading }> {
  const s = ctx.settings;
  const full: WsFramesOptions = {
    host: "127.0.0.1",
    port: ctx.server.port,
    protocol: ctx.name === "socketio" ? "socketio" : "ws",
    path: "/echo",
    connections: s.wsConnections,
    window: s.wsWindow,
    batch: s.wsBatch,
    payloadBytes: s.wsPayloadBytes,
    durationMs: ctx.durationS * 1000,
    concurrency: 100,
    maxConnections: 1_000_000,
    holdMs: 60_000,
    ...options,
  };
  const meter = new Meter(ctx.server.pid, ctx.settings.pinning);
  let pid = 0;
  let reading: MeterReading | undefined;
  const command = s.runner.wsFrames();
  const ws = await runWsFrames(full, {
    spawnChild: (args) => {
      const child = spawnOnCore(s.pinning.generator, command.command, [...command.args, ...args], {
        env: { ...process.env, UPIE_BENCH_WS_FRAMES_CHILD: "1" },
      });
      pid = child.pid ?? 0;
      return child;
    },
    onStart: () => meter.start(pid),
    onStop: () => {
      reading = meter.stop();
    },
    onOpened,
  });
  return { ws, meter: reading ?? {
      serverCpu: null,
      serverUserCpu: null,
      generatorCpu: null,
      serverCore: null,
      generatorCore: null,
      packetDrops: 0,
      retransmits: 0,
      rssMiB: ctx.server.memory()?.rss ?? null,
    } };
}
