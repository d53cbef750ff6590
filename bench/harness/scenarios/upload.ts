/**
 * 10 MiB multipart upload: throughput and peak RSS. With several uploads in
 * flight, a server that buffers whole files shows it in its peak RSS; a
 * streaming one stays flat.
 *
 * @module
 */
import { uploadBody } from "../bodies.js";
import { checkResponse, wrkSample, type Probe } from "../http-scenario.js";
import type { Scenario, Settings } from "../scenario.js";
import { HTTP_ONLY_NOTE, HTTP_SERVERS } from "../servers.js";

const probe = (settings: Settings): Probe => ({ path: "/upload", method: "POST", body: uploadBody(settings.uploadBytes) });

const scenario: Scenario = {
  name: "upload",
  title: "10 MB multipart upload",
  summary:
    "`POST /upload` of multipart/form-data with one 10 MiB file; the server parses the multipart stream and answers the file's size. " +
    "Metric: MB/s of request body; watch peak RSS.",
  metric: { unit: "MB/s", higherIsBetter: true },
  servers: HTTP_SERVERS,
  notApplicable: HTTP_ONLY_NOTE,
  // Checked by hand with curl: 6.14's request.multipart() never finishes a
  // 10 MiB upload on uWS 20.30 (the request hangs); the @btc-vision 6.17 does.
  sitsOut: (name, facts) =>
    name === "hyper-express" && facts.hyperExpress.startsWith("hyper-express ")
      ? "hyper-express 6.14's request.multipart() hangs on a 10 MiB upload on uWS 20.30"
      : undefined,
  async prepare(server, settings) {
    await checkResponse(server, probe(settings), (status, text) => status === 200 && text === String(settings.uploadBytes));
  },
  measure(ctx) {
    const body = uploadBody(ctx.settings.uploadBytes);
    // A smoke run's 1 s can end before any of 8 uploads of 10 MiB completes on a
    // busy machine (0 MB/s fails the run): it gets 2 s here.
    const durationS = ctx.settings.smoke ? Math.max(2, ctx.durationS) : ctx.durationS;
    return wrkSample(
      { ...ctx, durationS },
      probe(ctx.settings),
      ctx.settings.uploadConnections,
      (rate) => (rate * body.bytes) / 1e6,
      (rate) => [`${rate.toFixed(1)} req/s`],
    );
  },
};

export default scenario;
