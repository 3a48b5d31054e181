#!/usr/bin/env bash
# bench/peers.sh [N_CLAIMS] — Arbiter against its peers on one shared
# workload, measured side by side in one run (the machines are shared and
# noisy: read the ratios).  The workload (bench/peers_gen.py, fixed seed):
# 10,000 rules "item code in a set of 5 codes and age >= N" (N in {0, 18,
# 65}) over a 20,000-code universe, and N_CLAIMS claims (default 100,000)
# with one line each, as JSON Lines in Arbiter's claim schema.  The expected
# count of findings is computed independently (bench/peers_expect.awk, from
# the rules and the claims' text) and every engine's count is checked
# against it: a mismatch fails the script.
#
# Engines (docs/performance.md, "Peers", says why each is set up so):
#   Arbiter     10k rules (and one rule over a 50k-row table): `arbiter
#               check --pack` end to end; in memory, a prepared claim set
#               (arb_claimset_check: claims parsed and their item codes looked
#               up in the rules' index when loaded, untimed) and, as a
#               second row "Arbiter-sessions", sessions over the JSON text
#               (arb_session_check_json, parsing inside the timed loop)
#               (bench/peers_arbiter.c, libarbiter.so)
#   Vectorscan  one pattern per rule, HS_FLAG_SINGLEMATCH, the age test in
#               the match callback (bench/peers_hs.c)
#   CLIPS       one defrule per rule, libclips embedded (bench/peers_clips.c;
#               on the first PEERS_CLIPS_CLAIMS claims, default 5,000: it is
#               slow)
#   SQLite      a rules table with an index on the code, joined on the code
#               and the age (the sqlite3 CLI)
#   DuckDB      the same SQL (npm @duckdb/node-api, bench/peers_duckdb.mjs)
# Two figures per engine: rule evaluation over claims already in memory
# (load excluded), and end to end from the JSON Lines file to a findings
# file (the whole process, rules loaded from their compiled form: pack,
# serialised database, bsave image, database file).  Compiling the rules is
# reported on its own.  One thread everywhere, plus Arbiter on 2 threads.
#
# A second part, incumbent SQL: five rules of three example-library
# categories written as SQL (bench/peers_lib.sql) in SQLite and DuckDB
# against the same rules in Arbiter, over N_CLAIMS `arbiter gen claims`
# claims, with the data already loaded and with the load counted; the
# findings counts must match.  PEERS_PARTS="shared sql" (the default) picks
# the parts; PEERS_SKIP="vectorscan clips sqlite duckdb" (any of them) leaves
# engines out (Vectorscan takes a minute to compile the rules).
#
# Installs its peers when missing: Debian packages with apt-get, and
# @duckdb/node-api into $ARB_PEERS_CACHE (default ~/.cache/arbiter-peers),
# outside the tree.  A benchmark: not part of .ci/run.
set -euo pipefail
if [[ ${1:-} == -h || ${1:-} == --help ]]; then
  sed -n '2,/^set -euo/{/^set/d;s/^# \{0,1\}//;p}' "$0"
  exit 0
fi
cd "$(dirname "$0")/.."
n=${1:-100000}
[[ $n =~ ^[1-9][0-9]*$ ]] || { echo "usage: bench/peers.sh [N_CLAIMS] (a positive number; --help says more)" >&2; exit 2; }
nclips=${PEERS_CLIPS_CLAIMS:-5000}
parts=${PEERS_PARTS:-shared sql}
((nclips > n)) && nclips=$n
cache=${ARB_PEERS_CACHE:-$HOME/.cache/arbiter-peers}
duckdb_version=1.5.6-r.1

