#!/usr/bin/env bash
# Memory per stream entry and per pending entry, Freshet next to redis-server in one run.
#   bench/memory.sh [-n ENTRIES] [-p PENDING]
# Redis: used_memory delta. Freshet: live heap bytes (jcmd GC.class_histogram, after a full GC), delta.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
entries=1000000
pending=100000
while getopts "n:p:" opt; do
  case $opt in
    n) entries=$OPTARG ;;
    p) pending=$OPTARG ;;
    *) echo "usage: $0 [-n entries] [-p pending]" >&2; exit 2 ;;
  esac
done
command -v redis-server >/dev/null || { echo "redis-server not installed" >&2; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
redis_port=$(free_port); freshet_port=$(free_port); tmp=$(mktemp -d)
cleanup() {
  redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
  redis-cli -p "$freshet_port" shutdown nosave >/dev/null 2>&1 || true
  sleep 0.5; [[ -n "${freshet_pid:-}" ]] && kill "$freshet_pid" 2>/dev/null || true; rm -rf "$tmp"
}
trap cleanup EXIT
redis-server --port "$redis_port" --save '' --appendonly no --dir "$tmp" --daemonize yes >/dev/null
"$here/freshet" server --help >/dev/null
"$here/freshet" server --port "$freshet_port" --dir "$tmp/freshet" --appendonly no >"$tmp/freshet.log" 2>&1 &
freshet_pid=$!
for _ in $(seq 1 300); do redis-cli -p "$freshet_port" ping >/dev/null 2>&1 && break; sleep 0.2; done
java_pid=$(pgrep -f "freshet.jar server --port $freshet_port" | head -1)

redis_used() { redis-cli -p "$redis_port" info memory | awk -F: '/^used_memory:/ {print $2+0}'; }
freshet_used() {
  # live objects only: class_histogram runs a full GC and sums what survives. (GC.heap_info's
  # "used" proved unreliable between runs: it also counts metaspace and lagging regions.)
  jcmd "$java_pid" GC.class_histogram | awk '/^Total/ {print $3}'
}
load() { # port
  redis-benchmark -p "$1" -n "$entries" -c 8 -P 100 XADD bench:mem '*' order_id 1001 user_id 42 product_id A qty 2 >/dev/null 2>&1
}
deliver() { # port
  redis-cli -p "$1" XGROUP CREATE bench:mem g 0 >/dev/null
  local left=$pending
  while (( left > 0 )); do
    local n=$(( left < 10000 ? left : 10000 ))
    redis-cli -p "$1" XREADGROUP GROUP g c COUNT "$n" STREAMS bench:mem '>' >/dev/null
    left=$(( left - n ))
  done
}

r0=$(redis_used); f0=$(freshet_used)
load "$redis_port"; load "$freshet_port"
r1=$(redis_used); f1=$(freshet_used)
rn=$(redis-cli -p "$redis_port" xlen bench:mem); fn=$(redis-cli -p "$freshet_port" xlen bench:mem)
deliver "$redis_port"; deliver "$freshet_port"
r2=$(redis_used); f2=$(freshet_used)

awk -v r0="$r0" -v r1="$r1" -v r2="$r2" -v f0="$f0" -v f1="$f1" -v f2="$f2" -v rn="$rn" -v fn="$fn" -v p="$pending" 'BEGIN {
  printf "| measure | redis | freshet | freshet/redis |\n|---|---:|---:|---:|\n"
  re = (r1 - r0) / rn; fe = (f1 - f0) / fn
  printf "| bytes per entry (%d entries) | %.1f | %.1f | %.2f |\n", rn, re, fe, fe / re
  rp = (r2 - r1) / p; fp = (f2 - f1) / p
  printf "| bytes per pending entry (%d pending) | %.1f | %.1f | %.2f |\n", p, rp, fp, fp / rp
}'
