#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run fuzz/fuzz_pipeline.py with WORKERS processes for SECONDS, restarting a worker after a finding
# (libFuzzer's -fork and -jobs re-run argv[0], which is not executable here; so this loop does it).
#
#   fuzz/run.sh [SECONDS=240] [WORKERS=2]
#
# Work files go to $FUZZ_OUT (default /tmp/fuzz-pipeline): corpus/ (what coverage kept), findings/
# (crash-*, timeout-*: each reproduces with `.venv/bin/python fuzz/fuzz_pipeline.py FILE`), logs/.
set -u
cd "$(dirname "$0")/.."
TOTAL=${1:-240}
WORKERS=${2:-2}
PY=${PYTHON:-.venv/bin/python}
OUT=${FUZZ_OUT:-/tmp/fuzz-pipeline}
mkdir -p "$OUT/corpus" "$OUT/findings" "$OUT/logs"
end=$((SECONDS + TOTAL))

worker() {
    local n=$1 run=0
    while ((SECONDS < end - 5)); do
        run=$((run + 1))
        "$PY" fuzz/fuzz_pipeline.py "$OUT/corpus" fuzz/corpus -dict=fuzz/pipeline.dict -max_len=20000 \
            -timeout=60 -rss_limit_mb=2048 -max_total_time=$((end - SECONDS)) -seed=$((n * 1000 + run)) \
            -artifact_prefix="$OUT/findings/" -print_final_stats=1 >"$OUT/logs/worker$n-run$run.log" 2>&1
    done
}

for n in $(seq 1 "$WORKERS"); do
    worker "$n" &
done
wait

# Executions: the last "#N" status line of each run (a run that stops on a finding prints no final stats).
executions=0
for log in "$OUT"/logs/*.log; do
    last=$(grep -aoE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
    executions=$((executions + ${last:-0}))
done
echo "runs: $(ls "$OUT"/logs | wc -l), executions: $executions, corpus: $(ls "$OUT/corpus" | wc -l) units"
echo "findings:" && ls -1 "$OUT/findings"
grep -ahE '^(=== Uncaught|[A-Za-z]+(Error|Exception|Budget|Claim):)' "$OUT"/logs/*.log | sort | uniq -c
