#!/usr/bin/env bash
# Measures GgufModel.open on a 405B-class model (126 blocks, Q4_K, ~228 GB as a sparse file) with a
# full-size tokenizer (128,256 tokens with scores and types, 280,147 merges): the first open in a
# fresh JVM (from the first line of main, class loading included; RUNS fresh JVMs, default 5), warm
# opens, and the heap the open model retains. Writes the model once into DIR (default $TMPDIR or
# /tmp). Usage: scripts/measure-open.sh [DIR [RUNS]]
set -euo pipefail
MEMORY64_ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${1:-${TMPDIR:-/tmp}}
RUNS=${2:-5}
MODEL="$DIR/memory64-open-405b.gguf"
# shellcheck source=find-jdk.sh
. "$MEMORY64_ROOT/scripts/find-jdk.sh"
if [ ! -f "$MODEL" ] || [ -n "$(find "$MEMORY64_ROOT/memory64-bench/src" -name OpenTimeMeasurement.java -newer "$MODEL" -print -quit)" ]; then
    (memory64_run_bench dev.memory64.bench.OpenTimeMeasurement -- write "$DIR")
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
for _ in $(seq "$RUNS"); do
    (memory64_run_bench dev.memory64.bench.OpenTimeMeasurement -- open "$DIR")
done
