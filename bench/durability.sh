#!/usr/bin/env bash
# Durability side by side with redis-server on this machine, in one run:
#  1. write throughput with the log on, under appendfsync always and everysec (redis-benchmark
#     XADD and SET, 50 clients; median of 3 alternating rounds after a JVM warm-up), as
#     Freshet/Redis ratios;
#  2. start-up time with N stream entries and P pending entries, from a snapshot (Freshet: base
#     RDB after BGREWRITEAOF; Redis: dump.rdb) and from a log (Freshet: records only; Redis: an AOF
#     without RDB preamble), time from process start until PING answers PONG.
#   bench/durability.sh [-n ENTRIES] [-p PENDING] [-r REQUESTS]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
entries=1000000
pending=100000
requests=100000
while getopts "n:p:r:" opt; do
  case $opt in
    n) entries=$OPTARG ;;
    p) pending=$OPTARG ;;
    r) requests=$OPTARG ;;
    *) echo "usage: $0 [-n entries] [-p pending] [-r requests]" >&2; exit 2 ;;
  esac
done
command -v redis-server >/dev/null || { echo "redis-server not installed" >&2; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
"$here/freshet" server --help >/dev/null  # build first

wait_pong() { # port -> waits until PING answers PONG (not LOADING)
  for _ in $(seq 1 6000); do
    [[ "$(redis-cli -p "$1" ping 2>/dev/null)" == PONG ]] && return 0
    sleep 0.01
  done
  echo "server on $1 did not start" >&2; return 1
}
start_redis() { # port dir extra-args...
  local port=$1 dir=$2; shift 2
  redis-server --port "$port" --dir "$dir" --daemonize no "$@" >"$dir/redis.log" 2>&1 &
  pids+=($!)
}
start_freshet() {
  local port=$1 dir=$2; shift 2
  "$here/freshet" server --port "$port" --dir "$dir" "$@" >>"$dir/freshet.log" 2>&1 &
  pids+=($!)
}
stop() { redis-cli -p "$1" shutdown nosave >/dev/null 2>&1 || true; sleep 0.5; }
rps() {
  redis-benchmark -p "$1" -n "$requests" -c 50 -r 100000 -d 16 --csv "${@:2}" 2>/dev/null \
    | awk -F'","' 'NR==2 {gsub(/"/,"",$2); print $2}'
}

echo "## Write throughput with the log on (redis-benchmark -c 50, $requests requests, ops/s)"
echo
echo "| appendfsync | test | redis | freshet | freshet/redis |"
echo "|---|---|---:|---:|---:|"
for policy in always everysec; do
  rport=$(free_port); fport=$(free_port)
  mkdir -p "$tmp/r-$policy" "$tmp/f-$policy"
  start_redis "$rport" "$tmp/r-$policy" --save '' --appendonly yes --appendfsync "$policy"
  start_freshet "$fport" "$tmp/f-$policy" --save '' --appendonly yes --appendfsync "$policy"
  wait_pong "$rport"; wait_pong "$fport"
  xadd=(XADD bench '*' order_id 1001 user_id 42 product_id A qty 2)
  for _ in 1 2; do rps "$fport" -t set >/dev/null; rps "$fport" "${xadd[@]}" >/dev/null; done  # JVM warm-up
  for t in xadd set; do
    if [[ $t == xadd ]]; then args=("${xadd[@]}"); else args=(-t set); fi
    rs=(); fs=()
    for _ in 1 2 3; do rs+=("$(rps "$rport" "${args[@]}")"); fs+=("$(rps "$fport" "${args[@]}")"); done
    r=$(printf '%s\n' "${rs[@]}" | sort -g | sed -n 2p); f=$(printf '%s\n' "${fs[@]}" | sort -g | sed -n 2p)
    echo "| $policy | $t | $r | $f | $(python3 -c "print(f'{$f/$r:.2f}')") |"
  done
  stop "$rport"; stop "$fport"
done

echo
echo "## Start-up with $entries entries and $pending pending entries (seconds until PONG)"
echo
python3 - "$entries" > "$tmp/load.resp" <<'PY'
import sys
n = int(sys.argv[1])
out = sys.stdout.buffer
args = [b"XADD", b"orders", None, b"order_id", b"1001", b"user_id", b"42", b"product_id", b"A", b"qty", b"2"]
for i in range(1, n + 1):
    args[2] = b"%d-0" % i
    out.write(b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args))
