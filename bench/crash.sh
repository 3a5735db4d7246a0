#!/usr/bin/env bash
# The crash loops of PersistenceIT and ProcessLifecycleIT, for longer runs:
# - kill -9: writers and a group consumer under appendfsync always, the server killed at random
#   moments ROUNDS times (default 200); afterwards every acknowledged XADD must be present exactly
#   once and every acknowledged XACK must stand;
# - out of memory: a server with a 64 MB heap fed 10 KB entries until it runs out of memory and
#   exits (status 70), OOM_ROUNDS times (default 10); every acknowledged XADD must be there after
#   each restart.
#   bench/crash.sh [ROUNDS] [OOM_ROUNDS]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
mvn -q -B verify -pl freshet-server -am -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test='PersistenceIT#killNineLosesNothingAcknowledged,ProcessLifecycleIT#outOfMemoryEndsTheProcessAndEveryAcknowledgedWriteSurvives' \
  -Dfreshet.crash.rounds="${1:-200}" -Dfreshet.oom.rounds="${2:-10}"
echo "crash loop: ${1:-200} kill -9 rounds and ${2:-10} out-of-memory rounds, nothing acknowledged was lost"
