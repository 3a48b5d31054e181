#!/usr/bin/env bash
# serve.sh ARBITER SRC — `arbiter serve` on 127.0.0.1, driven with curl and
# wrk: /v1/check and /v1/check/batch give the findings `arbiter check`
# gives for the same claims; the national 3101 requests of
# tests/data/nhsa3101 (numbers as strings, nulls, a single-object
# patient_dtos, long-term and current orders) give the findings of `arbiter
# check --input nhsa3101 --phase pre` on their current orders, with stable
# jr_ids, through /nhsa/3101, the /nhsa gateway and an alias; 3102 records
# the settled stay so the next stay within 15 days is flagged (split
# admission); 3103 answers are recorded (in the store, or a log);
# malformed bodies get 400 or
# infcode -1 naming the position; limits (413, 503), the x-tif signature
# and apikey, a header timeout, reload by SIGHUP and /admin/reload under load with zero failed
# requests, a broken pack leaving the old one serving, /metrics, and a
# SIGTERM that drains and exits 0.
set -uo pipefail
arbiter=$1 src=$2
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
lib=$src/stdlib-rules
n3101=$src/tests/data/nhsa3101
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# start NAME ARGS...: starts serve in the background on a free port; sets $port and $pid
start() {
  local name=$1
  shift
  port=$(free_port)
  "$arbiter" serve --listen "127.0.0.1:$port" --threads 2 "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 1 100); do
    curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && return 0
    sleep 0.05
  done
  echo "serve $name did not start:"
  cat "$tmp/$name.err"
  return 1
}
post() { curl -s -X POST --data-binary "@$2" "http://127.0.0.1:$port$1"; }

"$arbiter" compile "$lib" -o "$tmp/lib.arbpack" >/dev/null 2>&1 || { echo "compile failed"; exit 1; }
"$arbiter" history init "$tmp/hist" --pack "$tmp/lib.arbpack" >/dev/null 2>&1 || { echo "history init failed"; exit 1; }
start main --pack "$tmp/lib.arbpack" --history "$tmp/hist" --alias /fsi/api/riskConService/beforeAnalyze=3101 \
  --alias /gw=auto --access-log "$tmp/access.log" || exit 1
main_pid=$pid main_port=$port

# --help and usage
"$arbiter" serve --help | grep -q "POST /nhsa/3101" && ok || bad "serve --help"
"$arbiter" serve --listen 127.0.0.1:0 >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "serve without --pack: exit 2"
"$arbiter" serve --pack "$tmp/none.arbpack" --listen 127.0.0.1:0 2>"$tmp/nopack" >/dev/null
[ $? -eq 3 ] && grep -q "none.arbpack" "$tmp/nopack" && ok || bad "a missing pack: exit 3 naming it"

# (1) /v1/check and /v1/check/batch = arbiter check
canon=$n3101/canonical.jsonl
"$arbiter" check "$lib" --stdlib "$lib" --quiet --claims "$canon" -o "$tmp/check.jsonl"
i=0
while IFS= read -r line; do
  i=$((i + 1))
  printf '%s' "$line" >"$tmp/claim$i.json"
  post /v1/check "$tmp/claim$i.json" >"$tmp/answer$i.json"
done <"$canon"
post /v1/check/batch "$canon" >"$tmp/batch.jsonl"
python3 - "$tmp" "$i" <<'EOF' && ok || bad "/v1/check differs from arbiter check"
import json, sys
tmp, n = sys.argv[1], int(sys.argv[2])
want = [json.loads(l) for l in open(f"{tmp}/check.jsonl")]
got = []
for k in range(1, n + 1):
    got += json.load(open(f"{tmp}/answer{k}.json"))["findings"]
batch = []
for l in open(f"{tmp}/batch.jsonl"):
    batch += json.loads(l)["findings"]
assert want, "no findings to compare"
assert got == want, (got, want)
assert batch == want, (batch, want)
EOF
# phases: ?phase=pre checks only the pre-phase rules
"$arbiter" check "$lib" --stdlib "$lib" --quiet --claims "$canon" --phase pre -o "$tmp/check_pre.jsonl"
post "/v1/check/batch?phase=pre" "$canon" >"$tmp/batch_pre.jsonl"
python3 -c "
import json,sys
w=[json.loads(l) for l in open('$tmp/check_pre.jsonl')]
g=[f for l in open('$tmp/batch_pre.jsonl') for f in json.loads(l)['findings']]
sys.exit(0 if g==w else 1)" && ok || bad "?phase=pre"