PY
load() { # port
  redis-cli -p "$1" --pipe < "$tmp/load.resp" >/dev/null
  redis-cli -p "$1" XGROUP CREATE orders billing 0 >/dev/null
  redis-cli -p "$1" XREADGROUP GROUP billing alice COUNT "$pending" STREAMS orders '>' >/dev/null
}
timed_start() { # kind port dir args... -> seconds in $took (no subshell: the pid must reach cleanup)
  local kind=$1 port=$2 dir=$3; shift 3
  local t0; t0=$(date +%s.%N)
  if [[ $kind == redis ]]; then start_redis "$port" "$dir" "$@"; else start_freshet "$port" "$dir" "$@"; fi
  wait_pong "$port"
  took=$(python3 -c "print(f'{$(date +%s.%N) - $t0:.2f}')")
}
check() { # port -> "len/pending"
  echo "$(redis-cli -p "$1" XLEN orders)/$(redis-cli -p "$1" XPENDING orders billing | head -1)"
}

echo "| load from | redis (s) | freshet (s) | freshet/redis | data after start (redis, freshet) |"
echo "|---|---:|---:|---:|---|"
# snapshot: Redis dump.rdb; Freshet base RDB written by BGREWRITEAOF
rport=$(free_port); fport=$(free_port)
mkdir -p "$tmp/rs" "$tmp/fs"
start_redis "$rport" "$tmp/rs" --save '' --appendonly no
start_freshet "$fport" "$tmp/fs" --save '' --appendonly yes --auto-aof-rewrite-percentage 0
wait_pong "$rport"; wait_pong "$fport"
load "$rport"; load "$fport"
redis-cli -p "$rport" save >/dev/null
redis-cli -p "$fport" bgrewriteaof >/dev/null
until redis-cli -p "$fport" info persistence | grep -q 'aof_rewrite_in_progress:0'; do sleep 0.1; done
stop "$rport"; stop "$fport"
timed_start redis "$rport" "$tmp/rs" --save '' --appendonly no; rt=$took; rc=$(check "$rport")
timed_start freshet "$fport" "$tmp/fs" --save '' --appendonly yes --auto-aof-rewrite-percentage 0; ft=$took; fc=$(check "$fport")
echo "| snapshot | $rt | $ft | $(python3 -c "print(f'{$ft/$rt:.2f}')") | $rc, $fc |"
stop "$rport"; stop "$fport"

# log: Redis AOF of commands (no RDB preamble, no rewrite); Freshet records only
rport=$(free_port); fport=$(free_port)
mkdir -p "$tmp/rl" "$tmp/fl"
start_redis "$rport" "$tmp/rl" --save '' --appendonly yes --aof-use-rdb-preamble no --auto-aof-rewrite-percentage 0
start_freshet "$fport" "$tmp/fl" --save '' --appendonly yes --auto-aof-rewrite-percentage 0
wait_pong "$rport"; wait_pong "$fport"
load "$rport"; load "$fport"
stop "$rport"; stop "$fport"
timed_start redis "$rport" "$tmp/rl" --save '' --appendonly yes --aof-use-rdb-preamble no --auto-aof-rewrite-percentage 0
rt=$took; rc=$(check "$rport")
timed_start freshet "$fport" "$tmp/fl" --save '' --appendonly yes --auto-aof-rewrite-percentage 0; ft=$took; fc=$(check "$fport")
echo "| log | $rt | $ft | $(python3 -c "print(f'{$ft/$rt:.2f}')") | $rc, $fc |"
stop "$rport"; stop "$fport"
echo
echo "Snapshot pause: $(grep -h 'snapshot copy of' "$tmp"/f*/freshet.log | tail -2 | sed 's/^.*INFO: //' | tr '\n' ' ')"
