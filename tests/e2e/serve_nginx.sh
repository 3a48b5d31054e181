#!/usr/bin/env bash
# serve_nginx.sh ARBITER SRC — two `arbiter serve` instances behind nginx
# (Debian's, on 127.0.0.1), sharing one history store in PostgreSQL (the
# ctest fixture "pg": its URI in $ARB_PG_URI_FILE; skipped, exit 77,
# without one or without nginx):
#  - a stay settled (3102) on one instance is history for the other: the
#    next stay within 15 days, settled on the other, is flagged;
#  - nginx spreads requests over both; 3103 answers through it are recorded
#    in the shared store (`arbiter history feedback`);
#  - one instance killed (SIGKILL), every request through nginx is still
#    answered; /admin/ is not reachable through the proxy.
set -uo pipefail
arbiter=$1 src=$2
base=${ARB_PG_URI:-}
if [ -z "$base" ] && [ -n "${ARB_PG_URI_FILE:-}" ] && [ -f "$ARB_PG_URI_FILE" ]; then
  base=$(cat "$ARB_PG_URI_FILE")
fi
nginx=$(command -v nginx || echo /usr/sbin/nginx)
if [ -z "$base" ] || [ ! -x "$nginx" ]; then
  echo "serve_nginx: no PostgreSQL (ARB_PG_URI_FILE) or no nginx: skipped"
  exit 77
fi
tmp=$(mktemp -d)
chmod 755 "$tmp"
db=arb_nginx_$$
pids=()
cleanup() {
  [ -f "$tmp/nginx.pid" ] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  psql "$base" -qAtc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
  rm -rf "$tmp"
}
trap cleanup EXIT
fail=0 pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() {
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$1/healthz" && return 0; sleep 0.05; done
  return 1
}

psql "$base" -qAtc "CREATE DATABASE $db" >/dev/null || { echo "cannot create a database"; exit 1; }
uri=$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$base" "$db")
"$arbiter" compile "$src/stdlib-rules" -o "$tmp/lib.arbpack" >/dev/null 2>&1 || { echo "compile failed"; exit 1; }
"$arbiter" history init "$uri" --pack "$tmp/lib.arbpack" >/dev/null 2>&1 || { echo "history init on PostgreSQL failed"; exit 1; }

pa=$(free_port) pb=$(free_port) pn=$(free_port)
"$arbiter" serve --pack "$tmp/lib.arbpack" --history "$uri" --listen "127.0.0.1:$pa" --threads 2 \
  --access-log "$tmp/a.log" 2>"$tmp/a.err" &
a=$!
pids+=("$a")
"$arbiter" serve --pack "$tmp/lib.arbpack" --history "$uri" --listen "127.0.0.1:$pb" --threads 2 \
  --access-log "$tmp/b.log" 2>"$tmp/b.err" &
b=$!
pids+=("$b")
wait_up "$pa" && wait_up "$pb" || { echo "serve did not start"; cat "$tmp/a.err" "$tmp/b.err"; exit 1; }

mkdir -p "$tmp/nginx"
cat >"$tmp/nginx.conf" <<EOF
worker_processes 1;
daemon on;
pid $tmp/nginx.pid;
error_log $tmp/nginx/error.log;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $tmp/nginx/body;
  proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  uwsgi_temp_path $tmp/nginx/uwsgi;
  scgi_temp_path $tmp/nginx/scgi;
  upstream arbiter {
    server 127.0.0.1:$pa max_fails=1 fail_timeout=5s;
    server 127.0.0.1:$pb max_fails=1 fail_timeout=5s;
    keepalive 16;
  }
  server {
    listen 127.0.0.1:$pn;
    client_max_body_size 16m;
    location /admin/ { deny all; }
    location / {
      proxy_pass http://arbiter;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_next_upstream error timeout http_502 http_503;
      proxy_read_timeout 10s;
    }
  }
}
EOF
chmod -R 777 "$tmp/nginx"
"$nginx" -p "$tmp/nginx" -c "$tmp/nginx.conf" 2>"$tmp/nginx.err" || { echo "nginx did not start"; cat "$tmp/nginx.err"; exit 1; }
wait_up "$pn" || { echo "nginx does not answer"; cat "$tmp/nginx/error.log"; exit 1; }

