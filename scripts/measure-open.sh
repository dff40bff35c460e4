#!/usr/bin/env bash
# Measures GgufModel.open on a 405B-class model (126 blocks, Q4_K, ~228 GB as a sparse file) with a
# full-size tokenizer (128,256 tokens with scores and types, 280,147 merges): the first open in a
# fresh JVM (from the first line of main, class loading included; RUNS fresh JVMs, default 5), warm
# opens, and the heap the open model retains; then the same with SLF4J initialised before the clock
# starts (as in an application that has logged before it opens a model), which tells SLF4J's own
# first initialisation apart. Ends with the medians over the runs. Writes the model once into DIR
# (default $TMPDIR or /tmp). Usage: scripts/measure-open.sh [DIR [RUNS]]
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
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
for _ in $(seq "$RUNS"); do
    for mode in open open-logged; do
        (memory64_run_bench dev.memory64.bench.OpenTimeMeasurement -- "$mode" "$DIR") | tee -a "$OUT"
    done
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
# Medians over the runs, per mode: first-open wall and CPU, warm-open wall and CPU medians, heap.
awk -v runs="$RUNS" '
    function median(a, n,   i, j, t) {
        for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
            t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
        }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    /^first open/ {
        m = /SLF4J initialised/ ? 2 : 1
        n[m]++
        match($0, /: [0-9.]+ ms/); wall[m, n[m]] = substr($0, RSTART + 2, RLENGTH - 5) + 0
        match($0, /CPU [0-9.]+ ms/); cpu[m, n[m]] = substr($0, RSTART + 4, RLENGTH - 7) + 0
    }
    /^warm opens/ {
        match($0, /median [0-9.]+ ms, min/); warm[m, n[m]] = substr($0, RSTART + 7, RLENGTH - 15) + 0
        match($0, /CPU: median [0-9.]+ ms/); wcpu[m, n[m]] = substr($0, RSTART + 12, RLENGTH - 15) + 0
    }
    /^heap retained/ { match($0, /[0-9.]+ MiB/); heap[m, n[m]] = substr($0, RSTART, RLENGTH - 4) + 0 }
    END {
        for (m = 1; m <= 2; m++) {
            for (i = 1; i <= n[m]; i++) {
                a[i] = wall[m, i]; b[i] = cpu[m, i]; c[i] = warm[m, i]; d[i] = wcpu[m, i]; e[i] = heap[m, i]
            }
            printf "median of %d fresh JVMs%s: first open %.1f ms (main thread on a CPU %.1f ms), warm opens %.1f ms (CPU %.1f ms), heap retained %.2f MiB\n", \
                n[m], m == 2 ? ", SLF4J initialised before the clock" : "", \
                median(a, n[m]), median(b, n[m]), median(c, n[m]), median(d, n[m]), median(e, n[m])
        }
    }' "$OUT"