# (2) the national interface: 3101 = check --input nhsa3101 --phase pre, current orders only
"$arbiter" check "$lib" --stdlib "$lib" --quiet --input nhsa3101 --phase pre --claims "$n3101/requests.jsonl" -o "$tmp/n.jsonl" 2>/dev/null
i=0
while IFS= read -r line; do
  i=$((i + 1))
  printf '%s' "$line" >"$tmp/req$i.json"
  post /nhsa/3101 "$tmp/req$i.json" >"$tmp/nhsa$i.json"
  post /nhsa "$tmp/req$i.json" >"$tmp/gw$i.json"
  post /fsi/api/riskConService/beforeAnalyze "$tmp/req$i.json" >"$tmp/alias$i.json"
  post /nhsa/3101 "$tmp/req$i.json" >"$tmp/again$i.json"
done <"$n3101/requests.jsonl"
python3 - "$tmp" "$i" "$canon" <<'EOF' && ok || bad "3101 answers"
import json, sys
tmp, n, canon = sys.argv[1], int(sys.argv[2]), sys.argv[3]
current = {}
for l in open(canon):
    c = json.loads(l)
    for ln in c.get("lines", []):
        current[(c["claim_id"], ln["line_no"])] = (ln.get("is_current", True), ln.get("order_no"))
want = []
for l in open(f"{tmp}/n.jsonl"):
    f = json.loads(l)
    if f["line_no"] is not None and current[(f["claim_id"], f["line_no"])][0] is False:
        continue
    rx = current[(f["claim_id"], f["line_no"])][1] if f["line_no"] is not None else None
    want.append((f["claim_id"], f["rule"], f["amount"], rx))
got = []
def amt(x):
    return "%.2f" % x
for k in range(1, n + 1):
    a = json.load(open(f"{tmp}/nhsa{k}.json"))
    assert a["infcode"] == 0 and type(a["infcode"]) is int, a
    assert a["err_msg"] == "", a
    assert isinstance(a["output"]["result"], list)
    for r in a["output"]["result"]:
        for key in ("jr_id", "rule_id", "rule_name", "vola_cont", "patn_id", "mdtrt_id",
                    "judge_result_detail_dtos", "vola_amt", "vola_amt_stas", "sev_deg",
                    "vola_evid", "vola_bhvr_type", "task_id"):
            assert key in r, (key, r)
        d = r["judge_result_detail_dtos"]
        rx = d[0]["rx_id"] if d else None
        if d:
            assert d[0]["vola_item_type"] == "1" and d[0]["vola_amt"] == r["vola_amt"], r
        got.append((r["mdtrt_id"], r["rule_id"], amt(r["vola_amt"]), rx))
    # the same request through the gateway, an alias and again: the same answer, same jr_ids
    for other in ("gw", "alias", "again"):
        b = json.load(open(f"{tmp}/{other}{k}.json"))
        assert b["output"] == a["output"], other
    ids = [r["jr_id"] for r in a["output"]["result"]]
    assert len(ids) == len(set(ids)), "jr_id not unique"
assert want, "no findings"
assert sorted(got) == sorted(want), (sorted(got), sorted(want))
# a long-term order (curr_drord_flag 0) is context: the check flags one, the answer does not
assert any(current[(json.loads(l)["claim_id"], json.loads(l)["line_no"])][0] is False
           for l in open(f"{tmp}/n.jsonl") if json.loads(l)["line_no"] is not None), \
    "the data has no finding on a context order (the filter is not tested)"
EOF

# (3) 3103 feedback: recorded with the jr_id; a bad one is refused naming the field
jr=$(python3 -c "import json; print(json.load(open('$tmp/nhsa1.json'))['output']['result'][0]['jr_id'])")
cat >"$tmp/fb.json" <<EOF
{"infno":"3103","msgid":"H0001202506120930000002","inf_time":"2025-06-12 09:31:00","input":{"data":{"warn_type":"1","warns":[{"warn_rslt_id":"$jr","dspo_way":"1","dspo_way_rea":"病情需要"}]}}}
EOF
echo '{"infno":"3103","input":{"data":{"warn_type":"1","warns":[{"warn_rslt_id":"x","dspo_way":"3"}]}}}' >"$tmp/fb_bad.json"
start fb --pack "$tmp/lib.arbpack" --access-log off || exit 1
post /nhsa/3103 "$tmp/fb.json" | grep -q '"infcode":-1.*not recorded here' && ok || bad "3103 without a place to record it not refused"
kill -TERM "$pid"; wait "$pid"
start fb --pack "$tmp/lib.arbpack" --feedback-log "$tmp/feedback.jsonl" --access-log off || exit 1
post /nhsa/3103 "$tmp/fb.json" | grep -q '"infcode":0' && ok || bad "3103 refused"
post /nhsa "$tmp/fb_bad.json" | grep -q '"infcode":-1.*warns\[0\].dspo_way' && ok || bad "a bad 3103 answer not refused with its field"
grep -q "\"jr_id\":\"$jr\".*病情需要" "$tmp/feedback.jsonl" && [ "$(wc -l <"$tmp/feedback.jsonl")" -eq 1 ] && ok ||
  bad "3103 answer not in the feedback log"