bash scripts/setup.sh
packages=(libvectorscan-dev libclips-dev sqlite3 libjson-c-dev nodejs)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# a node from elsewhere (setup.sh keeps it) will do
command -v node >/dev/null && missing=("${missing[@]/nodejs/}")
read -ra missing <<<"${missing[*]}"
if ((${#missing[@]})); then
  echo "peers: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null; } ||
    echo "peers: apt-get could not install ${missing[*]}: the engines needing them are left out"
fi
mkdir -p "$cache"
if ! grep -qs "\"version\": \"$duckdb_version\"" "$cache/node_modules/@duckdb/node-api/package.json"; then
  echo "peers: installing @duckdb/node-api@$duckdb_version into $cache"
  [ -f "$cache/package.json" ] || echo '{"name":"arbiter-peers","private":true}' >"$cache/package.json"
  (cd "$cache" && npm install --no-audit --no-fund --silent "@duckdb/node-api@$duckdb_version") ||
    echo "peers: npm could not install @duckdb/node-api: DuckDB is left out"
fi
# the peers there are (a missing one is left out of the tables, and said so)
have() {
  [[ " ${PEERS_SKIP:-} " != *" $1 "* ]] || return 1
  case $1 in
  vectorscan) [ -f /usr/include/hs/hs.h ] ;;
  clips) [ -f /usr/lib/libclips.a ] ;;
  sqlite) command -v sqlite3 >/dev/null ;;
  duckdb) command -v node >/dev/null && [ -f "$cache/node_modules/@duckdb/node-api/package.json" ] ;;
  esac
}
for p in vectorscan clips sqlite duckdb; do have $p || echo "peers: $p is not installed (or in PEERS_SKIP): left out"; done

bash scripts/build.sh build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
B=$PWD/build-bench
A=$B/arbiter
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cflags=(-O2 -std=c11 -Wall -Wextra -Werror)
cc "${cflags[@]}" -Iinclude -o "$tmp/peers_arbiter" bench/peers_arbiter.c -L"$B" -larbiter -Wl,-rpath,"$B"
! have vectorscan || cc "${cflags[@]}" -o "$tmp/peers_hs" bench/peers_hs.c -lhs -ljson-c
! have clips || cc "${cflags[@]}" -isystem /usr/include/clips -o "$tmp/peers_clips" bench/peers_clips.c \
  /usr/lib/libclips.a -ljson-c -lm
echo "versions: $(dpkg-query -W -f='${Package} ${Version}, ' libvectorscan5 libclips-dev sqlite3 2>/dev/null)@duckdb/node-api" \
  "$duckdb_version, node $(node --version 2>/dev/null); $(nproc) cores"

# wall-clock seconds of a command (its standard output to $tmp/stdout)
timed() {
  local t0 t1
  t0=$(date +%s%N)
  "$@" >"$tmp/stdout" 2>"$tmp/stderr" || { cat "$tmp/stderr" >&2; return 1; }
  t1=$(date +%s%N)
  echo "$(((t1 - t0) / 1000000))e-3"
}
results=$tmp/results # engine, mode, claims, seconds, count, expected
: >"$results"
row() { echo "$*" >>"$results"; }

if [[ " $parts " == *" shared "* ]]; then
python3 bench/peers_gen.py "$tmp" "$n"
head -n "$nclips" "$tmp/claims.jsonl" >"$tmp/claims_clips.jsonl"
read -r hits flagged < <(awk -f bench/peers_expect.awk "$tmp/rules.tsv" "$tmp/claims.jsonl")
read -r hits_clips _ < <(awk -f bench/peers_expect.awk "$tmp/rules.tsv" "$tmp/claims_clips.jsonl")
echo "workload: $(wc -l <"$tmp/rules.tsv") rules, $n claims ($(du -h "$tmp/claims.jsonl" | cut -f1) of JSON Lines);" \
  "expected $hits findings ($flagged lines flagged; CLIPS: $hits_clips in $nclips claims)"


# --- compile the rules --------------------------------------------------------
cat >"$tmp/build.sql" <<EOF
CREATE TABLE rule_codes(code TEXT, rule_no INTEGER, min_age INTEGER);
.import --csv --skip 1 $tmp/rule_codes.csv rule_codes
CREATE INDEX rule_codes_code ON rule_codes(code, min_age, rule_no);
ANALYZE;
EOF
c_arb=$(timed "$A" compile "$tmp/peers.rules" -o "$tmp/peers.arbpack")
c_tab=$(timed "$A" compile "$tmp/table.rules" -o "$tmp/table.arbpack")
c_hs=- c_clips=- c_sq=- c_duck=-
! have vectorscan || c_hs=$(timed "$tmp/peers_hs" compile "$tmp/rules.tsv" "$tmp/hs.db")
! have clips || c_clips=$(timed "$tmp/peers_clips" compile "$tmp/peers.clp" "$tmp/clips.img")
! have sqlite || c_sq=$(timed sqlite3 "$tmp/rules.db" ".read $tmp/build.sql")
! have duckdb || c_duck=$(timed node bench/peers_duckdb.mjs "$cache" build "$tmp/rules.duckdb" "$tmp/rule_codes.csv")

