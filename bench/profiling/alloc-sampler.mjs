/**
 * Preloaded into a bench server (`node --import`) by `bench/profile.ts alloc`:
 * the first SIGWINCH starts V8's sampling heap profiler, the second stops it
 * and writes `<pid>-<time>.heapprofile` into `--diagnostic-dir`.
 *
 * Objects the young and old collectors freed are kept in the samples: what a
 * handshake costs in garbage, not only in what stays live, is the point (on
 * an idle socket's RSS the young generation's pages count as much as the
 * old generation's).
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { join } from "node:path";

const dirFlag = process.execArgv.find((flag) => flag.startsWith("--diagnostic-dir="));
const dir = dirFlag === undefined ? process.cwd() : dirFlag.slice("--diagnostic-dir=".length);
const session = new Session();
session.connect();
const post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
await post("HeapProfiler.enable");

let sampling = false;
// SIGWINCH, not SIGUSR2: hyper-express closes its server on SIGUSR1/SIGUSR2.
process.on("SIGWINCH", () => {
  if (!sampling) {
    sampling = true;
    // 128 bytes between samples: a handshake's objects are each sampled with a good chance.
    void post("HeapProfiler.startSampling", { samplingInterval: 128, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    return;
  }
  sampling = false;
  void post("HeapProfiler.stopSampling").then(({ profile }) => {
    writeFileSync(join(dir, `${process.pid}-${Date.now()}.heapprofile`), JSON.stringify(profile));
  });
});
