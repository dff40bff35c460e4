#!/usr/bin/env bash
# Converts a llama2.c checkpoint and its tokenizer into a GGUF model that llama.cpp loads too,
# or (--hf) into a Hugging Face llama checkpoint directory (model.safetensors, config.json,
# tokenizer.json; dev.memory64.llama.HfCheckpointConverter) that Llama and generate.sh run:
#
#   scripts/convert-llama2c.sh CHECKPOINT TOKENIZER OUT.gguf [--type f32|f16|bf16|q8_0|q4_0|q5_0|q4_k|q5_k|q6_k] [--verbose]
#   scripts/convert-llama2c.sh --hf CHECKPOINT TOKENIZER OUT_DIR [--type f32|f16|bf16] [--verbose]
#
# F32 (the default) gives the keys, tensor names and bytes of llama.cpp's own converter
# (convert-llama2c-to-ggml); another --type quantises the 2-D weights. Silent on success (exit 0);
# --verbose prints one line with the model's shape. Exit 2 on bad usage, 1 when the conversion
# fails, with the reason on standard error. The converter (dev.memory64.llama.Llama2cConverter,
# on the project's GgufWriter) is built into memory64-llama/target/memory64-llama-cli.jar on the
# first run and when a source changes.
set -euo pipefail
MEMORY64_ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=find-jdk.sh
. "$MEMORY64_ROOT/scripts/find-jdk.sh"
memory64_find_jdk
JAR="$MEMORY64_ROOT/memory64-llama/target/memory64-llama-cli.jar"
if [ ! -f "$JAR" ] || [ -n "$(find "$MEMORY64_ROOT/pom.xml" "$MEMORY64_ROOT/memory64-core" "$MEMORY64_ROOT/memory64-llama" \
    \( -path '*/src/main/*' -o -name pom.xml \) -newer "$JAR" -print -quit)" ]; then
    memory64_find_maven
    echo "memory64: building the converter (first run, or sources changed)..." >&2
    (cd "$MEMORY64_ROOT" && memory64_mvn -q -Pcli -pl memory64-llama -am package -DskipTests \
        -Dspotless.check.skip=true -Dmaven.javadoc.skip=true >&2)
fi
exec "$JAVA_HOME/bin/java" -cp "$JAR" dev.memory64.llama.Llama2cConverter "$@"