# two inpatient stays of one person, 10 days apart, as 3102 requests
python3 "$src/tests/e2e/nhsa_stays.py" "$src/tests/data/nhsa3101/requests.jsonl" "$tmp" PNGINX N1 N2
post() { curl -s -X POST --data-binary "@$2" "http://127.0.0.1:$1$3"; }

# (1) settled on A, history for B
post "$pa" "$tmp/N1.json" /nhsa/3102 >"$tmp/n1.out"
grep -q '"infcode":0' "$tmp/n1.out" && ! grep -q SPLIT_ADMISSION "$tmp/n1.out" && ok || { bad "first stay on A"; head -c 400 "$tmp/n1.out"; }
post "$pb" "$tmp/N2.json" /nhsa/3102 >"$tmp/n2.out"
grep -q '"rule_id":"SPLIT_ADMISSION.1".*N1' "$tmp/n2.out" && ok || { bad "B does not see the stay A recorded"; head -c 400 "$tmp/n2.out"; }

# (2) through nginx: both instances answer; 3103 recorded in the shared store
for _ in $(seq 1 10); do post "$pn" "$tmp/N2.json" /nhsa >>"$tmp/via.out"; echo >>"$tmp/via.out"; done
[ "$(grep -c '"infcode":0' "$tmp/via.out")" -eq 10 ] && ok || bad "requests through nginx failed"
grep -q nhsa "$tmp/a.log" && grep -q nhsa "$tmp/b.log" && [ "$(grep -c '"endpoint":"nhsa_3102"' "$tmp/a.log")" -gt 1 ] &&
  [ "$(grep -c '"endpoint":"nhsa_3102"' "$tmp/b.log")" -gt 1 ] && ok || bad "nginx did not spread the requests over both"
jr=$(python3 -c "import json; print([r for r in json.load(open('$tmp/n2.out'))['output']['result'] if r['rule_id'] == 'SPLIT_ADMISSION.1'][0]['jr_id'])")
echo "{\"infno\":\"3103\",\"msgid\":\"M3103\",\"input\":{\"data\":{\"warn_type\":\"2\",\"warns\":[{\"warn_rslt_id\":\"$jr\",\"dspo_way\":\"1\",\"dspo_way_rea\":\"再次入院为新发疾病\"}]}}}" >"$tmp/fb.json"
post "$pn" "$tmp/fb.json" /nhsa | grep -q '"infcode":0' && ok || bad "3103 through nginx"
"$arbiter" history feedback "$uri" -o "$tmp/fb_export.jsonl" >/dev/null 2>&1
grep -q "\"jr_id\":\"$jr\".*再次入院为新发疾病" "$tmp/fb_export.jsonl" 2>/dev/null && ok || bad "3103 answer not in the shared store"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$pn/admin/reload")
[ "$code" = 403 ] && ok || bad "/admin/reload reachable through nginx: $code"

# (3) kill one instance: every request through nginx is still answered
kill -KILL "$a"
wait "$a" 2>/dev/null
: >"$tmp/after.out"
for _ in $(seq 1 20); do post "$pn" "$tmp/N2.json" /nhsa/3102 >>"$tmp/after.out"; echo >>"$tmp/after.out"; done
[ "$(grep -c '"infcode":0' "$tmp/after.out")" -eq 20 ] && ok || { bad "requests lost after killing an instance"; grep -vc infcode "$tmp/after.out"; }

echo "serve_nginx: $pass passed, $fail failed"
[ $fail -eq 0 ]