# --- rule evaluation over claims already in memory ----------------------------
mem() { # engine expected claims command...: the command prints "count seconds"
  local eng=$1 exp=$2 k=$3
  shift 3
  "$@" >"$tmp/stdout" 2>"$tmp/stderr" || { cat "$tmp/stderr" >&2; exit 1; }
  read -r got s <"$tmp/stdout"
  row "$eng mem $k $s $got $exp"
  # peers_arbiter: the best pass's CPU seconds, the untimed load's
  if grep -q '^cpu ' "$tmp/stderr"; then echo "$eng $(cat "$tmp/stderr")" >>"$tmp/cpu"; fi
}
: >"$tmp/cpu"
mem "Arbiter" "$hits" "$n" "$tmp/peers_arbiter" "$tmp/peers.arbpack" "$tmp/claims.jsonl"
mem "Arbiter-sessions" "$hits" "$n" "$tmp/peers_arbiter" --sessions "$tmp/peers.arbpack" "$tmp/claims.jsonl"
mem "Arbiter(table)" "$flagged" "$n" "$tmp/peers_arbiter" "$tmp/table.arbpack" "$tmp/claims.jsonl"
! have vectorscan || mem "Vectorscan" "$hits" "$n" "$tmp/peers_hs" mem "$tmp/rules.tsv" "$tmp/hs.db" "$tmp/claims.jsonl"
! have clips || mem "CLIPS" "$hits_clips" "$nclips" "$tmp/peers_clips" mem "$tmp/clips.img" "$tmp/claims_clips.jsonl"
# SQLite: claims loaded into a table first; the join into a table of findings timed (.timer), best of 3
sql_claims="PRAGMA temp_store = MEMORY;
CREATE TEMP TABLE raw(j TEXT);
.mode ascii
.separator \"\\037\" \"\\n\"
.import --schema temp $tmp/claims.jsonl raw
.mode list"
sql_age="CAST(substr(json_extract(j, '\$.admit_time'), 1, 4) AS INTEGER)
  - CAST(substr(json_extract(j, '\$.birth_date'), 1, 4) AS INTEGER)
  - (substr(json_extract(j, '\$.admit_time'), 6, 5) < substr(json_extract(j, '\$.birth_date'), 6, 5))"
{
  echo "$sql_claims"
  echo "CREATE TEMP TABLE claims AS SELECT json_extract(j, '\$.claim_id') AS claim_id,
    json_extract(j, '\$.lines[0].item_code') AS code, $sql_age AS age FROM temp.raw;"
  for _ in 1 2 3; do
    echo "DROP TABLE IF EXISTS temp.f;"
    echo ".timer on"
    echo "CREATE TEMP TABLE f AS SELECT c.claim_id, r.rule_no FROM temp.claims c
      JOIN rule_codes r ON r.code = c.code AND r.min_age <= c.age;"
    echo ".timer off"
  done
  echo "SELECT count(*) FROM temp.f;"
} >"$tmp/mem.sql"
if have sqlite; then
  sqlite3 "$tmp/rules.db" <"$tmp/mem.sql" >"$tmp/sq.mem"
  s=$(sed -n 's/^Run Time: real \([0-9.]*\).*/\1/p' "$tmp/sq.mem" | sort -g | head -n 1)
  row "SQLite mem $n $s $(tail -n 1 "$tmp/sq.mem") $hits"
  # its CPU (.timer's user + sys) beside Arbiter's, the figure least disturbed on a shared machine
  c=$(sed -n 's/^Run Time: real [0-9.]* user \([0-9.]*\) sys \([0-9.]*\).*/\1 \2/p' "$tmp/sq.mem" |
    awk '{printf "%.6f\n", $1 + $2}' | sort -g | head -n 1)
  [ -z "$c" ] || echo "SQLite cpu $c cpu_min $c cpu_count $c" >>"$tmp/cpu"
fi
! have duckdb || mem "DuckDB" "$hits" "$n" node bench/peers_duckdb.mjs "$cache" mem "$tmp/rules.duckdb" "$tmp/claims.jsonl"

