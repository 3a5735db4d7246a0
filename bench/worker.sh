#!/usr/bin/env bash
# freshet-worker's StreamProcessor with a no-op handler next to a hand-written Lettuce
# XREADGROUP COUNT 100 + XACK loop, on the same server (Freshet, then redis-server), in one run.
# Target: processor >= 0.9x the raw loop.
#   bench/worker.sh [-n ENTRIES] [-r ROUNDS]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
entries=200000
rounds=3
while getopts "n:r:" opt; do
  case $opt in
    n) entries=$OPTARG ;;
    r) rounds=$OPTARG ;;
    *) echo "usage: $0 [-n entries] [-r rounds]" >&2; exit 2 ;;
  esac
done
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
tmp=$(mktemp -d)
fport=$(free_port)
rport=$(free_port)
cleanup() {
  redis-cli -p "$fport" shutdown nosave >/dev/null 2>&1 || true
  redis-cli -p "$rport" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
"$here/freshet" server --port "$fport" --dir "$tmp/freshet" --appendonly no --save '' >"$tmp/freshet.log" 2>&1 &
for _ in $(seq 1 300); do redis-cli -p "$fport" ping >/dev/null 2>&1 && break; sleep 0.1; done
echo "## Freshet"
"$here/freshet" bench worker --url "redis://127.0.0.1:$fport" --entries "$entries" --rounds "$rounds"
if command -v redis-server >/dev/null; then
  redis-server --port "$rport" --save '' --appendonly no --dir "$tmp" --daemonize yes >/dev/null
  echo "## redis-server"
  "$here/freshet" bench worker --url "redis://127.0.0.1:$rport" --entries "$entries" --rounds "$rounds"
fi
