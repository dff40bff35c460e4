#!/usr/bin/env bash
# Generates text from a prompt with a llama-architecture model, the inference guest
# (guests/c/llama.c) running under a WebAssembly runtime over the memory64 store:
#
#   scripts/generate.sh [--model FILE_OR_URI] [--prompt TEXT] [--steps N] [--temperature T]
#                       [--top-p P] [--seed S] [--runtime chicory|chicory-interpreter|endive]
#                       [--buffer-mib M]
#
# Standard output carries exactly what llama2.c's run.c prints for the same model, prompt and
# steps (the prompt, the generated text, one newline); --steps counts the prompt's tokens, as
# run.c's -n. Standard error ends in one line of statistics:
#   generated T tokens in S s (R tok/s; weights W GB in L s = X% of the time at G GB/s,
#   Y x plain copy), guest memory M MiB, peak RSS P GiB
# With no --model: stories260K from ../shared/models beside the project where it is, its llama2.c
# checkpoint converted once (as scripts/convert-llama2c.sh converts it), else a small synthetic
# sample model whose random weights write nonsense; either is written into
# memory64-llama/target/generate and reused. The command (dev.memory64.llama.cli.GenerateCommand)
# is built into memory64-llama/target/memory64-llama-cli.jar on the first run and when a source
# changes.
set -euo pipefail
MEMORY64_ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=find-jdk.sh
. "$MEMORY64_ROOT/scripts/find-jdk.sh"
memory64_find_jdk
JAR="$MEMORY64_ROOT/memory64-llama/target/memory64-llama-cli.jar"
if [ ! -f "$JAR" ] || [ -n "$(find "$MEMORY64_ROOT/pom.xml" "$MEMORY64_ROOT/memory64-core" \
    "$MEMORY64_ROOT/memory64-chicory" "$MEMORY64_ROOT/memory64-endive" "$MEMORY64_ROOT/memory64-llama" \
    "$MEMORY64_ROOT/guests/c/llama.wasm" \( -path '*/src/main/*' -o -name pom.xml -o -name chicory-to-endive.xml -o -name llama.wasm \) \
    -newer "$JAR" -print -quit)" ]; then
    memory64_find_maven
    echo "memory64: building the generator (first run, or sources changed)..." >&2
    (cd "$MEMORY64_ROOT" && memory64_mvn -q -Pcli -pl memory64-llama -am package -DskipTests \
        -Dspotless.check.skip=true -Dmaven.javadoc.skip=true >&2)
fi
exec "$JAVA_HOME/bin/java" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$JAR" \
    dev.memory64.llama.cli.GenerateCommand \
    --models-dir "$MEMORY64_ROOT/../shared/models" \
    --work-dir "$MEMORY64_ROOT/memory64-llama/target/generate" "$@"