kill -TERM "$pid"; wait "$pid"
port=$main_port
# with a writable history store, 3103 answers go into it
post /nhsa/3103 "$tmp/fb.json" | grep -q '"infcode":0' && ok || bad "3103 refused with a history store"
"$arbiter" history feedback "$tmp/hist" -o "$tmp/fb_store.jsonl" >/dev/null 2>&1
grep -q "\"jr_id\":\"$jr\".*病情需要" "$tmp/fb_store.jsonl" 2>/dev/null && ok || bad "3103 answer not in 'arbiter history feedback'"

# (4) history: 3102 records the stay; the next stay within 15 days is flagged at its settlement
python3 "$src/tests/e2e/nhsa_stays.py" "$n3101/requests.jsonl" "$tmp" PSPLIT S1 S2
post /nhsa/3102 "$tmp/S1.json" >"$tmp/s1.out"
post /nhsa/3102 "$tmp/S2.json" >"$tmp/s2.out"
grep -q SPLIT_ADMISSION "$tmp/s1.out" && bad "the first stay flagged as split" || ok
grep -q '"rule_id":"SPLIT_ADMISSION.1".*S1' "$tmp/s2.out" && ok || { bad "split admission not flagged at the second settlement"; head -c 600 "$tmp/s2.out"; }
# /v1/check?record=1, then a check that sees it
python3 -c "
import json
for l in open('$src/tests/data/history/claims.jsonl'):
    c=json.loads(l)
    if c['claim_id'] in ('A1','A2'): open('$tmp/'+c['claim_id']+'.json','w').write(json.dumps(c))"
post "/v1/check?record=1" "$tmp/A1.json" | grep -q '"recorded":true' && ok || bad "?record=1"
post /v1/check "$tmp/A2.json" | grep -q '"rule":"SPLIT_ADMISSION.1".*"evidence":\[{"claim_id":"A1"' && ok || bad "?record=1 not seen by the next check"
# split admission is a settle and post rule: not checked at order entry
post "/v1/check?phase=pre" "$tmp/A2.json" | grep -q SPLIT_ADMISSION && bad "?phase=pre ran a settle rule" || ok
post "/v1/check?phase=settle" "$tmp/A2.json" | grep -q SPLIT_ADMISSION && ok || bad "?phase=settle"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary "@$tmp/A2.json" "http://127.0.0.1:$port/v1/check?phase=later")
[ "$code" = 400 ] && ok || bad "?phase=later: $code, not 400"

# (5) malformed bodies: 400 or infcode -1 with the position; never a crash
printf '{"claim_id": "X", "lines": [' >"$tmp/trunc.json"
post /v1/check "$tmp/trunc.json" | grep -q '"error":"column [0-9]*:' && ok || bad "truncated claim: no column"
curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary "@$tmp/trunc.json" "http://127.0.0.1:$port/v1/check" | grep -q 400 && ok || bad "truncated claim: not 400"
head -c 2000 "$tmp/req1.json" >"$tmp/trunc3101.json"
post /nhsa/3101 "$tmp/trunc3101.json" | grep -q '"infcode":-1.*"err_msg":"column [0-9]*: ' && ok || bad "truncated 3101: no infcode -1 with column"
sed 's/"cnt": "2"/"cnt": "两"/' "$tmp/req1.json" >"$tmp/badcnt.json"
post /nhsa/3101 "$tmp/badcnt.json" | grep -q 'fsi_order_dtos\[1\].cnt' && ok || bad "a wrong type not named by its field path"
sed 's/"trig_scen": "4"/"trig_scen": "23"/' "$tmp/req1.json" >"$tmp/badtrig.json"
post /nhsa/3101 "$tmp/badtrig.json" | grep -q '"infcode":-1.*trig_scen' && ok || bad "an unknown trig_scen not refused"
echo '{"infno":"9001"}' >"$tmp/9001.json"
post /nhsa "$tmp/9001.json" | grep -q '"infcode":-1.*9001' && ok || bad "an unserved infno"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v1/check")
[ "$code" = 405 ] && ok || bad "GET /v1/check: $code, not 405"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$port/etc/passwd")
[ "$code" = 404 ] && ok || bad "unknown path: $code, not 404"
head -c 20000000 /dev/zero >"$tmp/huge"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary "@$tmp/huge" "http://127.0.0.1:$port/v1/check")
[ "$code" = 413 ] && ok || bad "a 20 MB body: $code, not 413"
curl -s "http://127.0.0.1:$port/healthz" | grep -q '"status":"ok"' && ok || bad "alive after malformed bodies"

