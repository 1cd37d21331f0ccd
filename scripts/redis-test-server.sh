#!/usr/bin/env bash
# A throw-away Redis server for the tests.
#
#   scripts/redis-test-server.sh start DIR   # a fresh server, socket DIR/redis.sock
#   scripts/redis-test-server.sh stop DIR    # stop it and remove DIR
#
# The server listens only on the unix socket DIR/redis.sock (no TCP port), keeps nothing
# on disk, and needs no password. Connect with unix:DIR/redis.sock.
# Keep DIR short: a unix socket path must fit in 107 bytes.
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[[ $# -eq 2 ]] || usage
cmd=$1
dir=$2
[[ $dir == /* ]] || dir="$PWD/$dir"
REDIS_SERVER=${REDIS_SERVER:-redis-server}
REDIS_CLI=${REDIS_CLI:-redis-cli}
command -v "$REDIS_SERVER" >/dev/null || { echo "redis-test-server: no $REDIS_SERVER (install redis-server)" >&2; exit 1; }

sock="$dir/redis.sock"

stop_server() {
  if [[ -f $dir/redis.pid ]]; then
    local pid
    pid=$(cat "$dir/redis.pid")
    if kill -0 "$pid" 2>/dev/null; then
      "$REDIS_CLI" -s "$sock" shutdown nosave >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    fi
    rm -f "$dir/redis.pid"
  fi
}

case $cmd in
  start)
    if (( ${#dir} > 90 )); then
      echo "redis-test-server: socket directory too long (${#dir} bytes): $dir" >&2
      exit 1
    fi
    mkdir -p "$dir"
    chmod 700 "$dir"
    stop_server  # a server left over from an interrupted run
    "$REDIS_SERVER" --port 0 --unixsocket "$sock" --unixsocketperm 700 --daemonize yes \
      --pidfile "$dir/redis.pid" --dir "$dir" --logfile "$dir/redis.log" --save '' \
      --appendonly no --maxclients 1000 >/dev/null
    for _ in $(seq 1 200); do
      [[ $("$REDIS_CLI" -s "$sock" ping 2>/dev/null) == PONG ]] && exit 0
      sleep 0.05
    done
    echo "redis-test-server: the server did not start:" >&2
    tail -n 20 "$dir/redis.log" >&2 || true
    exit 1
    ;;
  stop)
    [[ -d $dir ]] || exit 0
    stop_server
    rm -rf "$dir"
    ;;
  *) usage ;;
esac
