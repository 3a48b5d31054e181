#!/usr/bin/env bash
# bench/http_libs.sh [SECONDS] — the HTTP library for `arbiter serve`, chosen
# by measurement: the same claim-check server on libmicrohttpd, h2o,
# civetweb and libevent's evhttp (bench/http_libs/srv_*.c; everything but
# the HTTP layer is shared, bench/http_libs/common.c), each with 1 and 2
# worker threads, loaded by wrk over keep-alive connections with typical
# outpatient claims against the full reference library.  Per server: the
# most requests a second (wrk -t2 -c32, SECONDS each, default 8) with p50
# and p99, and the latency (p50, p99, p99.9) at paced rates of 2,000 and
# 5,000 requests a second with the rate achieved.  Before any timing, every
# server's answers to the same requests (claims, bad claims, a wrong path and
# method) must be byte-identical, checked with curl.  The libraries are run
# interleaved, in two rounds (the second in reverse order), and each one's
# throughput is also given as a ratio to libmicrohttpd's in the same round,
# since the 2 cores are shared.  Recorded figures and the choice:
# docs/architecture.md, "The HTTP library".  The servers are built here with
# cc against build-bench/libarbiter.a, not by CMake.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-8}
rounds=2
conns=32
bash scripts/setup.sh
bash scripts/build.sh build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
A=build-bench/arbiter
tmp=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# --- the four servers -------------------------------------------------------
libs=(mhd h2o civetweb evhttp)
declare -A ldflags=(
  [mhd]="$(pkg-config --libs libmicrohttpd)"
  [h2o]="$(pkg-config --libs libh2o-evloop)"
  [civetweb]="-lcivetweb"
  [evhttp]="$(pkg-config --libs libevent)"
)
cflags=(-O2 -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Werror -Iinclude)
arblibs=(build-bench/libarbiter.a $(pkg-config --libs lua5.4 lmdb json-c) -lm -lpthread -ldl)
for l in "${libs[@]}"; do
  # shellcheck disable=SC2086
  cc "${cflags[@]}" -o "$tmp/srv_$l" \
    "bench/http_libs/srv_$l.c" bench/http_libs/common.c "${arblibs[@]}" ${ldflags[$l]}
done

# --- the workload -------------------------------------------------------------
$A gen library --seed 1 -o "$tmp/lib" >/dev/null 2>&1
$A compile stdlib-rules "$tmp/lib" -o "$tmp/lib.arbpack" >/dev/null 2>&1
$A gen claims --library "$tmp/lib" --n 2000 --seed 2 --violations 0.1 -o "$tmp/all.jsonl" \
  >/dev/null 2>&1
grep '"care_type":"outpatient"' "$tmp/all.jsonl" > "$tmp/claims.jsonl"
nclaims=$(wc -l < "$tmp/claims.jsonl")
avg=$(( $(wc -c < "$tmp/claims.jsonl") / nclaims ))

echo "HTTP libraries: $(dpkg-query -W -f='${Package} ${Version}, ' libmicrohttpd-dev \
  libh2o-evloop-dev libcivetweb-dev libevent-dev wrk | sed 's/, $//')"
echo "workload: full reference library (gen library --seed 1, $(stat -c %s "$tmp/lib.arbpack" \
  | awk '{printf "%.0f MB pack", $1 / 1048576}')); the $nclaims outpatient claims of"
echo "  gen claims --n 2000 --seed 2 --violations 0.1 (avg $avg bytes), POSTed round robin;"
echo "  phases pre+settle; keep-alive; wrk -t2 -c$conns, ${secs} s a run, $rounds rounds"
echo "machine: $(nproc) cores, shared; wrk runs on the same cores as the server (it takes"
echo "  a large share of the CPU, so these are lower bounds for the servers); load average at"
echo "  start: $(cut -d' ' -f1-3 /proc/loadavg)"

