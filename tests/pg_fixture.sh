#!/usr/bin/env bash
# pg_fixture.sh start|stop BUILD_DIR — a private PostgreSQL for the tests of
# the history store's PostgreSQL backend (ctest fixture "pg").
#
#   start  stops a server an earlier run left, makes a new cluster in
#          BUILD_DIR/pgdata (initdb; trust authentication, loopback only),
#          starts it on 127.0.0.1 on a free port, creates the database
#          "arbiter_test" and writes its URI to BUILD_DIR/pg.uri
#   stop   stops it and removes BUILD_DIR/pgdata and BUILD_DIR/pg.uri
#
# PostgreSQL refuses to run as root: as root the cluster belongs to the
# `postgres` system user and is run as it (runuser).  Each build directory
# has its own cluster and port, so build/ and build-asan/ can run at once.
# PGBIN overrides where the server's programs are (default: PostgreSQL 15);
# PG_FSYNC=on keeps fsync (off by default: a test cluster need not survive
# a crash; bench/history_pg.sh turns it on to measure durable writes).
set -euo pipefail
cmd=${1:?usage: pg_fixture.sh start|stop BUILD_DIR}
build=$(cd "${2:?usage: pg_fixture.sh start|stop BUILD_DIR}" && pwd)
pgbin=${PGBIN:-/usr/lib/postgresql/15/bin}
data=$build/pgdata
uri_file=$build/pg.uri

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

stop() {
  if [ -f "$data/postmaster.pid" ]; then
    as_pg "$pgbin/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$data" "$uri_file"
}

# A port nobody listens on: the kernel's pick for a socket bound to port 0.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

case $cmd in
stop)
  stop
  ;;
start)
  stop
  [ -x "$pgbin/initdb" ] || {
    echo "pg_fixture: no PostgreSQL server programs in $pgbin (scripts/setup.sh installs them)" >&2
    exit 1
  }
  mkdir -p "$data"
  chmod 700 "$data"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$data"
  as_pg "$pgbin/initdb" -D "$data" -U postgres -A trust -E UTF8 --no-locale --no-sync >"$build/pg_initdb.log" 2>&1 || {
    cat "$build/pg_initdb.log" >&2
    exit 1
  }
  {
    echo "listen_addresses = '127.0.0.1'"
    echo "unix_socket_directories = '$data'"
    echo "fsync = ${PG_FSYNC:-off}"
    echo "max_connections = 200"
  } >>"$data/postgresql.conf"
  # loopback only, no password (the cluster lives for one test run)
  printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' >"$data/pg_hba.conf"
  started=0
  for _ in 1 2 3 4 5; do # a port taken between the pick and the start: another
    port=$(free_port)
    if as_pg "$pgbin/pg_ctl" -D "$data" -o "-p $port" -l "$data/server.log" -w -t 30 start >/dev/null 2>&1; then
      started=1
      break
    fi
  done
  if [ $started = 0 ]; then
    echo "pg_fixture: postgres did not start:" >&2
    tail -20 "$data/server.log" >&2 || true
    exit 1
  fi
  as_pg "$pgbin/createdb" -h 127.0.0.1 -p "$port" -U postgres arbiter_test
  echo "postgresql://postgres@127.0.0.1:$port/arbiter_test" >"$uri_file"
  echo "pg_fixture: $(cat "$uri_file")"
  ;;
*)
  echo "usage: pg_fixture.sh start|stop BUILD_DIR" >&2
  exit 2
  ;;
esac
