#!/usr/bin/env bash
# bench/run.sh — throughput and latency of Switchyard against a same-run baseline.
#
# Starts, on 127.0.0.1 only and on free ports:
#   mock        nginx returning a fixed chat.completion (the upstream of everything else)
#   nginx       nginx as a plain keep-alive reverse proxy in front of the mock (the baseline)
#   switchyard  build/release/switchyard in front of the mock
#   portkey     the Portkey gateway (npm @portkey-ai/gateway) when it is installed
# and measures each with wrk (-t1, POST of a ~1 KB chat-completions body) at c=1 and c=32.
# Prints a table (req/s, p50, p99, added p50 vs direct, RSS) and the ratios against the
# nginx proxy; --json FILE also writes them as JSON. Every process it starts is stopped
# on exit. Run `bench/run.sh --help` for the options.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR="$ROOT/bench"

DURATION=10
WARMUP=2
ROUNDS=""
KEEP=0
THREADS=0
AUDIT=batch
CONFIG=""
JSON_OUT=""
WITH_PORTKEY=0
NO_PORTKEY=0
LUA_STATUS=1
NGINX_WORKERS=1
MODEL=bench
BINARY="$ROOT/build/release/switchyard"
CONCURRENCIES=(1 32)

usage() {
  cat <<EOF
Usage: bench/run.sh [options]

  --duration S      seconds of measurement per target and concurrency (default 10)
  --rounds N        split them into N interleaved rounds (default 5; 3 with --quick)
  --quick           --duration 3 with 1 s warm-ups (for development)
  --threads N       server.threads of the generated Switchyard config (default 0: one per core)
  --audit MODE      audit trail of the generated config: batch (the default), sync or off
  --config FILE     benchmark Switchyard with this config instead of the generated one.
                    The mock's address is exported as \${BENCH_MOCK_URL} (http://127.0.0.1:PORT)
                    and \${BENCH_MOCK_PORT}, and --threads as \${BENCH_THREADS}, so the file can
                    say e.g. base_url: \${BENCH_MOCK_URL}/v1. It must serve the model given by
                    --model (default "bench"); server.listen is overridden.
  --nginx-workers N worker_processes of the nginx proxy (default 1; the mock always has 1).
                    Switchyard's default is one thread per core: compare with --threads 1 too
  --model NAME      the "model" of the request body (default bench)
  --binary PATH     the switchyard binary (default build/release/switchyard)
  --json FILE       also write the results as JSON to FILE
  --with-portkey    npm install @portkey-ai/gateway into bench/node_modules if it is missing
  --no-portkey      skip Portkey even when it is installed
  --no-lua-status   do not count statuses in Lua (wrk then only counts >= 400 itself); the Lua
                    response() callback costs wrk ~5-10% of its top rate against the mock
  --keep            keep the temporary directory (configs, logs, wrk outputs)
  -h, --help        this text

Portkey is measured when it is found in bench/node_modules or in the global npm root.
EOF
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) DURATION="${2:?$1 needs a value}"; shift 2 ;;
    --quick) DURATION=3; WARMUP=1; ROUNDS=${ROUNDS:-3}; shift ;;
    --rounds) ROUNDS="${2:?$1 needs a value}"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --no-lua-status) LUA_STATUS=0; shift ;;
    --nginx-workers) NGINX_WORKERS="${2:?$1 needs a value}"; shift 2 ;;
    --threads) THREADS="${2:?$1 needs a value}"; shift 2 ;;
    --audit) AUDIT="${2:?$1 needs a value}"; shift 2 ;;
    --config) CONFIG="${2:?$1 needs a value}"; shift 2 ;;
    --model) MODEL="${2:?$1 needs a value}"; shift 2 ;;
    --binary) BINARY="${2:?$1 needs a value}"; shift 2 ;;
    --json) JSON_OUT="${2:?$1 needs a value}"; shift 2 ;;
    --with-portkey) WITH_PORTKEY=1; shift ;;
    --no-portkey) NO_PORTKEY=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

[[ "$DURATION" =~ ^[0-9]+$ && "$DURATION" -ge 1 && "$DURATION" -le 600 ]] ||
  { echo "run.sh: --duration must be 1..600 seconds" >&2; exit 2; }