# (6) metrics
curl -s "http://127.0.0.1:$port/metrics" >"$tmp/metrics"
grep -q 'arbiter_requests_total{endpoint="check",status="2xx"}' "$tmp/metrics" &&
  grep -q 'arbiter_findings_total{category="SPLIT_ADMISSION"}' "$tmp/metrics" &&
  grep -q 'arbiter_unknown_input_keys_total{path="mode"}' "$tmp/metrics" &&
  grep -q 'arbiter_request_duration_seconds_bucket{endpoint="nhsa_3101",le="+Inf"}' "$tmp/metrics" &&
  grep -q '^arbiter_pack_info{pack_id="' "$tmp/metrics" &&
  grep -q '^arbiter_history_store_claims ' "$tmp/metrics" && ok || { bad "metrics"; grep -v '^#' "$tmp/metrics" | head -30; }
[ "$(wc -l <"$tmp/access.log")" -gt 20 ] && python3 -c "
import json
for l in open('$tmp/access.log'): json.loads(l)" && ok || bad "access log is not JSON Lines"

# (7) reload under load: 10 reloads (SIGHUP and /admin/reload), zero failed requests
cat >"$tmp/post.lua" <<'EOF'
wrk.method = "POST"
local f = io.open(os.getenv("BODY"), "rb")
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
EOF
BODY=$tmp/claim1.json wrk -t2 -c8 -d4s -s "$tmp/post.lua" "http://127.0.0.1:$port/v1/check" >"$tmp/wrk.out" 2>&1 &
wrk_pid=$!
sleep 0.5
for k in 1 2 3 4 5; do
  kill -HUP "$main_pid"
  sleep 0.2
  curl -s -X POST "http://127.0.0.1:$port/admin/reload" | grep -q '"reloaded":true' || bad "/admin/reload $k"
  sleep 0.2
done
wait "$wrk_pid"
grep -q "requests in" "$tmp/wrk.out" && ! grep -q -E "Non-2xx|Socket errors" "$tmp/wrk.out" && ok ||
  { bad "requests failed during reloads"; cat "$tmp/wrk.out"; }
