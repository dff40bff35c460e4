#!/usr/bin/env bash
# Builds the inference guest guests/c/llama.c for the host, the baseline its wasm build is measured
# against: the same C source at the same optimisation (clang -O2), over a native implementation
# of the memory64 functions that maps one GGUF file (guests/c/native/memory64_native.c).
#
#   scripts/build-native-guest.sh        builds target/llama-native (not committed)
#
# Then: target/llama-native --model FILE.gguf [--prompt TEXT] [--steps N] [--temperature T]
#       [--top-p P] [--seed S] [--buffer-mib M | --buffer-kib K] [--rope normal|neox]
# Override the compiler with CC (default clang-14, else clang, else cc).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [[ $# -gt 0 ]]; then
    echo "usage: scripts/build-native-guest.sh" >&2
    exit 2
fi
if [[ -z "${CC:-}" ]]; then
    for candidate in clang-14 clang cc; do
        if command -v "$candidate" >/dev/null 2>&1; then
            CC=$candidate
            break
        fi
    done
fi
mkdir -p "$ROOT/target"
"$CC" -O2 -std=c11 -Wall -Wextra -Werror -I"$ROOT/guests/c" \
    "$ROOT/guests/c/llama.c" "$ROOT/guests/c/native/memory64_native.c" -lm \
    -o "$ROOT/target/llama-native"
echo "built target/llama-native"