: "${ROUNDS:=5}"
[[ "$ROUNDS" =~ ^[0-9]+$ && "$ROUNDS" -ge 1 ]] || { echo "run.sh: --rounds must be >= 1" >&2; exit 2; }
((ROUNDS <= DURATION)) || ROUNDS=$DURATION
ROUND_SECS=$((DURATION / ROUNDS))  # wrk takes whole seconds
DURATION=$((ROUND_SECS * ROUNDS))
[[ "$NGINX_WORKERS" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --nginx-workers must be >= 1" >&2; exit 2; }
[[ "$THREADS" =~ ^[0-9]+$ ]] || { echo "run.sh: --threads must be a number" >&2; exit 2; }
[[ "$MODEL" =~ ^[A-Za-z0-9._:/-]+$ ]] || { echo "run.sh: --model has odd characters" >&2; exit 2; }
if [[ -n "$CONFIG" ]]; then
  [[ -r "$CONFIG" ]] || { echo "run.sh: cannot read --config $CONFIG" >&2; exit 2; }
  CONFIG=$(cd "$(dirname "$CONFIG")" && pwd)/$(basename "$CONFIG")
fi
if [[ -n "$JSON_OUT" && "$JSON_OUT" != /* ]]; then JSON_OUT="$PWD/$JSON_OUT"; fi
if [[ "$BINARY" != /* ]]; then BINARY="$PWD/$BINARY"; fi
[[ "$AUDIT" =~ ^(batch|sync|off)$ ]] || { echo "run.sh: --audit must be batch, sync or off" >&2; exit 2; }

for tool in wrk curl awk; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is required (apt-get install $tool)" >&2; exit 2; }
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[[ -x "$NGINX" ]] || { echo "run.sh: nginx is required (apt-get install nginx-light)" >&2; exit 2; }
if [[ ! -x "$BINARY" ]]; then
  cat >&2 <<EOF
run.sh: $BINARY is missing. Build it first:
  cd $ROOT && cmake --preset release && cmake --build build/release -j2
EOF
  exit 2
fi

# ---------------------------------------------------------------------------------------
# Process bookkeeping: everything started is recorded and stopped on exit.
TMP=$(mktemp -d /tmp/switchyard-bench.XXXXXX)
chmod 755 "$TMP"  # nginx workers run as nobody when started by root
PIDS=()

stop_pid() {  # stop_pid PID: TERM, wait up to 5 s, then KILL
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$? pid
  trap - EXIT INT TERM
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do stop_pid "${PIDS[i]}"; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ "$KEEP" == 1 ]]; then echo "[bench] kept $TMP" >&2; else rm -rf "$TMP"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

die() { echo "run.sh: $*" >&2; exit 1; }
log() { echo "[bench] $*" >&2; }

# A free loopback port: ask the kernel (python3), else probe with bash /dev/tcp.
TAKEN_PORTS=" "
free_port() {
  local p
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    if command -v python3 >/dev/null; then
      p=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    else
      p=$((20000 + RANDOM % 30000))
      if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then continue; fi
    fi
    if [[ "$TAKEN_PORTS" != *" $p "* ]]; then
      TAKEN_PORTS+="$p "
      echo "$p"
      return 0
    fi
  done
  die "could not find a free port"
}

wait_port() {  # wait_port PORT PID NAME LOGFILE: until PORT accepts (20 s max)
  local port=$1 pid=$2 name=$3 logfile=$4
  for ((i = 0; i < 200; i++)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "run.sh: $name exited during start-up; its log:" >&2
      tail -n 30 "$logfile" >&2 || true
      exit 1
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  tail -n 30 "$logfile" >&2 || true
  die "$name did not listen on 127.0.0.1:$port within 20 s"
}

# ---------------------------------------------------------------------------------------
# The request and the mock's answer.
filler() {  # filler N: N characters of plain text (no quotes, backslashes or dollars)
  local s="The quick brown fox jumps over the lazy dog while the gateway routes requests. "
  while ((${#s} < $1)); do s+="$s"; done
  printf '%s' "${s:0:$1}"
}
BODY='{"model":"'"$MODEL"'","messages":[{"role":"system","content":"'"$(filler 300)"'"},{"role":"user","content":"'"$(filler 560)"'"},{"role":"assistant","content":"'"$(filler 40)"'"},{"role":"user","content":"Summarise the above in one sentence."}],"max_tokens":64,"temperature":0}'
printf '%s' "$BODY" >"$TMP/body.json"

# Fixed chat.completion with usage. It goes inside single quotes in nginx.conf: no single
# quotes, no dollars, and no raw newlines in it.
MOCK_RESPONSE='{"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"bench","choices":[{"index":0,"message":{"role":"assistant","content":"A fixed answer from the benchmark mock."},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":220,"completion_tokens":9,"total_tokens":229}}'

# wrk script: POST the body; count non-2xx responses. The count is read back in done().
make_lua() {  # make_lua FILE [HEADER VALUE]...
  local file=$1; shift
  {
    echo 'wrk.method = "POST"'
    echo 'wrk.headers["Content-Type"] = "application/json"'
    while [[ $# -gt 0 ]]; do
      echo "wrk.headers[\"$1\"] = \"$2\""
      shift 2
    done
    echo "wrk.body = [==[$BODY]==]"
    [[ "$LUA_STATUS" == 1 ]] || return 0
    cat <<'EOF'
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) non2xx = 0; first_bad = "" end
function response(status, headers, body)
  if status < 200 or status > 299 then
    if non2xx == 0 then first_bad = tostring(status) .. " " .. string.sub(body or "", 1, 200) end
    non2xx = non2xx + 1
  end
end
function done(summary, latency, requests)
  local n, first = 0, ""
  for _, t in ipairs(threads) do
    n = n + t:get("non2xx")
    local f = t:get("first_bad")
    if first == "" and f ~= nil then first = f end
  end
  io.write(string.format("BENCH_NON2XX %d\n", n))
  if n > 0 then io.write("BENCH_FIRST_BAD " .. string.gsub(first, "\n", " ") .. "\n") end
end
EOF
  } >"$file"
}

# ---------------------------------------------------------------------------------------
# nginx instances (mock and proxy), each with its own prefix directory.
nginx_common() {  # nginx_common DIR WORKERS
  cat <<EOF
daemon off;
master_process on;
worker_processes $2;
pid $1/nginx.pid;
error_log $1/error.log warn;
events { worker_connections 4096; }
EOF
}
nginx_temp_paths() {
  cat <<EOF
  client_body_temp_path $1/client_body;
  proxy_temp_path $1/proxy;
  fastcgi_temp_path $1/fastcgi;
  uwsgi_temp_path $1/uwsgi;
  scgi_temp_path $1/scgi;
EOF
}

start_nginx() {  # start_nginx NAME DIR PORT: config in DIR/nginx.conf; sets NGINX_PID
  local name=$1 dir=$2 port=$3
  "$NGINX" -t -q -p "$dir/" -c "$dir/nginx.conf" -e "$dir/error.log" 2>"$dir/test.log" ||
    { cat "$dir/test.log" >&2; die "$name: nginx rejected its config ($dir/nginx.conf)"; }
  "$NGINX" -p "$dir/" -c "$dir/nginx.conf" -e "$dir/error.log" >"$dir/stdout.log" 2>&1 &
  NGINX_PID=$!
  PIDS+=("$NGINX_PID")
  wait_port "$port" "$NGINX_PID" "$name" "$dir/error.log"
  # Record the worker too, so it is stopped even if the master has to be killed.
  local w
  sleep 0.2
  for w in $(children "$NGINX_PID"); do PIDS+=("$w"); done
}

children() {  # children PID: the pids whose parent is PID (without procps)
  local f line fields
  for f in /proc/[0-9]*/stat; do
    { read -r line <"$f"; } 2>/dev/null || continue
    read -r -a fields <<<"${line##*) }"  # after "pid (comm) ": state ppid ...
    [[ "${fields[1]}" == "$1" ]] && echo "${line%% *}"
  done
  return 0
}

# ---------------------------------------------------------------------------------------
# Measurement helpers.
to_us() {  # to_us 12.34ms -> 12340.00
  awk -v v="$1" 'BEGIN {
    n = v; u = v; sub(/[a-z]+$/, "", n); sub(/^[0-9.]+/, "", u)
    f = (u == "us") ? 1 : (u == "ms") ? 1000 : (u == "s") ? 1000000 : (u == "m") ? 60000000 : -1
    if (f < 0) { print "nan"; exit }
    printf "%.2f", n * f }'
}

check_target() {  # check_target NAME URL [HEADER VALUE]...: a 200 chat.completion, or die
  local name=$1 url=$2; shift 2
  local args=() out code
  while [[ $# -gt 0 ]]; do args+=(-H "$1: $2"); shift 2; done
  out="$TMP/check-$name.out"
  code=$(curl -sS --max-time 10 -o "$out" -w '%{http_code}' -X POST \
    -H 'Content-Type: application/json' "${args[@]}" --data-binary "@$TMP/body.json" "$url") ||
    die "$name: the check request failed (curl error)"
  if [[ "$code" != 200 ]] || ! grep -q '"chat.completion"' "$out"; then
    echo "run.sh: $name answered HTTP $code instead of a 200 chat.completion:" >&2
    head -c 600 "$out" >&2; echo >&2
    exit 1
  fi
  log "$name: check ok (HTTP 200, chat.completion)"
}

# Results. Keys are "target,c" (aggregates) and "target,c,round" (one wrk run).
declare -A RPS P50 P99 NON2XX SOCKERR FIRSTBAD RSS_KB HWM_KB ADDED
declare -A R_RPS R_P50 R_P99 CPU_TICKS REQS CPU_US
declare -A LABEL URL PID LUA
TARGETS=()

target_pids() {  # target_pids NAME: the serving process(es) of a target
  local pids=${PID[$1]}
  if [[ "$pids" == workers-of:* ]]; then pids=$(children "${pids#workers-of:}"); fi
  echo "$pids"
}

cpu_ticks() {  # cpu_ticks NAME: user + system CPU of the target's process(es), in clock ticks
  local p line fields total=0
  for p in $(target_pids "$1"); do
    { read -r line <"/proc/$p/stat"; } 2>/dev/null || continue
    read -r -a fields <<<"${line##*) }"  # fields[11] = utime, fields[12] = stime
    total=$((total + fields[11] + fields[12]))
  done
  echo "$total"
}

run_wrk() {  # run_wrk NAME C SECONDS [ROUND]: without ROUND it is a warm-up, not recorded
  local name=$1 c=$2 secs=$3 round=${4:-}
  local out="$TMP/wrk-$name-c$c-${round:-warmup}.txt"
  local ticks_before
  ticks_before=$(cpu_ticks "$name")
  timeout $((secs + 30)) wrk -t1 -c"$c" -d"${secs}s" --timeout 5s --latency -s "${LUA[$name]}" \
    "${URL[$name]}" >"$out" 2>&1 || { cat "$out" >&2; die "$name: wrk failed at c=$c"; }
  [[ -n "$round" ]] || return 0
  local key="$name,$c,$round" agg="$name,$c" n s first
  CPU_TICKS[$agg]=$((${CPU_TICKS[$agg]:-0} + $(cpu_ticks "$name") - ticks_before))
  REQS[$agg]=$((${REQS[$agg]:-0} + $(awk '/requests in/ {print $1; exit}' "$out")))
  R_RPS[$key]=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  R_P50[$key]=$(to_us "$(awk '$1 == "50%" {print $2}' "$out")")
  R_P99[$key]=$(to_us "$(awk '$1 == "99%" {print $2}' "$out")")
  [[ -n "${R_RPS[$key]}" && "${R_P50[$key]}" != nan ]] ||
    { cat "$out" >&2; die "$name: could not parse wrk output"; }
  # Non-2xx from the Lua counter; wrk's own count (status >= 400) as a floor.
  n=$(awk '/^BENCH_NON2XX/ {lua = $2} /Non-2xx or 3xx responses:/ {own = $NF}
           END {print (lua + 0 > own + 0) ? lua + 0 : own + 0}' "$out")
  s=$(awk '/Socket errors:/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$out")
  first=$(sed -n 's/^BENCH_FIRST_BAD //p' "$out" | head -c 200)
  NON2XX[$agg]=$((${NON2XX[$agg]:-0} + ${n:-0}))
  SOCKERR[$agg]=$((${SOCKERR[$agg]:-0} + ${s:-0}))
  log "$(printf '%-10s c=%-2s round %s  %10s req/s  p50 %8s us  p99 %9s us  non-2xx %s  socket errors %s' \
    "$name" "$c" "$round" "${R_RPS[$key]}" "${R_P50[$key]}" "${R_P99[$key]}" "${n:-0}" "${s:-0}")"
  if [[ "${n:-0}" != 0 || "${s:-0}" != 0 ]]; then
    [[ -n "${FIRSTBAD[$agg]:-}" ]] || FIRSTBAD[$agg]=$first
    echo "" >&2
    echo "!!!!! WARNING: $name at c=$c (round $round): ${n:-0} non-2xx responses, ${s:-0} socket errors" >&2
    [[ -z "$first" ]] || echo "!!!!! first bad response: $first" >&2
    grep 'Socket errors' "$out" >&2 || true
    echo "" >&2
  fi
}

calc() { awk "BEGIN { $1 }"; }
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {
  printf "%.2f", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
mean() { printf '%s\n' "$@" | awk '{s += $1} END {printf "%.2f", s / NR}'; }

aggregate() {  # aggregate NAME C: req/s = mean of the rounds, p50/p99 = median of the rounds
  local name=$1 c=$2 r rps=() p50=() p99=()
  for ((r = 1; r <= ROUNDS; r++)); do
    rps+=("${R_RPS[$name,$c,$r]}"); p50+=("${R_P50[$name,$c,$r]}"); p99+=("${R_P99[$name,$c,$r]}")
  done
  RPS[$name,$c]=$(mean "${rps[@]}")
  P50[$name,$c]=$(median "${p50[@]}")
  P99[$name,$c]=$(median "${p99[@]}")
}

cpu_per_request() {  # cpu_per_request NAME C: CPU µs the target spent per request
  local agg="$1,$2"
  calc "printf \"%.1f\", ${CPU_TICKS[$agg]:-0} * 1000000 / $(getconf CLK_TCK) / (${REQS[$agg]:-0} > 0 ? ${REQS[$agg]} : 1)"
}

sample_rss() {  # sample_rss NAME: VmRSS/VmHWM in kB (summed over the workers of an nginx)
  local pids=${PID[$1]} p f
  RSS_KB[$1]=""; HWM_KB[$1]=""
  if [[ "$pids" == workers-of:* ]]; then pids=$(children "${pids#workers-of:}"); fi
  for p in $pids; do
    f="/proc/$p/status"
    [[ -r "$f" ]] || continue
    RSS_KB[$1]=$((${RSS_KB[$1]:-0} + $(awk '/^VmRSS:/ {print $2}' "$f")))
    HWM_KB[$1]=$((${HWM_KB[$1]:-0} + $(awk '/^VmHWM:/ {print $2}' "$f")))
  done
}

add_target() {  # add_target NAME LABEL URL PID [HEADER VALUE]...: check it, then warm it up
  local name=$1; shift
  LABEL[$name]=$1 URL[$name]=$2 PID[$name]=$3 LUA[$name]="$TMP/$name.lua"
  shift 3
  TARGETS+=("$name")
  make_lua "${LUA[$name]}" "$@"
  check_target "$name" "${URL[$name]}" "$@"
  run_wrk "$name" 32 "$WARMUP"  # warm-up: connection pools, caches, JIT
}

# ---------------------------------------------------------------------------------------
# Machine state at the start.
LOADAVG_START=$(cut -d' ' -f1-3 /proc/loadavg)
log "$(nproc) cores, load average at start: $LOADAVG_START; $ROUNDS rounds of $ROUND_SECS s per target and concurrency, body $(wc -c <"$TMP/body.json") bytes"

# 1. The mock.
MOCK_PORT=$(free_port)
MOCK_DIR="$TMP/mock"; mkdir -p "$MOCK_DIR"
{
  nginx_common "$MOCK_DIR" 1
  cat <<EOF
http {
  access_log off;
  default_type application/json;
  keepalive_requests 1000000;
  keepalive_timeout 75s;
$(nginx_temp_paths "$MOCK_DIR")
  server {
    listen 127.0.0.1:$MOCK_PORT;
    location = /v1/chat/completions {
      return 200 '$MOCK_RESPONSE';
    }
    location / {
      return 404 '{"error":{"message":"not found","type":"invalid_request_error"}}';
    }
  }
}
EOF
} >"$MOCK_DIR/nginx.conf"
start_nginx mock "$MOCK_DIR" "$MOCK_PORT"
MOCK_PID=$NGINX_PID
MOCK_URL="http://127.0.0.1:$MOCK_PORT"
log "mock: nginx on $MOCK_URL (pid $MOCK_PID)"
add_target direct "direct to mock" "$MOCK_URL/v1/chat/completions" "workers-of:$MOCK_PID"

# 2. nginx as a keep-alive reverse proxy.
PROXY_PORT=$(free_port)
PROXY_DIR="$TMP/proxy"; mkdir -p "$PROXY_DIR"
{
  nginx_common "$PROXY_DIR" "$NGINX_WORKERS"
  cat <<EOF
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 75s;
$(nginx_temp_paths "$PROXY_DIR")
  upstream mock {
    server 127.0.0.1:$MOCK_PORT;
    keepalive 64;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:$PROXY_PORT;
    location / {
      proxy_pass http://mock;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
EOF
} >"$PROXY_DIR/nginx.conf"
start_nginx nginx-proxy "$PROXY_DIR" "$PROXY_PORT"
PROXY_PID=$NGINX_PID
log "nginx proxy on 127.0.0.1:$PROXY_PORT (pid $PROXY_PID)"
add_target nginx "nginx proxy ($NGINX_WORKERS worker$( ((NGINX_WORKERS > 1)) && echo s))" "http://127.0.0.1:$PROXY_PORT/v1/chat/completions" \
  "workers-of:$PROXY_PID"

# 3. Switchyard.
SY_PORT=$(free_port)
SY_DIR="$TMP/switchyard"; mkdir -p "$SY_DIR"
export BENCH_MOCK_URL="$MOCK_URL" BENCH_MOCK_PORT="$MOCK_PORT" BENCH_THREADS="$THREADS"
if [[ -n "$CONFIG" ]]; then
  SY_CONFIG="$CONFIG"
  [[ "$THREADS" == 0 ]] || log "--threads is only used through \${BENCH_THREADS} with --config"
else
  SY_CONFIG="$SY_DIR/switchyard.yaml"
  cat >"$SY_CONFIG" <<EOF
# Generated by bench/run.sh: one deployment in front of the nginx mock.
data_dir: $SY_DIR/data
audit: {enabled: $([[ $AUDIT == off ]] && echo false || echo true), durability: $([[ $AUDIT == sync ]] && echo sync || echo batch)}
server:
  listen: 127.0.0.1:$SY_PORT
  threads: $THREADS
  access_log: false
providers:
  mock:
    type: openai_compatible
    base_url: $MOCK_URL/v1
deployments:
  bench:
    provider: mock
    model: bench
EOF
fi
"$BINARY" config check "$SY_CONFIG" >"$SY_DIR/check.log" 2>&1 ||
  { cat "$SY_DIR/check.log" >&2; die "switchyard rejected the config $SY_CONFIG"; }
(cd "$SY_DIR" && exec "$BINARY" serve --config "$SY_CONFIG" --listen "127.0.0.1:$SY_PORT" \
  --log-level warn >"$SY_DIR/stdout.log" 2>"$SY_DIR/stderr.log") &
SY_PID=$!
PIDS+=("$SY_PID")
wait_port "$SY_PORT" "$SY_PID" switchyard "$SY_DIR/stderr.log"
log "switchyard on 127.0.0.1:$SY_PORT (pid $SY_PID, config $SY_CONFIG)"
SY_THREADS_SHOWN=$THREADS
[[ "$SY_THREADS_SHOWN" != 0 ]] || SY_THREADS_SHOWN="$(nproc)"
[[ -z "$CONFIG" ]] || SY_THREADS_SHOWN="config"
add_target switchyard "switchyard ($SY_THREADS_SHOWN thr)" "http://127.0.0.1:$SY_PORT/v1/chat/completions" "$SY_PID"

# 4. Portkey, when installed (or --with-portkey).
find_portkey() {
  local d
  for d in "$BENCH_DIR/node_modules/@portkey-ai/gateway" \
           "$(npm root -g 2>/dev/null || true)/@portkey-ai/gateway"; do
    if [[ -f "$d/build/start-server.js" ]]; then echo "$d"; return 0; fi
  done
  return 1
}
PORTKEY_VERSION=""
if [[ "$NO_PORTKEY" == 0 ]]; then
  PK_HOME=$(find_portkey || true)
  if [[ -z "$PK_HOME" && "$WITH_PORTKEY" == 1 ]]; then
    if command -v npm >/dev/null; then
      log "installing @portkey-ai/gateway into $BENCH_DIR/node_modules (npm install --no-save)"
      (cd "$BENCH_DIR" && timeout 600 npm install --no-save --no-audit --no-fund --no-package-lock \
         @portkey-ai/gateway >"$TMP/npm.log" 2>&1) ||
        { tail -n 20 "$TMP/npm.log" >&2; log "npm install failed; skipping Portkey"; }
      PK_HOME=$(find_portkey || true)
    else
      log "npm not found; skipping Portkey"
    fi
  fi
  if [[ -n "$PK_HOME" ]] && ! command -v node >/dev/null; then
    log "node not found; skipping Portkey"; PK_HOME=""
  fi
  if [[ -n "$PK_HOME" ]]; then
    PORTKEY_VERSION=$(awk -F'"' '/"version":/ {print $4; exit}' "$PK_HOME/package.json")
    PK_PORT=$(free_port)
    PK_DIR="$TMP/portkey"; mkdir -p "$PK_DIR"
    # Portkey has no host flag and listens on every interface; this preload pins its
    # listening sockets to 127.0.0.1.
    cat >"$PK_DIR/loopback.cjs" <<'EOF'
const net = require("net");
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === "number" || (typeof args[0] === "string" && /^\d+$/.test(args[0]))) {
    if (args[1] === undefined || args[1] === null) args[1] = "127.0.0.1";
    else if (typeof args[1] !== "string") args.splice(1, 0, "127.0.0.1");
  } else if (args[0] && typeof args[0] === "object" && args[0].port !== undefined && !args[0].host) {
    args[0] = { ...args[0], host: "127.0.0.1" };
  }
  return listen.apply(this, args);
};
EOF
    node --require "$PK_DIR/loopback.cjs" "$PK_HOME/build/start-server.js" --port="$PK_PORT" \
      --headless >"$PK_DIR/stdout.log" 2>"$PK_DIR/stderr.log" &
    PK_PID=$!
    PIDS+=("$PK_PID")
    wait_port "$PK_PORT" "$PK_PID" portkey "$PK_DIR/stderr.log"
    log "portkey $PORTKEY_VERSION on 127.0.0.1:$PK_PORT (pid $PK_PID)"
    add_target portkey "portkey $PORTKEY_VERSION" "http://127.0.0.1:$PK_PORT/v1/chat/completions" \
      "$PK_PID" x-portkey-provider openai x-portkey-custom-host "$MOCK_URL/v1" \
      Authorization "Bearer dummy"
  else
    log "Portkey not installed (bench/node_modules or npm -g); skipping it (--with-portkey installs it)"
  fi
fi
# ---------------------------------------------------------------------------------------
# Measure: for each concurrency, ROUNDS rounds; each round runs every target once, so slow
# drift of the machine's load (others compiling) spreads over all targets alike.
for c in "${CONCURRENCIES[@]}"; do
  for ((r = 1; r <= ROUNDS; r++)); do
    for t in "${TARGETS[@]}"; do run_wrk "$t" "$c" "$ROUND_SECS" "$r"; done
  done
  for t in "${TARGETS[@]}"; do aggregate "$t" "$c"; done
done
for t in "${TARGETS[@]}"; do sample_rss "$t"; done  # after the c=32 runs

kill -0 "$SY_PID" 2>/dev/null || die "switchyard exited during the benchmark"
if [[ -s "$SY_DIR/stderr.log" ]]; then
  log "switchyard wrote $(wc -l <"$SY_DIR/stderr.log") lines to stderr at --log-level warn; the last ones:"
  tail -n 10 "$SY_DIR/stderr.log" >&2
fi
LOADAVG_END=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------------------------------
# Report.
added() {  # added NAME: p50 at c=1 minus direct's, in µs
  calc "printf \"%.1f\", ${P50[$1,1]} - ${P50[direct,1]}"
}
mib() { [[ -n "$1" ]] && calc "printf \"%.1f\", $1 / 1024" || echo ""; }

for t in "${TARGETS[@]}"; do
  if [[ "$t" == direct ]]; then ADDED[$t]="0.0"; else ADDED[$t]=$(added "$t"); fi
  CPU_US[$t]=$(cpu_per_request "$t" 32)
done
CPU_RATIO=$(calc "printf \"%.2f\", ${CPU_US[switchyard]} / (${CPU_US[nginx]} > 0 ? ${CPU_US[nginx]} : 1)")

TP_RATIO=$(calc "printf \"%.3f\", ${RPS[switchyard,32]} / ${RPS[nginx,32]}")
if calc "exit !(${ADDED[nginx]} > 0)"; then
  LAT_RATIO=$(calc "printf \"%.3f\", ${ADDED[switchyard]} / ${ADDED[nginx]}")
else
  LAT_RATIO=""  # nginx added nothing measurable: the ratio is undefined
fi
SY_HWM_MIB=$(mib "${HWM_KB[switchyard]}")
SY_RSS_MIB=$(mib "${RSS_KB[switchyard]}")
met() { calc "exit !($1)" && echo "met" || echo "NOT met"; }
TP_MET=$(met "$TP_RATIO >= 0.8")
if [[ -n "$LAT_RATIO" ]]; then LAT_MET=$(met "$LAT_RATIO <= 1.5"); else LAT_MET="n/a"; fi
RSS_MET=$(met "${SY_HWM_MIB:-99999} <= 64")

BAD_TOTAL=0
for t in "${TARGETS[@]}"; do
  for c in "${CONCURRENCIES[@]}"; do
    BAD_TOTAL=$((BAD_TOTAL + ${NON2XX[$t,$c]} + ${SOCKERR[$t,$c]}))
  done
done

{
  echo
  echo "Switchyard benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'): $(nproc) cores, wrk -t1, POST $(wc -c <"$TMP/body.json") B body,"
  echo "$ROUNDS interleaved rounds x $ROUND_SECS s per target and concurrency; load average $LOADAVG_START at start, $LOADAVG_END at end"
  echo
  row() { printf '| %-24s | %10s | %8s | %8s | %10s | %8s | %8s | %13s | %10s | %9s | %9s | %11s |\n' "$@"; }
  row target "c=1 req/s" "c=1 p50" "c=1 p99" "c=32 req/s" "c=32 p50" "c=32 p99" "added p50 c=1" \
    "CPU/req c=32" VmRSS VmHWM "non-2xx/err"
  echo "|--------------------------|-----------:|---------:|---------:|-----------:|---------:|---------:|--------------:|-----------:|----------:|----------:|------------:|"
  us() { printf '%.0f us' "$1"; }
  for t in "${TARGETS[@]}"; do
    row "${LABEL[$t]}" "$(printf '%.0f' "${RPS[$t,1]}")" "$(us "${P50[$t,1]}")" "$(us "${P99[$t,1]}")" \
      "$(printf '%.0f' "${RPS[$t,32]}")" "$(us "${P50[$t,32]}")" "$(us "${P99[$t,32]}")" \
      "$([[ $t == direct ]] && echo — || printf '%+.0f us' "${ADDED[$t]}")" \
      "$(printf '%.1f us' "${CPU_US[$t]}")" "$(mib "${RSS_KB[$t]}") MiB" "$(mib "${HWM_KB[$t]}") MiB" \
      "$((${NON2XX[$t,1]} + ${NON2XX[$t,32]}))/$((${SOCKERR[$t,1]} + ${SOCKERR[$t,32]}))"
  done
  echo
  echo "req/s: mean of the rounds; p50/p99: median of the rounds' wrk percentiles. added p50 = p50 at"
  echo "c=1 minus direct's. CPU/req: user + system CPU of the serving process(es) during the c=32"
  echo "rounds over the requests served (less sensitive to a busy machine than req/s)."
  echo "RSS: the serving process (nginx: its workers), after the c=32 runs."
  echo
  echo "Targets (issue):"
  printf '  %-42s %-40s %s\n' "throughput c=32 >= 0.8x nginx proxy" \
    "$(printf '%.2fx (%.0f vs %.0f req/s)' "$TP_RATIO" "${RPS[switchyard,32]}" "${RPS[nginx,32]}")" "$TP_MET"
  printf '  %-42s %-40s %s\n' "added p50 c=1 <= 1.5x nginx's added p50" \
    "$( [[ -n $LAT_RATIO ]] && printf '%.2fx' "$LAT_RATIO" || printf 'n/a'; printf ' (%+.0f vs %+.0f us)' "${ADDED[switchyard]}" "${ADDED[nginx]}")" "$LAT_MET"
  printf '  %-42s %-40s %s\n' "CPU per request at c=32 vs nginx proxy" \
    "$(printf '%sx (%s vs %s us)' "$CPU_RATIO" "${CPU_US[switchyard]}" "${CPU_US[nginx]}")" "(for reference)"
  printf '  %-42s %-40s %s\n' "gateway RSS <= 64 MB (VmHWM)" \
    "$SY_HWM_MIB MiB (VmRSS $SY_RSS_MIB MiB)" "$RSS_MET"
  if [[ "$BAD_TOTAL" != 0 ]]; then
    echo
    echo "!!!!! WARNING: $BAD_TOTAL non-2xx responses or socket errors during the measured runs;"
    echo "!!!!! the numbers above include error responses. See the warnings printed during the run."
  fi
} | tee "$TMP/table.txt"

if [[ -n "$JSON_OUT" ]]; then
  jstr() { local s=${1//\\/\\\\}; s=${s//\"/\\\"}; printf '"%s"' "$s"; }
  jnum() { [[ -n "$1" ]] && printf '%s' "$1" || printf 'null'; }
  {
    echo "{"
    echo "  \"date\": $(jstr "$(date -u '+%Y-%m-%dT%H:%M:%SZ')"),"
    echo "  \"machine\": {\"nproc\": $(nproc), \"cpu\": $(jstr "$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"), \"kernel\": $(jstr "$(uname -r)"), \"loadavg_start\": $(jstr "$LOADAVG_START"), \"loadavg_end\": $(jstr "$LOADAVG_END")},"
    echo "  \"settings\": {\"duration_s\": $DURATION, \"rounds\": $ROUNDS, \"round_s\": $ROUND_SECS, \"wrk_threads\": 1, \"lua_status_count\": $([[ $LUA_STATUS == 1 ]] && echo true || echo false), \"body_bytes\": $(wc -c <"$TMP/body.json"), \"switchyard_threads\": $THREADS, \"nginx_proxy_workers\": $NGINX_WORKERS, \"switchyard_config\": $(jstr "${CONFIG:-generated}"), \"switchyard_binary\": $(jstr "$BINARY")},"
    echo "  \"targets\": {"
    n=0
    for t in "${TARGETS[@]}"; do
      n=$((n + 1))
      echo "    \"$t\": {\"label\": $(jstr "${LABEL[$t]}"),"
      for c in "${CONCURRENCIES[@]}"; do
        rr=(); rp50=(); rp99=()
        for ((r = 1; r <= ROUNDS; r++)); do
          rr+=("${R_RPS[$t,$c,$r]}"); rp50+=("${R_P50[$t,$c,$r]}"); rp99+=("${R_P99[$t,$c,$r]}")
        done
        echo "      \"c$c\": {\"rps\": $(jnum "${RPS[$t,$c]}"), \"p50_us\": $(jnum "${P50[$t,$c]}"), \"p99_us\": $(jnum "${P99[$t,$c]}"), \"non2xx\": ${NON2XX[$t,$c]}, \"socket_errors\": ${SOCKERR[$t,$c]}, \"first_bad_response\": $( [[ -n ${FIRSTBAD[$t,$c]:-} ]] && jstr "${FIRSTBAD[$t,$c]}" || echo null), \"rounds\": {\"rps\": [$(IFS=,; echo "${rr[*]}")], \"p50_us\": [$(IFS=,; echo "${rp50[*]}")], \"p99_us\": [$(IFS=,; echo "${rp99[*]}")]}},"
      done
      echo "      \"added_p50_c1_us\": $([[ $t == direct ]] && echo null || jnum "${ADDED[$t]}"), \"cpu_us_per_request_c32\": $(jnum "${CPU_US[$t]}"), \"vmrss_kb\": $(jnum "${RSS_KB[$t]}"), \"vmhwm_kb\": $(jnum "${HWM_KB[$t]}")}$([[ $n -lt ${#TARGETS[@]} ]] && echo ,)"
    done
    echo "  },"
    echo "  \"ratios\": {\"throughput_c32_switchyard_over_nginx\": $(jnum "$TP_RATIO"), \"added_p50_c1_switchyard_over_nginx\": $(jnum "$LAT_RATIO"), \"cpu_per_request_c32_switchyard_over_nginx\": $(jnum "$CPU_RATIO")},"
    echo "  \"targets_met\": {\"throughput\": $([[ $TP_MET == met ]] && echo true || echo false), \"added_latency\": $([[ $LAT_MET == met ]] && echo true || { [[ $LAT_MET == n/a ]] && echo null || echo false; }), \"rss\": $([[ $RSS_MET == met ]] && echo true || echo false)},"
    echo "  \"errors_total\": $BAD_TOTAL"
    echo "}"
  } >"$JSON_OUT"
  log "JSON written to $JSON_OUT"
fi
