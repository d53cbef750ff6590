/**
 * Idle WebSocket memory: a fresh server, a short warm-up (100 connections
 * opened and closed), its RSS, then 10,000 connections opened and held; after
 * a hold, RSS again. Metric: KB of RSS per connection (lower is better).
 *
 * Two holds, two scenarios: `ws-idle` reads RSS 2 s after the last
 * connection opened, when it still holds the young generation the burst of
 * handshakes grew; `ws-idle-settled` reads it after 90 s idle, once V8's
 * memory reducer has given those pages back (10-60 s on Node 20). The first
 * is what a reconnect storm costs, the second what an idle server keeps.
 *
 * @module
 */
import { wsLoad } from "../load.js";
import { sleep } from "../scenario.js";
import { WS_TARGET_SERVERS } from "../servers.js";
import type { ServerProcess } from "../server-process.js";
import { median } from "../stats.js";
import { wsScenario } from "../ws-scenario.js";

const WARM_UP_CONNECTIONS = 100;

/** Idle connections burn no CPU worth reporting. */
const NO_METER = { serverCpu: null, serverUserCpu: null, generatorCpu: null, serverCore: null, generatorCore: null, rssMiB: null };

/** The median of a few RSS readings `gapMs` apart, MiB. */
async function steadyRss(server: ServerProcess, readings = 5, gapMs = 200): Promise<number | null> {
  const values: Array<number | null> = [];
  for (let i = 0; i < readings; i++) {
    values.push(server.memory()?.rss ?? null);
    await sleep(gapMs);
  }
  return median(values);
}

/** How long the connections are held before RSS is read, and what the scenario is called. */
interface IdleHold {
  readonly name: string;
  readonly title: string;
  readonly holdS: number;
  readonly summary: string;
}

/**
 * The idle-memory scenario with one hold.
 *
 * @param hold - name, title, seconds held (a smoke run holds 0.5 s), and the summary's last words.
 * @returns the scenario.
 */
export function idleScenario(hold: IdleHold) {
  return wsScenario({
    name: hold.name,
    title: hold.title,
    summary:
      `A fresh server per run; after a warm-up of 100 connections opened and closed, 10,000 idle connections (1,000 in a smoke run) to \`/echo\` are opened and held; (RSS with them − RSS before) / connections, ${hold.summary}.`,
    metric: { unit: "KB/conn", higherIsBetter: false },
    servers: WS_TARGET_SERVERS,
    freshServerPerRun: true,
    async measure(ctx) {
      if (ctx.warmup) {
        const { ws } = await wsLoad(ctx, { mode: "idle", connections: WARM_UP_CONNECTIONS }, async () => {});
        return { ...NO_METER, value: 0, p50Ms: null, p99Ms: null, errors: ws.errors, notes: [] };
      }
      await sleep(500);
      const before = await steadyRss(ctx.server);
      let after: number | null = null;
      const connections = ctx.settings.idleConnections;
      const holdMs = ctx.settings.smoke ? 500 : hold.holdS * 1000;
      // The generator lets go after holdMs (its own default: a minute); keep them past the reading.
      const { ws } = await wsLoad(ctx, { mode: "idle", connections, concurrency: 100, holdMs: holdMs + 30_000 }, async () => {
        await sleep(holdMs);
        after = await steadyRss(ctx.server);
      });
      const held = ws.count;
      const perConnectionKB = before === null || after === null || held === 0 ? Number.NaN : ((after - before) * 1024) / held;
      return {
        value: perConnectionKB,
        p50Ms: null,
        p99Ms: null,
        errors: connections - held,
        ...NO_METER,
        rssMiB: after,
        notes: [`${held} held`, `RSS ${before?.toFixed(1)} → ${(after as number | null)?.toFixed(1)} MiB`],
      };
    },
  });
}

export default idleScenario({ name: "ws-idle", title: "Idle WebSocket memory", holdS: 2, summary: "read 2 s after the last one opened" });
