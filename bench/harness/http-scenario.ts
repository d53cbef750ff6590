/**
 * The common shape of the HTTP scenarios: check one response by hand (so a
 * server answering 404 fast never posts a number), then load the route with wrk.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import type { BodyFile } from "./bodies.js";
import { toSample, wrkLoad } from "./load.js";
import type { RunContext, Sample, Scenario, Settings } from "./scenario.js";
import { HTTP_ONLY_NOTE, HTTP_SERVERS, type ServerName } from "./servers.js";
import type { ServerProcess } from "./server-process.js";

/** One request the harness sends itself before loading the server. */
export interface Probe {
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body?: BodyFile;
}

/**
 * Sends `probe` and checks the answer.
 *
 * @throws Error naming the status and body when `expect` rejects them.
 */
export async function checkResponse(
  server: ServerProcess,
  probe: Probe,
  expect: (status: number, text: string) => boolean,
): Promise<Response> {
  const response = await fetch(`http://127.0.0.1:${server.port}${probe.path}`, {
    method: probe.method ?? "GET",
    headers: { ...probe.headers, ...(probe.body ? { "content-type": probe.body.contentType } : {}) },
    body: probe.body ? readFileSync(probe.body.file) : undefined,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (!expect(response.status, text)) {
    throw new Error(`sanity check failed: ${probe.method ?? "GET"} ${probe.path} answered ${response.status} ${JSON.stringify(text.slice(0, 120))}`);
  }
  return response;
}

/** Turns a wrk run into a {@link Sample} of requests per second. */
export async function wrkSample(
  ctx: RunContext,
  probe: Probe,
  connections: number,
  toValue: (requestsPerSecond: number) => number = (rate) => rate,
  notes: (requestsPerSecond: number) => string[] = () => [],
): Promise<Sample> {
  const { wrk, meter } = await wrkLoad(ctx, {
    path: probe.path,
    connections,
    headers: probe.headers,
    body: probe.method === "POST" ? probe.body : undefined,
  });
  const errors = wrk.non2xx + wrk.socketErrors;
  return toSample(meter, { value: toValue(wrk.rate), p50Ms: wrk.p50Ms, p99Ms: wrk.p99Ms, errors, notes: notes(wrk.rate) });
}

/** An HTTP scenario whose request never changes: GET (or POST a body) and expect a body. */
export function simpleHttpScenario(spec: {
  name: string;
  title: string;
  summary: string;
  probe: (settings: Settings) => Probe;
  expect: (status: number, text: string) => boolean;
  /** Default: {@link HTTP_SERVERS}. */
  servers?: readonly ServerName[];
}): Scenario {
  return {
    name: spec.name,
    title: spec.title,
    summary: spec.summary,
    metric: { unit: "req/s", higherIsBetter: true },
    servers: spec.servers ?? HTTP_SERVERS,
    notApplicable: HTTP_ONLY_NOTE,
    async prepare(server, settings) {
      await checkResponse(server, spec.probe(settings), spec.expect);
    },
    measure: (ctx) => wrkSample(ctx, spec.probe(ctx.settings), ctx.settings.httpConnections),
  };
}
