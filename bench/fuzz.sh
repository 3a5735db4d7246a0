#!/usr/bin/env bash
# Coverage-guided fuzzing of the fuzz targets with Jazzer (libFuzzer in the JVM).
#
#   bench/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#
# TARGET is one of decoder, commands, rdb, log, lua (default: all, 300 s each). Each target keeps its
# corpus in target/fuzz-corpus/TARGET (grows from run to run) and starts from the committed seeds
# that `mvn verify` replays. Findings (crash-*, timeout-*, oom-* inputs) go to
# target/fuzz-findings/; reproduce one with
#   java -cp "$(cat freshet-server/target/fuzz-classpath.txt)" com.code_intelligence.jazzer.Jazzer \
#     --target_class=CLASS FILE
# and commit it to the target's Inputs directory, next to a fix and a regression test.
# Prints executions per target and findings; exits 1 if anything was found.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-300}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(decoder commands rdb log lua)

declare -A class=(
  [decoder]=io.freshet.server.RespDecoderFuzzTest
  [commands]=io.freshet.server.fuzz.CommandFuzzTest
  [rdb]=io.freshet.server.fuzz.RdbFuzzTest
  [log]=io.freshet.storage.LogScannerFuzzTest
  [lua]=io.freshet.server.fuzz.LuaFuzzTest)
declare -A seeds=(
  [decoder]=freshet-server/src/test/resources/io/freshet/server/RespDecoderFuzzTestInputs/decode
  [commands]=freshet-server/src/test/resources/io/freshet/server/fuzz/CommandFuzzTestInputs/commands
  [rdb]=freshet-server/src/test/resources/io/freshet/server/fuzz/RdbFuzzTestInputs/read
  [log]=freshet-server/src/test/resources/io/freshet/storage/LogScannerFuzzTestInputs/scan
  [lua]=freshet-server/src/test/resources/io/freshet/server/fuzz/LuaFuzzTestInputs/eval)

cp_file=$PWD/freshet-server/target/fuzz-classpath.txt
mvn -B -q -pl freshet-server -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test
classpath=freshet-server/target/test-classes:freshet-server/target/classes:$(cat "$cp_file")
echo "$classpath" > "$cp_file"

mkdir -p target/fuzz-findings
summary=()
found=0
for t in "${targets[@]}"; do
  c=${class[$t]:?unknown target $t}
  corpus=target/fuzz-corpus/$t
  log=target/fuzz-$t.log
  mkdir -p "$corpus"
  dirs=("$corpus")
  [ -d "${seeds[$t]}" ] && dirs+=("${seeds[$t]}")
  before=$(ls target/fuzz-findings | grep -c "^$t-" || true)
  echo "== $t ($c) for ${seconds}s"
  # -timeout: an input running 30 s is a hang; -rss_limit_mb=0: the heap limit (-Xmx) is the bound
  java -Xmx1g -cp "$classpath" com.code_intelligence.jazzer.Jazzer --target_class="$c" \
    --instrumentation_includes='io.freshet.**' --keep_going=100 \
    -max_total_time="$seconds" -timeout=30 -rss_limit_mb=0 \
    -artifact_prefix="target/fuzz-findings/$t-" "${dirs[@]}" > "$log" 2>&1 || true
  runs=$(grep -o 'Done [0-9]* runs' "$log" | tail -1 | grep -o '[0-9]*' || echo "?")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo "?")
  after=$(ls target/fuzz-findings | grep -c "^$t-" || true)
  new=$((after - before))
  found=$((found + new))
  summary+=("$(printf '%-9s %12s executions  coverage %6s  findings %d' "$t" "$runs" "$cov" "$new")")
  grep -A3 '^== Java Exception' "$log" | grep -v '^--$' | head -20 || true
done
echo
echo "== summary (${seconds}s per target; logs in target/fuzz-*.log)"
printf '%s\n' "${summary[@]}"
[ "$found" -eq 0 ]
