#!/usr/bin/env bash
# bench/serve.sh [SECONDS] — `arbiter serve` under wrk on loopback with the
# full reference library (the standard library and `arbiter gen library`,
# ~136,000 rule rows) and typical outpatient claims (`arbiter gen claims
# --library`, the outpatient ones), one claim a request, keep-alive:
#   - the most requests/s wrk can get (32 connections), 1 and 2 server threads;
#   - latency at fixed rates (2,000 and 5,000 requests/s, paced with wrk's
#     delay() hook), p50/p99/p999;
#   - the same at 2,000/s while the pack is reloaded every 0.5 s, and the
#     requests that failed (must be 0);
#   - the national 3101 endpoint at the highest rate.
# wrk runs on the same 2 cores as the server: the throughput figures are
# what one machine does with both, not the server alone.  Figures go to
# stdout; recorded ones are in docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
bash scripts/setup.sh
bash scripts/build.sh build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
A=$PWD/build-bench/arbiter
tmp=$(mktemp -d)
spid=
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$tmp"' EXIT

$A gen library --seed 1 -o "$tmp/lib" >/dev/null
$A compile stdlib-rules "$tmp/lib" -o "$tmp/lib.arbpack" >/dev/null 2>&1
$A gen claims --library "$tmp/lib" --n 20000 --seed 2 --violations 0.1 -o "$tmp/all.jsonl" >/dev/null 2>&1
python3 - "$tmp" <<'EOF'
import json, sys
tmp = sys.argv[1]
n = 0
with open(f"{tmp}/claims.txt", "w") as out:
    for l in open(f"{tmp}/all.jsonl"):
        c = json.loads(l)
        if c.get("care_type") == "outpatient" and n < 2000:
            out.write(l)
            n += 1
lines = sum(len(json.loads(l).get("lines", [])) for l in open(f"{tmp}/claims.txt"))
print(f"workload: {n} outpatient claims, {lines / n:.1f} lines a claim, "
      f"{sum(len(l) for l in open(f'{tmp}/claims.txt')) // n} bytes a claim")
EOF
# a 3101 request (tests/data/nhsa3101), for the national endpoint
head -n 1 tests/data/nhsa3101/requests.jsonl | tr -d '\n' >"$tmp/3101.json"

# wrk script: POSTs the claims round-robin; RATE (req/s over all
# connections) paces it; prints p50/p99/p999 and the non-2xx count
cat >"$tmp/bench.lua" <<'EOF'
local bodies = {}
for l in io.lines(os.getenv("CLAIMS")) do bodies[#bodies + 1] = l end
local path = os.getenv("URLPATH") or "/v1/check"
local rate = tonumber(os.getenv("RATE") or "0")
local conns = tonumber(os.getenv("CONNS") or "1")
local i = 0
function setup(thread) thread:set("id", math.random(1, #bodies)) end
function init(args) i = id or 1 end
function request()
  i = i % #bodies + 1
  return wrk.format("POST", path, {["Content-Type"] = "application/json"}, bodies[i])
end
function delay()
  if rate <= 0 then return 0 end
  return conns * 1000 / rate
end
function done(summary, latency, requests)
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read +
              summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %.0f %.3f %.3f %.3f %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000, bad))
end
EOF

port=18655
start() {
  $A serve --pack "$tmp/lib.arbpack" --listen "127.0.0.1:$port" --threads "$1" --access-log off 2>"$tmp/serve.err" &
  spid=$!
  for _ in $(seq 1 200); do curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && return; sleep 0.05; done
  cat "$tmp/serve.err"; exit 1
}
stop() { kill "$spid"; wait "$spid" 2>/dev/null || true; spid=; }
# run LABEL CONNS RATE [FILE PATH]: one wrk run, one line of figures
run() {
  local label=$1 conns=$2 rate=$3 file=${4:-$tmp/claims.txt} path=${5:-/v1/check}
  local out
  out=$(CLAIMS=$file URLPATH=$path RATE=$rate CONNS=$conns wrk -t2 -c"$conns" -d"${secs}s" \
    -s "$tmp/bench.lua" "http://127.0.0.1:$port" | awk '/^RESULT/{print $2, $3, $4, $5, $6}')
  read -r rps p50 p99 p999 bad <<<"$out"
  printf "%-44s %9s %8s %8s %8s %7s\n" "$label" "$rps" "$p50" "$p99" "$p999" "$bad"
}

printf "%-44s %9s %8s %8s %8s %7s\n" "" "req/s" "p50 ms" "p99 ms" "p999 ms" "failed"
for threads in 1 2; do
  start "$threads"
  run "max, $threads thread(s), 32 connections" 32 0
  run "fixed 2,000/s, $threads thread(s)" 20 2000
  run "fixed 5,000/s, $threads thread(s)" 20 5000
  if [ "$threads" = 2 ]; then
    ( for _ in $(seq 1 $((secs * 2))); do sleep 0.5; kill -HUP "$spid"; done ) &
    rl=$!
    run "fixed 2,000/s, 2 threads, reload every 0.5 s" 20 2000
    wait "$rl" || true
    reloads=$(curl -s "http://127.0.0.1:$port/metrics" | awk '/^arbiter_reloads_total /{print $2}')
    fails=$(curl -s "http://127.0.0.1:$port/metrics" | awk '/^arbiter_reload_failures_total /{print $2}')
    echo "  (reloads done: $reloads, refused: $fails; the pack loads in $(curl -s "http://127.0.0.1:$port/metrics" | awk '/^arbiter_pack_load_seconds /{print $2}') s)"
    run "national 3101 (one request), max, 2 threads" 32 0 "$tmp/3101.json" /nhsa/3101
  fi
  stop
done
echo "pack: $(( $(stat -c %s "$tmp/lib.arbpack") / 1048576 )) MB; wrk shares the 2 cores with the server"