# --- start and stop a server --------------------------------------------------
port=18410
start() { # LIB THREADS
  port=$((port + 1))
  "$tmp/srv_$1" "$tmp/lib.arbpack" "$port" "$2" 2>>"$tmp/server.log" &
  pid=$!
  for _ in $(seq 100); do
    if [ "$(curl -s --max-time 1 "http://127.0.0.1:$port/" 2>/dev/null)" = '{"error":"not found"}' ]
    then return 0; fi
    sleep 0.1
  done
  echo "http_libs: srv_$1 did not start" >&2
  cat "$tmp/server.log" >&2
  exit 1
}
stop() {
  kill "$pid"
  wait "$pid" || true
  pid=""
}

# --- the same answers from every server ----------------------------------------
mkdir -p "$tmp/one"
head -n 200 "$tmp/claims.jsonl" | split -l 1 -d -a 3 - "$tmp/one/c"
printf '{"claim_id":' > "$tmp/one/z1"
printf '[1,2,3]' > "$tmp/one/z2"
for l in "${libs[@]}"; do
  start "$l" 2
  {
    for f in "$tmp"/one/*; do
      printf 'url = "http://127.0.0.1:%d/v1/check"\n' "$port"
      printf 'data-binary = "@%s"\n' "$f"
      printf 'header = "Content-Type: application/json"\n'
      printf 'write-out = "\\n%%{http_code}\\n"\n'
      printf 'next\n'
    done
    printf 'url = "http://127.0.0.1:%d/v1/check"\nwrite-out = "\\n%%{http_code}\\n"\nnext\n' "$port"
    printf 'url = "http://127.0.0.1:%d/v1/other"\ndata-binary = "{}"\n' "$port"
    printf 'write-out = "\\n%%{http_code}\\n"\n'
  } > "$tmp/curl_$l.cfg"
  curl -s -K "$tmp/curl_$l.cfg" > "$tmp/answers_$l"
  stop
done
for l in "${libs[@]}"; do
  if ! cmp -s "$tmp/answers_mhd" "$tmp/answers_$l"; then
    echo "http_libs: srv_$l answers differently from srv_mhd:" >&2
    diff "$tmp/answers_mhd" "$tmp/answers_$l" | head -20 >&2
    exit 1
  fi
done
ok=$(grep -c '^200$' "$tmp/answers_mhd" || true)
flagged=$(grep -c '"rule_id"' "$tmp/answers_mhd" || true)
codes=$(tail -n 8 "$tmp/answers_mhd" | grep -E '^[0-9]{3}$' | tr '\n' ' ')
if [ "$ok" -ne 200 ] || [ "$flagged" -eq 0 ] || [ "$codes" != "400 400 405 404 " ]; then
  echo "http_libs: unexpected answers (200s: $ok, with findings: $flagged, last: $codes)" >&2
  exit 1
fi
echo "answers: byte-identical across the 4 servers (curl, 200 claims of which $flagged have"
echo "  findings, 2 bad claims -> 400, GET -> 405, another path -> 404)"

# --- the runs --------------------------------------------------------------------
run_wrk() { # ROUND LIB THREADS MODE [RATE]
  local out
  out=$(HB_CLAIMS="$tmp/claims.jsonl" HB_RATE="${5:-}" HB_CONNS=$conns \
    wrk -t2 -c$conns -d"${secs}s" -s bench/http_libs/post.lua "http://127.0.0.1:$port/v1/check" \
    | grep '^RESULT' || true)
  [ -n "$out" ] || { echo "http_libs: wrk failed against srv_$2" >&2; exit 1; }
  echo "$1 $2 $3 $4 ${out#RESULT }" >> "$tmp/results"
}
# civetweb serves each connection on one of its num_threads threads until the
# connection closes: with num_threads = 1 or 2 only 1 or 2 of the 32 connections
# are served, so it is run once more with num_threads = 32 (its documented sizing)
configs=()
for t in 1 2; do for l in "${libs[@]}"; do configs+=("$l $t"); done; done
configs+=("civetweb 32")
for r in $(seq "$rounds"); do
  order=("${configs[@]}")
  if [ $((r % 2)) -eq 0 ]; then
    order=()
    for ((i = ${#configs[@]} - 1; i >= 0; i--)); do order+=("${configs[$i]}"); done
  fi
  for c in "${order[@]}"; do
    set -- $c
    start "$1" "$2"
    HB_CLAIMS="$tmp/claims.jsonl" wrk -t2 -c$conns -d1s -s bench/http_libs/post.lua \
      "http://127.0.0.1:$port/v1/check" >/dev/null # warm-up
    run_wrk "$r" "$1" "$2" max
    run_wrk "$r" "$1" "$2" 2000 2000
    run_wrk "$r" "$1" "$2" 5000 5000
    stop
  done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"

# --- the table --------------------------------------------------------------------
python3 - "$tmp/results" "$rounds" <<'EOF'
import math, sys
from collections import defaultdict
rows = defaultdict(list)  # (lib, thr, mode) -> [(round, rps, err, p50, p99, p999)]
for line in open(sys.argv[1]):
    r, lib, thr, mode, n, sec, err, p50, p99, p999, mx = line.split()
    rows[(lib, thr, mode)].append((int(r), int(n) / float(sec), int(err),
                                   int(p50) / 1e3, int(p99) / 1e3, int(p999) / 1e3))
def mean(xs): return sum(xs) / len(xs)
def ms(x): return f"{x:.2f}" if x < 100 else f"{x:.0f}"
names = {"mhd": "libmicrohttpd", "h2o": "h2o", "civetweb": "civetweb", "evhttp": "evhttp"}
print()
print(f"means of {sys.argv[2]} rounds; latency in ms; x MHD: throughput / libmicrohttpd's at the")
print("same thread count in the same round (geometric mean over rounds); err: wrk errors")
print()
print(f"{'':17}| {'max throughput (-c32)':^33} | {'paced 2,000 req/s':^27} | {'paced 5,000 req/s':^27}")
print(f"{'library':13} thr | {'req/s':>7} {'x MHD':>5} {'p50':>6} {'p99':>6} {'err':>4} | "
      f"{'got/s':>6} {'p50':>6} {'p99':>6} {'p99.9':>6} | {'got/s':>6} {'p50':>6} {'p99':>6} {'p99.9':>6}")
print("-" * 108)
order = [(l, t) for t in ("1", "2") for l in ("mhd", "h2o", "civetweb", "evhttp")] + [("civetweb", "32")]
for lib, thr in order:
    m = rows[(lib, thr, "max")]
    ref = {r: rps for r, rps, *_ in rows[("mhd", "2" if thr == "32" else thr, "max")]}
    ratio = math.exp(mean([math.log(rps / ref[r]) for r, rps, *_ in m]))
    line = (f"{names[lib]:13} {thr:>3} | {mean([x[1] for x in m]):7.0f} {ratio:5.2f} "
            f"{ms(mean([x[3] for x in m])):>6} {ms(mean([x[4] for x in m])):>6} "
            f"{sum(x[2] for x in m):4d}")
    for rate in ("2000", "5000"):
        p = rows[(lib, thr, rate)]
        line += (f" | {mean([x[1] for x in p]):6.0f} {ms(mean([x[3] for x in p])):>6} "
                 f"{ms(mean([x[4] for x in p])):>6} {ms(mean([x[5] for x in p])):>6}")
    print(line)
print()
print("civetweb 1 and 2: num_threads = 1 or 2 serves only that many of the 32 connections (one")
print("thread per connection); wrk 4.1 neither times out nor counts the requests of the others, so")
print("its figures cover the served connections only (see got/s). civetweb 32: num_threads = 32")
print("(x MHD against libmicrohttpd with 2 threads).  Paced rates: wrk's delay() hook, 32 connections")
print("each waiting 32000/RATE ms before each request, so got/s falls short of the target by the")
print("answer's own latency; latency counts from the request's sending (no coordinated-omission")
print("correction).")
print()
print("per round (req/s at max throughput):")
for lib, thr in order:
    m = sorted(rows[(lib, thr, "max")])
    print(f"  {names[lib]:13} {thr:>3}: " + "  ".join(f"r{r} {rps:7.0f}" for r, rps, *_ in m))
EOF