reloads=$(curl -s "http://127.0.0.1:$port/metrics" | awk '/^arbiter_reloads_total /{print $2}')
[ "$reloads" = 10 ] && ok || bad "reloads counted: $reloads, not 10"
# a broken pack: refused, the old one keeps serving
id_before=$(curl -s "http://127.0.0.1:$port/healthz")
cp "$tmp/lib.arbpack" "$tmp/lib.good"
head -c 1000 "$tmp/lib.good" >"$tmp/lib.arbpack"
curl -s -X POST "http://127.0.0.1:$port/admin/reload" >"$tmp/reload_bad"
grep -q '"reloaded":false' "$tmp/reload_bad" && ok || bad "a broken pack reloaded"
[ "$(curl -s "http://127.0.0.1:$port/healthz")" = "$id_before" ] && ok || bad "the old pack no longer serving"
post /v1/check "$tmp/claim1.json" | grep -q '"findings":\[{' && ok || bad "checks fail after a refused reload"
curl -s "http://127.0.0.1:$port/metrics" | grep -q '^arbiter_reload_failures_total 1' && ok || bad "failed reload not in metrics"
cp "$tmp/lib.good" "$tmp/lib.arbpack"

# (8) authentication: apikey and x-tif signature, admin token; 503 beyond --max-connections
printf 'sekret\n' >"$tmp/secret"
printf 'key123\n' >"$tmp/apikey"
printf 'tok\n' >"$tmp/token"
start auth --pack "$tmp/lib.arbpack" --nhsa-secret-file "$tmp/secret" --apikey-file "$tmp/apikey" \
  --admin-token-file "$tmp/token" --max-connections 1 --header-timeout 1 --access-log off || exit 1
auth_pid=$pid
post /nhsa/3101 "$tmp/req1.json" | grep -q '"infcode":-1.*apikey' && ok || bad "no apikey accepted"
sig() { python3 -c "import hashlib,sys; t,n=sys.argv[1],sys.argv[2]; print(hashlib.sha256((t+'sekret'+n+t).encode()).hexdigest())" "$1" "$2"; }
ts=$(date +%s) nonce=abcdefabcdefabcdefabcdefabcdef12
curl -s -X POST --data-binary "@$tmp/req1.json" -H "apikey: key123" -H "x-tif-paasid: p" -H "x-tif-timestamp: $ts" \
  -H "x-tif-nonce: $nonce" -H "x-tif-signature: $(sig "$ts" "$nonce")" "http://127.0.0.1:$port/nhsa/3101" | grep -q '"infcode":0' && ok || bad "a good signature refused"
curl -s -X POST --data-binary "@$tmp/req1.json" -H "apikey: key123" -H "x-tif-timestamp: $ts" \
  -H "x-tif-nonce: $nonce" -H "x-tif-signature: $(sig "$ts" other)" "http://127.0.0.1:$port/nhsa/3101" | grep -q '"infcode":-1.*signature' && ok || bad "a bad signature accepted"
old=$((ts - 3600))
curl -s -X POST --data-binary "@$tmp/req1.json" -H "apikey: key123" -H "x-tif-timestamp: $old" \
  -H "x-tif-nonce: $nonce" -H "x-tif-signature: $(sig "$old" "$nonce")" "http://127.0.0.1:$port/nhsa/3101" | grep -q '"infcode":-1.*timestamp' && ok || bad "a stale timestamp accepted"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$port/admin/reload")
[ "$code" = 401 ] && ok || bad "reload without the token: $code"
curl -s -X POST -H "Authorization: Bearer tok" "http://127.0.0.1:$port/admin/reload" | grep -q '"reloaded":true' && ok || bad "reload with the token"
python3 - "$port" <<'EOF' && ok || bad "no 503 beyond --max-connections"
import socket, sys, time
port = int(sys.argv[1])
held = socket.create_connection(("127.0.0.1", port))
time.sleep(0.2)
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
reply = s.recv(4096).decode()
sys.exit(0 if reply.startswith("HTTP/1.1 503") else 1)
EOF
# a connection whose headers stall is closed after --header-timeout
python3 - "$port" <<'EOF' && ok || bad "stalled headers not cut after --header-timeout"
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /healthz HTTP/1.1\r\nHo")
s.settimeout(5)
t = time.time()
data = s.recv(4096)
sys.exit(0 if data == b"" and time.time() - t < 4 else 1)
EOF
kill -TERM "$auth_pid"
wait "$auth_pid"
[ $? -eq 0 ] && ok || bad "SIGTERM: not exit 0"

# (9) SIGTERM drains: a slow batch in flight is answered, then exit 0
port=$main_port
for _ in $(seq 1 2000); do cat "$canon"; done >"$tmp/many.jsonl"
curl -s -X POST --data-binary "@$tmp/many.jsonl" "http://127.0.0.1:$port/v1/check/batch" -o "$tmp/many.out" &
curl_pid=$!
# SIGTERM once the batch is being answered (in flight: it and the scrape
# asking), or once curl is done
for _ in $(seq 1 200); do
  kill -0 "$curl_pid" 2>/dev/null || break
  n=$(curl -s "http://127.0.0.1:$port/metrics" | awk '/^arbiter_requests_in_flight /{print $2}')
  [ "${n:-0}" -ge 2 ] && break
  sleep 0.01
done
kill -TERM "$main_pid"
wait "$curl_pid"
wait "$main_pid"
rc=$?
[ $rc -eq 0 ] && grep -q "stopped" "$tmp/main.err" && ok || { bad "SIGTERM: exit $rc"; tail -3 "$tmp/main.err"; }
[ "$(wc -l <"$tmp/many.out")" -eq "$(wc -l <"$tmp/many.jsonl")" ] && ok || bad "the batch in flight was cut: $(wc -l <"$tmp/many.out") lines"

echo "serve: $pass passed, $fail failed"
[ $fail -eq 0 ]