# --- end to end: JSON Lines file in, findings file out, one process ------------
e2e() { # engine expected claims findings-file command...
  local eng=$1 exp=$2 k=$3 out=$4 s
  shift 4
  s=$(timed "$@") || exit 1
  row "$eng e2e $k $s $(wc -l <"$out") $exp"
}
e2e "Arbiter" "$hits" "$n" "$tmp/f1.jsonl" "$A" check --pack "$tmp/peers.arbpack" --claims "$tmp/claims.jsonl" -o "$tmp/f1.jsonl" --threads 1
e2e "Arbiter-2threads" "$hits" "$n" "$tmp/f2.jsonl" "$A" check --pack "$tmp/peers.arbpack" --claims "$tmp/claims.jsonl" -o "$tmp/f2.jsonl" --threads 2
e2e "Arbiter(table)" "$flagged" "$n" "$tmp/ft.jsonl" "$A" check --pack "$tmp/table.arbpack" --claims "$tmp/claims.jsonl" -o "$tmp/ft.jsonl" --threads 1
! have vectorscan || e2e "Vectorscan" "$hits" "$n" "$tmp/hs.out" "$tmp/peers_hs" run "$tmp/rules.tsv" "$tmp/hs.db" "$tmp/claims.jsonl" "$tmp/hs.out"
! have clips || e2e "CLIPS" "$hits_clips" "$nclips" "$tmp/clips.out" "$tmp/peers_clips" run "$tmp/clips.img" "$tmp/claims_clips.jsonl" "$tmp/clips.out"
{
  echo "$sql_claims"
  echo ".mode tabs"
  echo ".once $tmp/sq.out"
  echo "SELECT json_extract(j, '\$.claim_id'), r.rule_no
    FROM (SELECT j, json_extract(j, '\$.lines[0].item_code') AS code, $sql_age AS age FROM temp.raw) c
    JOIN rule_codes r ON r.code = c.code AND r.min_age <= c.age;"
} >"$tmp/e2e.sql"
! have sqlite || e2e "SQLite" "$hits" "$n" "$tmp/sq.out" sqlite3 "$tmp/rules.db" ".read $tmp/e2e.sql"
! have duckdb || e2e "DuckDB" "$hits" "$n" "$tmp/duck.out" node bench/peers_duckdb.mjs "$cache" run "$tmp/rules.duckdb" "$tmp/claims.jsonl" "$tmp/duck.out"
cmp -s "$tmp/f1.jsonl" "$tmp/f2.jsonl" || row "Arbiter-threads differ 0 0 1 0"

# --- the table --------------------------------------------------------------------
python3 - "$results" "$tmp/cpu" "$c_arb" "$c_tab" "$c_hs" "$c_clips" "$c_sq" "$c_duck" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1])]
cpu = {l.split()[0]: l.split()[1:] for l in open(sys.argv[2])}
comp = dict(zip(["Arbiter", "Arbiter(table)", "Vectorscan", "CLIPS", "SQLite", "DuckDB"], sys.argv[3:]))
rate = {}
bad = []
for eng, mode, k, s, got, exp in rows:
    rate[eng, mode] = int(k) / max(float(s), 1e-9)
    if got != exp:
        bad.append(f"{eng} {mode}: {got} findings, expected {exp}")
print(f"{'engine':<17} {'rules built':>11} | {'in memory':>13} {'Arbiter ÷':>9} | {'end to end':>13} {'Arbiter ÷':>9}")
print(f"{'':<17} {'(s)':>11} | {'claims/s':>13} {'':>9} | {'claims/s':>13} {'':>9}")
ref_m, ref_e = rate["Arbiter", "mem"], rate["Arbiter", "e2e"]
for eng in ["Arbiter", "Arbiter-sessions", "Arbiter-2threads", "Arbiter(table)", "Vectorscan", "CLIPS", "SQLite", "DuckDB"]:
    m, e = rate.get((eng, "mem")), rate.get((eng, "e2e"))
    c = comp.get(eng.split("-")[0], "") if eng != "Arbiter-sessions" else ""
    if c == "-":
        print(f"{eng:<17} {'left out (not installed or PEERS_SKIP)':>11}")
        continue
    c = f"{float(c):.3f}" if c else ""
    fm = f"{m:13,.0f} {ref_m / m:8.2f}×" if m else f"{'':13} {'':9}"
    fe = f"{e:13,.0f} {ref_e / e:8.2f}×" if e else f"{'':13} {'':9}"
    print(f"{eng:<17} {c:>11} | {fm} | {fe}")
