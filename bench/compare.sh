#!/usr/bin/env bash
# Runs redis-benchmark against Freshet and redis-server side by side on this machine and prints a
# markdown table of ops/s with the Freshet/Redis ratio.
#   bench/compare.sh [-n REQUESTS] [-t TESTS] [-r ROUNDS]
# Needs redis-server and redis-benchmark (apt-get install redis-server redis-tools), and for the
# consumer row python3-hiredis.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
requests=200000
rounds=3
tests="ping,set,get"
while getopts "n:t:r:" opt; do
  case $opt in
    n) requests=$OPTARG ;;
    t) tests=$OPTARG ;;
    r) rounds=$OPTARG ;;
    *) echo "usage: $0 [-n requests] [-t tests]" >&2; exit 2 ;;
  esac
done
command -v redis-server >/dev/null || { echo "redis-server not installed" >&2; exit 1; }
command -v redis-benchmark >/dev/null || { echo "redis-benchmark not installed" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
redis_port=$(free_port)
freshet_port=$(free_port)
tmp=$(mktemp -d)
cleanup() {
  redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
  redis-cli -p "$freshet_port" shutdown nosave >/dev/null 2>&1 || true
  sleep 0.5
  [[ -n "${freshet_pid:-}" ]] && kill "$freshet_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# BENCH_PIN=1 gives each server core 0 and the load generator core 1 (the same for both
# servers). Off by default: pinned, the JVM's compiler and GC threads share the event loop's
# core, which no deployment would do.
server_cpu=(); client_cpu=()
if [[ "${BENCH_PIN:-0}" = 1 ]] && [[ $(nproc) -ge 2 ]] && command -v taskset >/dev/null; then
  server_cpu=(taskset -c 0); client_cpu=(taskset -c 1)
fi
"${server_cpu[@]}" redis-server --port "$redis_port" --save '' --appendonly no --dir "$tmp" --daemonize yes >/dev/null
"$here/freshet" server --help >/dev/null  # build first, outside the pinned process
"${server_cpu[@]}" "$here/freshet" server --port "$freshet_port" --dir "$tmp/freshet" --appendonly no >"$tmp/freshet.log" 2>&1 &
freshet_pid=$!
for _ in $(seq 1 300); do
  redis-cli -p "$freshet_port" ping >/dev/null 2>&1 && break
  sleep 0.2
done
redis-cli -p "$freshet_port" ping >/dev/null

# rps for one test from redis-benchmark's CSV output: "test","rps",...
rps() {
  local port=$1 test=$2 clients=$3 pipeline=$4
  "${client_cpu[@]}" redis-benchmark -p "$port" -n "$requests" -c "$clients" -P "$pipeline" -t "$test" -r 100000 -d 16 --csv 2>/dev/null \
    | awk -F'","' 'NR==2 {gsub(/"/,"",$2); print $2}'
}

# warm up the JVM so the table measures steady state, as it would be in production
for t in ${tests//,/ }; do rps "$freshet_port" "$t" 50 16 >/dev/null; rps "$freshet_port" "$t" 50 1 >/dev/null; done

# rps for a custom command line (redis-benchmark names the CSV row after the command)
rps_cmd() {
  local port=$1 clients=$2 pipeline=$3; shift 3
  "${client_cpu[@]}" redis-benchmark -p "$port" -n "$requests" -c "$clients" -P "$pipeline" --csv "$@" 2>/dev/null \
    | awk -F'","' 'NR==2 {gsub(/"/,"",$2); print $2}'
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Each server's own CPU time (user + system, all its threads) from /proc, in milliseconds. With
# an unpipelined load both servers and redis-benchmark each keep about one core busy, mostly in
# the kernel, so ops/s there moves with the scheduler by 10-20% from run to run; CPU per operation
# is what the server itself spends and varies much less.
redis_pid=$(redis-cli -p "$redis_port" info server | tr -d '\r' | awk -F: '$1 == "process_id" {print $2}')
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%d", ($14 + $15) * 1000 / hz }' "/proc/$1/stat"; }
per_op() { awk -v ms="$1" -v n="$2" 'BEGIN { printf "%.2f", ms * 1000 / n }'; } # microseconds

# freshet/redis is the ratio of the medians; "paired" is the geometric mean of each round's
# ratio (the two runs of a round are back to back, so the machine's slow drifts cancel out)
echo "| test | clients | pipeline | redis ops/s | freshet ops/s | freshet/redis | paired | redis CPU us/op | freshet CPU us/op |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
# alternate the servers over $rounds rounds and keep the medians: single runs on a 2-core
# machine vary by 20% or more
compare_with() { # label pipeline rps-function args...
  local label=$1 pipeline=$2 fn=$3; shift 3
  local rs=() fs=() rcpu=0 fcpu=0 c0
  for _ in $(seq 1 "$rounds"); do
    c0=$(cpu_ms "$redis_pid"); rs+=("$("$fn" "$redis_port" 50 "$pipeline" "$@")"); rcpu=$((rcpu + $(cpu_ms "$redis_pid") - c0))
    c0=$(cpu_ms "$freshet_pid"); fs+=("$("$fn" "$freshet_port" 50 "$pipeline" "$@")"); fcpu=$((fcpu + $(cpu_ms "$freshet_pid") - c0))
  done
  local r f n=$((requests * rounds * ${runs_per_round:-1}))
  r=$(printf '%s\n' "${rs[@]}" | median)
  f=$(printf '%s\n' "${fs[@]}" | median)
  local paired
  paired=$(paste <(printf '%s\n' "${rs[@]}") <(printf '%s\n' "${fs[@]}") | awk '{ l += log($2 / $1) } END { printf "%.2f", exp(l / NR) }')
  echo "| $label | ${shown_clients:-50} | $pipeline | $r | $f | $(awk -v f="$f" -v r="$r" 'BEGIN { printf "%.2f", f / r }') | $paired | $(per_op "$rcpu" "$n") | $(per_op "$fcpu" "$n") |"
}
rps_test() { local port=$1 clients=$2 pipeline=$3 test=$4; rps "$port" "$test" "$clients" "$pipeline"; }
compare() { # label pipeline command...
  local label=$1 pipeline=$2; shift 2
  compare_with "$label" "$pipeline" rps_cmd "$@"
}

for pipeline in 1 16; do
  for t in ${tests//,/ }; do
    # redis-benchmark -t ping runs two tests (PING_INLINE and PING_MBULK); the table shows the first
    runs=1; [[ $t == ping ]] && runs=2
    runs_per_round=$runs compare_with "$t" "$pipeline" rps_test "$t"
  done
done

if [[ "${scripts:-1}" = 1 ]]; then
  # the seeds' Black-Friday stock decrement by EVALSHA; stock large enough that every call
  # takes the GET + DECRBY path
  script="local stock = redis.call('GET', 'stock:A')
if tonumber(stock) >= 1 then
    redis.call('DECRBY', 'stock:A', 1)
    return 1
else
    return 0
end"
  for port in "$redis_port" "$freshet_port"; do
    redis-cli -p "$port" set stock:A 1000000000 >/dev/null
    sha=$(redis-cli -p "$port" script load "$script")
  done
  # warm-up, as for the other tests (the JIT needs a few seconds of scripts)
  rps_cmd "$freshet_port" 50 16 EVALSHA "$sha" 0 >/dev/null
  rps_cmd "$freshet_port" 50 1 EVALSHA "$sha" 0 >/dev/null
  rps_cmd "$freshet_port" 50 16 EVALSHA "$sha" 0 >/dev/null
  for pipeline in 1 16; do
    compare "evalsha stock decrement" "$pipeline" EVALSHA "$sha" 0
  done
fi

if [[ "${streams:-1}" = 1 ]]; then
  # streams: the seeds' order entry; XRANGE reads 10 entries from the start of what XADD wrote
  for pipeline in 1 16; do
    compare "xadd" "$pipeline" XADD bench:orders '*' order_id 1001 user_id 42 product_id A qty 2
  done
  for pipeline in 1 16; do
    compare "xrange count 10" "$pipeline" XRANGE bench:orders - + COUNT 10
  done
  # consumer groups: 4 consumers, XREADGROUP COUNT 100 + XACK of each batch (bench/consume.py).
  # The consumers parse replies with hiredis when the Python has it (python3-hiredis): with the
  # pure-Python parser the four clients need more CPU than either server and the ratio is noise.
  py=python3
  if ! python3 -c 'import hiredis' 2>/dev/null && /usr/bin/python3 -c 'import hiredis' 2>/dev/null; then
    py=/usr/bin/python3
  fi
  $py -c 'import hiredis' 2>/dev/null || echo "note: no hiredis for $py (apt-get install python3-hiredis); the consumer row measures the Python client" >&2
  # JIT warm-up, as above: the consume path reaches its steady rate after about half a million
  # entries (C2 compiles the reply writers and the PEL code late)
  for _ in 1 2 3; do $py "$here/bench/consume.py" "$freshet_port" 200000 4 >/dev/null; done
  consume() { local port=$1; $py "$here/bench/consume.py" "$port" "$requests" 4; }
  # CPU per entry here includes the pipelined XADDs that preload each run's entries
  shown_clients=4 compare_with "consume (XREADGROUP COUNT 100 + XACK), entries/s" - consume
  # blocked XREAD wake-up latency (lower is better): median and p99 in microseconds
  python3 "$here/bench/wakeup.py" "$freshet_port" 1000 >/dev/null  # JIT warm-up, as above
  read -r rmed rp99 <<<"$(python3 "$here/bench/wakeup.py" "$redis_port" 1000)"
  read -r fmed fp99 <<<"$(python3 "$here/bench/wakeup.py" "$freshet_port" 1000)"
  echo
  echo "| XREAD BLOCK wake-up | redis median / p99 us | freshet median / p99 us |"
  echo "|---|---:|---:|"
  echo "| XADD to blocked reader | $rmed / $rp99 | $fmed / $fp99 |"
fi
