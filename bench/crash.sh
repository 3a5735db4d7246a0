#!/usr/bin/env bash
# The kill -9 crash loop of PersistenceIT, for longer runs: writers and a group consumer under
# appendfsync always, the server killed at random moments ROUNDS times (default 200); afterwards
# every acknowledged XADD must be present exactly once and every acknowledged XACK must stand.
#   bench/crash.sh [ROUNDS]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
mvn -q -B verify -pl freshet-server -am -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test='PersistenceIT#killNineLosesNothingAcknowledged' -Dfreshet.crash.rounds="${1:-200}"
echo "crash loop: ${1:-200} rounds, nothing acknowledged was lost"
