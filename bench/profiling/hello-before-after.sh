#!/usr/bin/env bash
# Same-run comparison of the HTTP hello path: raw uWS, upie at an older commit,
# upie now. Each server is pinned to core 1, wrk to core 0; servers alternate
# every round so machine noise hits them alike.
#   usage: bench/profiling/hello-before-after.sh <old-dist-index.js> [rounds] [seconds]
set -euo pipefail
old=${1:?usage: hello-before-after.sh OLD_DIST_INDEX_JS [rounds] [seconds]}
rounds=${2:-5}
secs=${3:-5}
here=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
cat > "$tmp/raw.mjs" <<JS
import uWS from "$here/node_modules/uWebSockets.js/src/uws.js";
uWS.App().any("/*", (res) => { res.writeHeader("content-type", "text/html; charset=utf-8").end("Welcome"); })
  .listen("127.0.0.1", 9101, (t) => { if (!t) process.exit(1); });
JS
for which in old new; do
  dist=$([ "$which" = old ] && echo "$old" || echo "$here/dist/index.js")
  port=$([ "$which" = old ] && echo 9102 || echo 9103)
  cat > "$tmp/$which.mjs" <<JS
import { App } from "$dist";
class Hello extends App { async index() { return "Welcome"; } }
await new Hello().listen({ port: $port, host: "127.0.0.1" });
JS
done
taskset -c 1 node "$tmp/raw.mjs" & taskset -c 1 node "$tmp/old.mjs" & taskset -c 1 node "$tmp/new.mjs" &
sleep 2
rate() { taskset -c 0 wrk -t1 -c64 -d"${secs}s" "http://127.0.0.1:$1/" | awk '/Requests\/sec/{print $2}'; }
for p in 9101 9102 9103; do taskset -c 0 wrk -t1 -c64 -d2s "http://127.0.0.1:$p/" >/dev/null; done  # warm-up
echo "round raw old new old/raw new/raw"
for r in $(seq "$rounds"); do
  a=$(rate 9101); b=$(rate 9102); c=$(rate 9103)
  echo "$r $a $b $c $(echo "scale=3; $b/$a" | bc) $(echo "scale=3; $c/$a" | bc)"
done
