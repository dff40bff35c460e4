#!/usr/bin/env bash
# Measures GgufModel.open on a 405B-class model (126 blocks, Q4_K, ~228 GB as a sparse file) with a
# full-size tokenizer (128,256 tokens with scores and types, 280,147 merges): the first open in a
# fresh JVM (from the first line of main, class loading included; RUNS fresh JVMs, default 5), warm
# opens, and the heap the open model retains; then the same with SLF4J initialised before the clock
# starts (as in an application that has logged before it opens a model), which tells SLF4J's own
# first initialisation apart. Ends with the medians over the runs. Writes the model once into DIR
# (default $TMPDIR or /tmp).
#
# With --baseline COMMIT it also builds the bench jar of that commit (in a temporary git worktree)
# and runs it interleaved with this tree's, run by run, so that both see the same machine; the
# medians are then given per build. The baseline's OpenTimeMeasurement must print the same lines
# (it does from commit 3c6853a on).
#
# Then the same for a 405B-class safetensors checkpoint as Hugging Face publishes Llama 3.1 405B
# (191 BF16 shards, their index and config.json, ~811 GB as sparse files, Hugging Face's tensor
# names; SafetensorsOpenMeasurement), opened by its index in RUNS fresh JVMs of this tree's build
# (and of the baseline's, interleaved, if it has the measurement), written once into
# DIR/memory64-open-405b-safetensors. Its target is 150 ms for a first open (GGUF's
# is 100 ms): the medians line says how many runs were under it.
#
# On a JDK with an ahead-of-time cache (JDK 25 and later: -XX:AOTCacheOutput, JEP 514), this tree's
# open of each model is measured a second time with one: a training run of the same measurement
# writes the cache (the classes loaded and linked, the method handles generated, the methods'
# profiles), then RUNS fresh JVMs start from it, as a host that trains a cache on its own main class
# would (docs/GUIDE.md, "A faster first open: an AOT cache"). Their lines are labelled "this tree,
# AOT cache".
#
# Usage: scripts/measure-open.sh [--baseline COMMIT] [DIR [RUNS]]
set -euo pipefail
MEMORY64_ROOT=$(cd "$(dirname "$0")/.." && pwd)
BASELINE=
if [ "${1:-}" = "--baseline" ]; then
    BASELINE=${2:?"--baseline needs a commit"}
    shift 2
fi
DIR=${1:-${TMPDIR:-/tmp}}
RUNS=${2:-5}
MODEL="$DIR/memory64-open-405b.gguf"
# shellcheck source=find-jdk.sh
. "$MEMORY64_ROOT/scripts/find-jdk.sh"
memory64_find_jdk
memory64_find_maven
memory64_bench_jar
if [ ! -f "$MODEL" ] || [ -n "$(find "$MEMORY64_ROOT/memory64-bench/src" -name OpenTimeMeasurement.java -newer "$MODEL" -print -quit)" ]; then
    (memory64_run_bench dev.memory64.bench.OpenTimeMeasurement -- write "$DIR")
fi
OUT=$(mktemp)
WORK=$(mktemp -d)
trap 'rm -f "$OUT"; git -C "$MEMORY64_ROOT" worktree remove --force "$WORK/baseline" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
JARS=("$BENCH_JAR")
LABELS=("this tree")
if [ -n "$BASELINE" ]; then
    echo "building the bench jar of $BASELINE..."
    git -C "$MEMORY64_ROOT" worktree add -q --detach "$WORK/baseline" "$BASELINE"
    (cd "$WORK/baseline" && memory64_mvn -q -DskipTests -Dspotless.check.skip=true package >&2)
    cp "$WORK/baseline/memory64-bench/target/memory64-bench.jar" "$WORK/baseline.jar"
    JARS=("$WORK/baseline.jar" "$BENCH_JAR")
    LABELS=("$BASELINE" "this tree")
