#!/usr/bin/env bash
# bench/history_pg.sh [N] [M] — the history store in PostgreSQL against the
# same in LMDB, through Arbiter's own code: N generated claims (default
# 100,000; `gen claims --seed 3`) added with `history add` to an LMDB store
# and to a PostgreSQL store on a private server on 127.0.0.1 (started here by
# tests/pg_fixture.sh, fsync on, default settings otherwise): ingest claims/s;
# then M (default 5,000) claims of the same persons, moved forward to settle
# on 2026-01-02, checked one at a time (bench_settle_latency) with one rule
# that reads each claim's history(365d) — one person's window, one ordered
# index range read, decoded — against each store: p50/p99/p999 in µs, and
# the same checks with no store (the rule's own cost).  Recorded figures:
# docs/performance.md ("History store in PostgreSQL").
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
m=${2:-5000}
[ -x build/arbiter ] && [ -x build/bench_settle_latency ] || bash scripts/build.sh build >/dev/null
A=$PWD/build/arbiter
L=$PWD/build/bench_settle_latency
tmp=$(mktemp -d "${TMPDIR:-/tmp}/history_pg.XXXXXX")
chmod 755 "$tmp"
trap 'bash tests/pg_fixture.sh stop "$tmp" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
PG_FSYNC=on bash tests/pg_fixture.sh start "$tmp" >/dev/null
uri=$(cat "$tmp/pg.uri")
echo "PostgreSQL: $(psql "$uri" -qAtc 'SHOW server_version'), fsync $(psql "$uri" -qAtc 'SHOW fsync'), on 127.0.0.1 (TCP); LMDB: $(dpkg-query -W -f='${Version}' liblmdb-dev); $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
cat >"$tmp/window.rules" <<'RULES'
category WIN "窗口" { code "T-WIN" severity low nature suspicious points 1 }
rule WIN.1 "一年内的就诊" in WIN
  when count(p in history(365d)) > 1000000
  flag claim amount 0.00 message "{count(p in history(365d))}"
RULES
$A gen claims --n "$n" --seed 3 -o "$tmp/c.jsonl"
S=(--stdlib stdlib-rules)
for store in "$tmp/lmdb" "$uri"; do
  kind=LMDB
  [ "$store" = "$uri" ] && kind=PostgreSQL
  /usr/bin/time -f "%e %U %S" -o "$tmp/time" $A history add "$store" --claims "$tmp/c.jsonl" --quiet "${S[@]}"
  read -r wall u s <"$tmp/time"
  awk -v k="$kind" -v n="$n" -v w="$wall" -v u="$u" -v s="$s" \
    'BEGIN { printf "ingest %-10s %d claims: %.2f s wall, %.2f s CPU of arbiter, %.0f claims/s\n", k, n, w, u + s, n / w }'
done
python3 bench/settle_claims.py "$tmp/c.jsonl" "$tmp/settle.jsonl" "$m"
for store in "$tmp/lmdb" "$uri"; do
  [ "$store" = "$uri" ] && echo "== PostgreSQL" || echo "== LMDB"
  "$L" "$tmp/window.rules" "${S[@]}" --history "$store" --claims "$tmp/settle.jsonl" | sed 's/^/  /'
done
