#!/usr/bin/env bash
# Measures the inference guest (guests/c/llama.c) against the same C source compiled natively, in
# one run, and prints rows for docs/PERFORMANCE.md:
#
#   scripts/measure-inference.sh [--steps N] [--runs N] [--warmup N] [--slow-runs N]
#                                [--runtimes chicory,chicory-interpreter,endive] [--model FILE]
#   scripts/measure-inference.sh --shape 7b|70b [--tokens N] [--runtime R] [--no-native]
#                                [--with-native] [--keep true]
#
# stories260K (from ../shared/models beside the project, converted once as scripts/generate.sh
# converts it) generates greedily under Chicory's compiler, Chicory's interpreter and Endive, and as
# target/llama-native (built here by scripts/build-native-guest.sh, clang -O2); each row gives the
# median tokens per second and its ratio to the native build's median of the same run. The
# generator jar is built as scripts/generate.sh builds it.
#
# With --shape: the origin design's 7B Q4_K_M shape, or the 70B-class Q4_K model, written sparse
# (synthetic zeros, no disk space) into memory64-llama/target/generate and deleted afterwards,
# generating a few tokens: seconds per token, the share and GB/s of the weight loads against a
# plain copy of the same bytes in the same run, peak RSS (dev.memory64.llama.cli.MeasureLargeModel).
# These runs take minutes (the 70B-class one, tens of minutes).
set -euo pipefail
MEMORY64_ROOT=$(cd "$(dirname "$0")/.." && pwd)
"$MEMORY64_ROOT/scripts/build-native-guest.sh" >&2
# scripts/generate.sh builds the jar when needed before it runs anything; its usage error ends it.
"$MEMORY64_ROOT/scripts/generate.sh" --help >/dev/null 2>&1 || true
if [[ ! -f "$MEMORY64_ROOT/memory64-llama/target/memory64-llama-cli.jar" ]]; then
    echo "measure-inference: building memory64-llama/target/memory64-llama-cli.jar failed" >&2
    exit 1
fi
# shellcheck source=find-jdk.sh
. "$MEMORY64_ROOT/scripts/find-jdk.sh"
memory64_find_jdk
main=dev.memory64.llama.cli.MeasureInference
for arg in "$@"; do
    if [[ $arg == --shape ]]; then
        main=dev.memory64.llama.cli.MeasureLargeModel
    fi
done
exec "$JAVA_HOME/bin/java" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "$MEMORY64_ROOT/memory64-llama/target/memory64-llama-cli.jar" "$main" \
    --models-dir "$MEMORY64_ROOT/../shared/models" \
    --work-dir "$MEMORY64_ROOT/memory64-llama/target/generate" \
    --native "$MEMORY64_ROOT/target/llama-native" "$@"