print("(Arbiter ÷: Arbiter's 10k-rule claims/s ÷ the engine's, same column; in memory: Arbiter checks a")
print(" prepared claim set (arb_claimset_check; parsed and looked up in the index at load, untimed, as the peers")
print(" load theirs), Arbiter-sessions parses each claim's JSON in the timed loop; end to end: the whole process)")
for eng, v in cpu.items(): # "cpu S cpu_min S cpu_count S load S load_cpu S"
    d = dict(zip(v[0::2], v[1::2]))
    k = int(next(r[2] for r in rows if r[0] == eng and r[1] == "mem"))
    cm = float(d.get('cpu_min', d['cpu']))
    cc = float(d.get('cpu_count', cm))
    print(f"  {eng}: best pass {float(d['cpu']):.4f} s CPU ({k / max(float(d['cpu']), 1e-9):,.0f} claims/s of CPU),"
          f" least CPU of a pass {cm:.4f} s ({cm * 1e9 / k:,.0f} ns a claim; only counting {cc * 1e9 / k:,.0f} ns)"
          + (f"; load (untimed) {float(d['load']):.3f} s wall, {float(d['load_cpu']):.3f} s CPU" if 'load' in d else
             " (.timer's user + sys, least of 3)"))
if "Arbiter" in cpu and "SQLite" in cpu:
    a, q = (float(dict(zip(cpu[e][0::2], cpu[e][1::2]))['cpu_min']) for e in ("Arbiter", "SQLite"))
    print(f"  by CPU time, in memory with the findings kept as rows: Arbiter ÷ SQLite = {q / max(a, 1e-9):.1f}×")
def vs(x, eng, fmt=".2f"): # x ÷ the engine's in-memory rate, or n/a
    return format(x / rate[eng, "mem"], fmt) if (eng, "mem") in rate else "n/a"
print(f"targets: Arbiter in memory ÷ Vectorscan in memory = {vs(ref_m, 'Vectorscan')} (≥ 2); "
      f"Arbiter end to end, 2 threads ÷ Vectorscan in memory = {vs(rate['Arbiter-2threads', 'e2e'], 'Vectorscan')} (≥ 1);")
print(f"         ÷ CLIPS = {vs(ref_m, 'CLIPS', '.0f')} (≥ 100); ÷ SQLite = {vs(ref_m, 'SQLite', '.1f')}, "
      f"÷ DuckDB = {vs(ref_m, 'DuckDB', '.1f')} (≥ 20, data loaded)")
if bad:
    print("MISMATCH:\n  " + "\n  ".join(bad))
    sys.exit(1)
print("every engine's count matches the expected one")
PY

fi