fi
# Runs the bench's main class $1 in RUNS fresh JVMs of each build of RUN_JARS, interleaved run by
# run, in both modes; each line goes to OUT labelled with its build's RUN_LABELS entry and $2.
measure() {
    local j mode
    for _ in $(seq "$RUNS"); do
        for j in "${!RUN_JARS[@]}"; do
            for mode in open open-logged; do
                "$JAVA_HOME/bin/java" "${JVM_OPTIONS[@]}" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
                    -cp "${RUN_JARS[$j]}" "dev.memory64.bench.$1" "$mode" "$DIR" |
                    sed "s|^|[${RUN_LABELS[$j]}$2] |" | tee -a "$OUT"
            done
        done
    done
}
# Measures this tree's main class $1 again (labelled as measure does) starting from an AOT cache
# trained on its first open, where the JDK can make one.
measure_with_aot_cache() {
    if ! "$JAVA_HOME/bin/java" -XX:+PrintFlagsFinal -version 2>/dev/null | grep -q ' AOTCacheOutput '; then
        echo "no AOT cache measurement: $JAVA_HOME has no -XX:AOTCacheOutput (JDK 25 and later)"
        return
    fi
    echo "training an AOT cache on this tree's $1..."
    if ! "$JAVA_HOME/bin/java" -XX:AOTCacheOutput="$WORK/$1.aot" \
        -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$BENCH_JAR" \
        "dev.memory64.bench.$1" open "$DIR" >"$WORK/aot.log" 2>&1 || [ ! -s "$WORK/$1.aot" ]; then
        echo "the AOT cache's training run failed:" >&2
        cat "$WORK/aot.log" >&2
        exit 1
    fi
    RUN_JARS=("$BENCH_JAR")
    RUN_LABELS=("this tree, AOT cache")
    # AOTMode=on: a cache that cannot be used fails the run instead of being ignored.
    JVM_OPTIONS=(-XX:AOTCache="$WORK/$1.aot" -XX:AOTMode=on)
    measure "$1" "$2"
    JVM_OPTIONS=()
}
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
RUN_JARS=("${JARS[@]}")
RUN_LABELS=("${LABELS[@]}")
JVM_OPTIONS=()
measure OpenTimeMeasurement ""
measure_with_aot_cache OpenTimeMeasurement ""
SAFETENSORS="$DIR/memory64-open-405b-safetensors"
if [ ! -f "$SAFETENSORS/model.safetensors.index.json" ] || [ -n "$(find "$MEMORY64_ROOT/memory64-bench/src" -name SafetensorsOpenMeasurement.java -newer "$SAFETENSORS/model.safetensors.index.json" -print -quit)" ]; then
    (memory64_run_bench dev.memory64.bench.SafetensorsOpenMeasurement -- write "$DIR")
fi
# The baseline's build too, interleaved, if it has the measurement (from commit 55bb024 on).
RUN_JARS=()
RUN_LABELS=()
for j in "${!JARS[@]}"; do
    if unzip -l "${JARS[$j]}" dev/memory64/bench/SafetensorsOpenMeasurement.class >/dev/null 2>&1; then
        RUN_JARS+=("${JARS[$j]}")
        RUN_LABELS+=("${LABELS[$j]}")
    fi
done
measure SafetensorsOpenMeasurement ", safetensors 191 shards"
measure_with_aot_cache SafetensorsOpenMeasurement ", safetensors 191 shards"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
# Medians over the runs, per build and mode: first-open wall and CPU, warm wall and CPU, heap.
awk '
    function median(a, n,   i, j, t) {
        for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
            t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
        }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    {
        match($0, /^\[[^]]*\]/); label = substr($0, 2, RLENGTH - 2)
    }
    /\] first open/ {
        m = label (/SLF4J initialised/ ? ", SLF4J initialised before the clock" : "")
        if (!(m in n)) { order[++modes] = m }
        k = ++n[m]; cur = m
        match($0, /: [0-9.]+ ms/); wall[m, k] = substr($0, RSTART + 2, RLENGTH - 5) + 0
        match($0, /CPU [0-9.]+ ms/); cpu[m, k] = substr($0, RSTART + 4, RLENGTH - 7) + 0
        target[m] = label ~ /safetensors/ ? 150 : 100
        under[m] += wall[m, k] < target[m]
    }
    /\] warm opens/ {
        match($0, /median [0-9.]+ ms, min/); warm[cur, n[cur]] = substr($0, RSTART + 7, RLENGTH - 15) + 0
        match($0, /CPU: median [0-9.]+ ms/); wcpu[cur, n[cur]] = substr($0, RSTART + 12, RLENGTH - 15) + 0
    }
    /\] heap retained/ { match($0, /[0-9.]+ MiB/); heap[cur, n[cur]] = substr($0, RSTART, RLENGTH - 4) + 0 }
    END {
        for (o = 1; o <= modes; o++) {
            m = order[o]
            for (i = 1; i <= n[m]; i++) {
                a[i] = wall[m, i]; b[i] = cpu[m, i]; c[i] = warm[m, i]; d[i] = wcpu[m, i]; e[i] = heap[m, i]
            }
            printf "median of %d fresh JVMs [%s]: first open %.1f ms (main thread on a CPU %.1f ms; %d of %d under %d ms), warm opens %.1f ms (CPU %.1f ms), heap retained %.2f MiB\n", \
                n[m], m, median(a, n[m]), median(b, n[m]), under[m], n[m], target[m], median(c, n[m]), median(d, n[m]), median(e, n[m])
        }
    }' "$OUT"
