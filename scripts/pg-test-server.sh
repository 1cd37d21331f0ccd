#!/usr/bin/env bash
# A throw-away PostgreSQL server for the tests.
#
#   scripts/pg-test-server.sh start DIR   # fresh cluster in DIR/data, socket in DIR
#   scripts/pg-test-server.sh stop DIR    # stop it and remove DIR
#
# The server listens only on a unix socket in DIR (no TCP), runs with fsync=off, and
# trusts local connections; the superuser is `postgres`. Connect with
#   host=DIR dbname=postgres user=postgres
# Keep DIR short: a unix socket path (DIR/.s.PGSQL.5432) must fit in 107 bytes.
# As root, the server runs as the `postgres` OS user (initdb refuses root); as any other
# user it runs as that user. PG_BIN overrides where the server binaries are.
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[[ $# -eq 2 ]] || usage
cmd=$1
dir=$2
[[ $dir == /* ]] || dir="$PWD/$dir"

if [[ -z ${PG_BIN:-} ]]; then
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
fi
[[ -x ${PG_BIN:-}/pg_ctl ]] || { echo "pg-test-server: no PostgreSQL server binaries (set PG_BIN)" >&2; exit 1; }

# Runs a server binary as the user that owns the cluster, from a directory it can read.
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    (cd "$dir" && runuser -u postgres -- "$@")
  else
    (cd "$dir" && "$@")
  fi
}

running() { [[ -f $dir/data/postmaster.pid ]] && as_owner "$PG_BIN/pg_ctl" status -D "$dir/data" >/dev/null 2>&1; }

stop_server() {
  if running; then
    as_owner "$PG_BIN/pg_ctl" stop -D "$dir/data" -m immediate -w -t 60 >/dev/null
  fi
}

case $cmd in
  start)
    if (( ${#dir} > 90 )); then
      echo "pg-test-server: socket directory too long (${#dir} bytes): $dir" >&2
      exit 1
    fi
    mkdir -p "$dir"
    stop_server  # a server left over from an interrupted run
    rm -rf "$dir/data" "$dir"/*.log
    if [[ $(id -u) -eq 0 ]]; then
      id postgres >/dev/null 2>&1 || { echo "pg-test-server: no 'postgres' OS user" >&2; exit 1; }
      chown postgres: "$dir"
    fi
    chmod 700 "$dir"
    if ! as_owner "$PG_BIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C \
        --no-sync >"$dir/initdb.log" 2>&1; then
      echo "pg-test-server: initdb failed:" >&2
      cat "$dir/initdb.log" >&2
      exit 1
    fi
    opts="-c listen_addresses='' -k $dir -c fsync=off -c synchronous_commit=off"
    opts+=" -c full_page_writes=off -c max_connections=200"
    if ! as_owner "$PG_BIN/pg_ctl" start -D "$dir/data" -o "$opts" -l "$dir/server.log" \
        -w -t 60 >/dev/null; then
      echo "pg-test-server: the server did not start:" >&2
      tail -n 20 "$dir/server.log" >&2
      exit 1
    fi
    for _ in $(seq 1 300); do
      "$PG_BIN/pg_isready" -q -h "$dir" -U postgres -d postgres && exit 0
      sleep 0.1
    done
    echo "pg-test-server: the server is not accepting connections:" >&2
    tail -n 20 "$dir/server.log" >&2
    exit 1
    ;;
  stop)
    [[ -d $dir ]] || exit 0
    stop_server
    rm -rf "$dir"
    ;;
  *) usage ;;
esac