# --- incumbent SQL: three example-library categories --------------------------------
# DRUG_SEX/SERVICE_SEX (item_sex.rules), WORK_INJURY_ONLY/MATERNITY_ONLY
# (insurance.rules) and FACILITY_LEVEL (its rule of facility.rules) over
# `arbiter gen claims` (several lines a claim), against the same five rules
# as one SQL query (bench/peers_lib.sql) in SQLite and DuckDB, with indexes,
# each in memory: timed with the data already loaded into tables, and with
# the load counted (the whole process, JSON Lines in, findings file out).
if [[ " $parts " == *" sql "* ]]; then
L=$tmp/lib
mkdir -p "$L/rules" "$L/tables"
cp examples/rules/item_sex.rules examples/rules/insurance.rules "$L/rules/"
cp examples/tables/item_sex.csv examples/tables/insurance_only.csv examples/tables/facility_level.csv "$L/tables/"
{
  sed -n '/^category FACILITY_LEVEL/,/^}/p' examples/rules/facility.rules
  sed -n '/^table facility_level/,/^}/p' examples/rules/facility.rules
  sed -n '/^rule FACILITY_LEVEL.1/,/^  flag/p' examples/rules/facility.rules
} >"$L/rules/facility_level.rules"
"$A" gen claims --n "$n" --seed 42 -o "$L/claims.jsonl"
"$A" compile "$L"/rules/*.rules -o "$L/lib.arbpack" >/dev/null 2>&1
cat >"$L/load_sqlite.sql" <<EOF
PRAGMA temp_store = MEMORY;
CREATE TABLE item_sex(code TEXT PRIMARY KEY, name TEXT, kind TEXT, sex TEXT);
CREATE TABLE insurance_only(code TEXT PRIMARY KEY, name TEXT, insurance TEXT);
CREATE TABLE facility_level(code TEXT PRIMARY KEY, name TEXT, min_level INTEGER);
.import --csv --skip 1 $L/tables/item_sex.csv item_sex
.import --csv --skip 1 $L/tables/insurance_only.csv insurance_only
.import --csv --skip 1 $L/tables/facility_level.csv facility_level
CREATE TEMP TABLE raw(j TEXT);
.mode ascii
.separator "\\037" "\\n"
.import --schema temp $L/claims.jsonl raw
.mode list
CREATE TABLE claims(claim_id TEXT PRIMARY KEY, sex TEXT, insurance_type TEXT, facility_level INTEGER);
CREATE TABLE lines(claim_id TEXT, line_no INTEGER, item_code TEXT);
INSERT INTO claims SELECT json_extract(j, '\$.claim_id'), json_extract(j, '\$.sex'),
  json_extract(j, '\$.insurance_type'), json_extract(j, '\$.facility_level') FROM temp.raw;
INSERT INTO lines SELECT json_extract(j, '\$.claim_id'), json_extract(l.value, '\$.line_no'),
  json_extract(l.value, '\$.item_code') FROM temp.raw, json_each(j, '\$.lines') l;
CREATE INDEX lines_code ON lines(item_code);
DROP TABLE temp.raw;
ANALYZE;
EOF
cat >"$L/load_duckdb.sql" <<EOF
CREATE TABLE item_sex AS SELECT * FROM read_csv('$L/tables/item_sex.csv', header = true,
  columns = {code: 'VARCHAR', name: 'VARCHAR', kind: 'VARCHAR', sex: 'VARCHAR'});
CREATE TABLE insurance_only AS SELECT * FROM read_csv('$L/tables/insurance_only.csv', header = true,
  columns = {code: 'VARCHAR', name: 'VARCHAR', insurance: 'VARCHAR'});
CREATE TABLE facility_level AS SELECT * FROM read_csv('$L/tables/facility_level.csv', header = true,
  columns = {code: 'VARCHAR', name: 'VARCHAR', min_level: 'INTEGER'});
CREATE TEMP TABLE raw AS SELECT * FROM read_json('$L/claims.jsonl', format = 'newline_delimited',
  columns = {claim_id: 'VARCHAR', sex: 'VARCHAR', insurance_type: 'VARCHAR', facility_level: 'INTEGER',
             lines: 'STRUCT(line_no INTEGER, item_code VARCHAR)[]'});
CREATE TABLE claims AS SELECT claim_id, sex, insurance_type, facility_level FROM temp.raw;
CREATE TABLE lines AS SELECT claim_id, l.line_no AS line_no, l.item_code AS item_code
  FROM (SELECT claim_id, unnest(lines) AS l FROM temp.raw);
DROP TABLE temp.raw;
CREATE UNIQUE INDEX claims_id ON claims(claim_id);
CREATE INDEX lines_code ON lines(item_code);
EOF
# data loaded: the query into a table of findings, 3 times (the best counts)
{
  for _ in 1 2 3; do
    echo "DROP TABLE IF EXISTS temp.f;"
    echo ".timer on"
    echo "CREATE TEMP TABLE f AS"
    cat bench/peers_lib.sql
    echo ";"
    echo ".timer off"
  done
  echo "SELECT count(*) FROM temp.f;"
} >"$L/mem_sqlite.sql"
{
  cat "$L/load_duckdb.sql"
  for _ in 1 2 3; do
    echo "DROP TABLE IF EXISTS f;"
    echo "-- time"
    echo "CREATE TEMP TABLE f AS"
    cat bench/peers_lib.sql
    echo ";"
  done
  echo "-- print"
  echo "SELECT count(*) FROM f;"
} >"$L/mem_duckdb.sql"
# load counted: JSON Lines in, findings file out
{
  echo ".read $L/load_sqlite.sql"
  echo ".mode tabs"
  echo ".once $L/sq.out"
  cat bench/peers_lib.sql
  echo ";"
} >"$L/e2e_sqlite.sql"
{
  cat "$L/load_duckdb.sql"
  echo "COPY ("
  cat bench/peers_lib.sql
  echo ") TO '$L/duck.out' (FORMAT csv, DELIMITER '	', HEADER false);"
} >"$L/e2e_duckdb.sql"

lres=$L/results # engine, seconds loaded, count, seconds with load, count
: >"$lres"
if have sqlite; then
  sqlite3 :memory: ".read $L/load_sqlite.sql" ".read $L/mem_sqlite.sql" >"$L/sq.mem"
  s=$(sed -n 's/^Run Time: real \([0-9.]*\).*/\1/p' "$L/sq.mem" | sort -g | head -n 1)
  e=$(timed sqlite3 :memory: ".read $L/e2e_sqlite.sql") || exit 1
  echo "SQLite $s $(tail -n 1 "$L/sq.mem") $e $(wc -l <"$L/sq.out")" >>"$lres"
fi
if have duckdb; then
  node bench/peers_duckdb.mjs "$cache" exec :memory: "$L/mem_duckdb.sql" >"$L/duck.mem"
  s=$(sed -n 's/^time //p' "$L/duck.mem" | sort -g | head -n 1)
  e=$(timed node bench/peers_duckdb.mjs "$cache" exec :memory: "$L/e2e_duckdb.sql") || exit 1
  echo "DuckDB $s $(tail -n 1 "$L/duck.mem") $e $(wc -l <"$L/duck.out")" >>"$lres"
fi
read -r got s <<<"$("$tmp/peers_arbiter" "$L/lib.arbpack" "$L/claims.jsonl" 2>"$L/cpu")"
read -r got2 s2 <<<"$("$tmp/peers_arbiter" --sessions "$L/lib.arbpack" "$L/claims.jsonl" 2>/dev/null)"
e=$(timed "$A" check --pack "$L/lib.arbpack" --claims "$L/claims.jsonl" -o "$L/f.jsonl" --threads 1) || exit 1
echo "Arbiter $s $got $e $(wc -l <"$L/f.jsonl")" >>"$lres"
echo "Arbiter-sessions $s2 $got2 $e $(wc -l <"$L/f.jsonl")" >>"$lres"
python3 - "$lres" "$n" "$(grep -o '"line_no"' "$L/claims.jsonl" | wc -l)" "$(cat "$L/cpu")" <<'PY'
import sys
rows = {r[0]: r[1:] for r in (l.split() for l in open(sys.argv[1]))}
n, lines = int(sys.argv[2]), int(sys.argv[3])
print(f"\nincumbent SQL: 5 rules of 3 example categories, {n:,} claims ({lines:,} lines), one thread")
print(f"{'engine':<16} | {'data loaded (s)':>15} {'claims/s':>11} {'Arbiter ÷':>9} | {'load counted (s)':>16} {'claims/s':>11} {'Arbiter ÷':>9} | findings")
a = rows["Arbiter"]
bad = []
for eng in ("Arbiter", "Arbiter-sessions", "SQLite", "DuckDB"):
    if eng not in rows:
        print(f"{eng:<16} | left out (not installed or PEERS_SKIP)")
        continue
    s, c1, e, c2 = rows[eng]
    s, e = float(s), float(e)
    print(f"{eng:<16} | {s:15.3f} {n / s:11,.0f} {s / float(a[0]):8.2f}× | {e:16.3f} {n / e:11,.0f} {e / float(a[2]):8.2f}× | {c1} / {c2}")
    if not (c1 == c2 == a[1]):
        bad.append(f"{eng}: {c1} / {c2} findings, Arbiter {a[1]}")
d = dict(zip(sys.argv[4].split()[0::2], sys.argv[4].split()[1::2]))
print("(data loaded: Arbiter checks a prepared claim set (arb_claimset_check; loaded untimed in"
      f" {float(d['load']):.3f} s wall, {float(d['load_cpu']):.3f} s CPU; its best pass {float(d['cpu']):.4f} s CPU),")
print(" Arbiter-sessions its sessions over the JSON text in memory (parsing it), the SQL query over tables;")
print(" load counted: the whole process, JSON Lines in, findings file out; Arbiter ÷: the engine's time ÷ Arbiter's)")
if bad:
    print("MISMATCH:\n  " + "\n  ".join(bad))
    sys.exit(1)
print("the findings counts match")
PY
fi
