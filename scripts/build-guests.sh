#!/usr/bin/env bash
# Rebuilds the committed Wasm guests from their sources, or checks that they are up to date.
#
#   scripts/build-guests.sh          rebuild guests/wat/NAME.wasm from guests/wat/NAME.wat and
#                                    guests/c/NAME.wasm from guests/c/NAME.c, in place
#   scripts/build-guests.sh --check  rebuild into a temporary directory and compare: exit 1 with
#                                    one line per committed .wasm that is stale, missing or has no
#                                    source; exit 0 with one line saying what was skipped when the
#                                    tools are not installed (CI runs this after the tests)
#
# Tools, from these Debian 12 (bookworm) packages, whose versions fix the bytes of the outputs:
#   wabt 1.0.32-1                      wat2wasm
#   clang-14 1:14.0.6-12               clang (Debian clang version 14.0.6)
#   lld-14 1:14.0.6-12                 wasm-ld
#   wasi-libc 0.0~git20220510.9886d3d-2  sysroot: /usr/include/wasm32-wasi, /usr/lib/wasm32-wasi
#   libclang-rt-14-dev-wasm32 1:14.0.6-12  libclang_rt.builtins-wasm32.a
# Install: apt-get install wabt clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32
# Overrides: WAT2WASM, CLANG (default clang-14, else clang), WASI_SYSROOT (default /usr).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=find-jdk.sh
. "$ROOT/scripts/find-jdk.sh"
GUESTS="$ROOT/guests"
PACKAGES="wabt clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32"

usage() {
    echo "usage: scripts/build-guests.sh [--check]"
}

memory64_mode build --check=check -- "$@"

WAT2WASM=${WAT2WASM:-wat2wasm}
if [[ -z "${CLANG:-}" ]]; then
    if command -v clang-14 >/dev/null 2>&1; then
        CLANG=clang-14
    else
        CLANG=clang
    fi
fi
WASI_SYSROOT=${WASI_SYSROOT:-/usr}

# C guests: wasm32-wasi commands, optimised, without debug sections (they would embed build
# paths), with the 64 KiB stack first in memory so that an overflow traps instead of corrupting
# data. The linker sizes the initial memory to hold the static data (layer_checksum's 16 MiB
# buffer) and leaves it growable for malloc.
C_FLAGS=(--target=wasm32-wasi "--sysroot=$WASI_SYSROOT" -O2 -std=c11 -Wall -Wextra -Werror
    "-I$GUESTS/include")
LD_FLAGS=("-Wl,--strip-debug" "-Wl,--stack-first" "-Wl,-z,stack-size=65536")

# Which tool sets are present; the reason is kept for the one-line skip message.
wat_missing=""
if ! command -v "$WAT2WASM" >/dev/null 2>&1; then
    wat_missing="$WAT2WASM not found"
fi
c_missing=""
if ! command -v "$CLANG" >/dev/null 2>&1; then
    c_missing="$CLANG not found"
elif [[ ! -f "$WASI_SYSROOT/include/wasm32-wasi/stdio.h" || ! -f "$WASI_SYSROOT/lib/wasm32-wasi/libc.a" ]]; then
    c_missing="no wasi-libc sysroot at $WASI_SYSROOT"
elif [[ ! -f "$("$CLANG" --target=wasm32-wasi -print-libgcc-file-name)" ]]; then
    c_missing="no libclang_rt.builtins-wasm32.a for $CLANG"
elif ! command -v "$("$CLANG" --target=wasm32-wasi -print-prog-name=wasm-ld)" >/dev/null 2>&1 \
    && [[ ! -x "$(dirname "$(readlink -f "$(command -v "$CLANG")")")/wasm-ld" ]]; then
    # clang finds wasm-ld on the PATH or beside itself (Debian's /usr/lib/llvm-14/bin)
    c_missing="wasm-ld not found"
fi

if [[ $mode == build && -n "$wat_missing$c_missing" ]]; then
    echo "build-guests: cannot build: ${wat_missing}${wat_missing:+${c_missing:+; }}${c_missing}" \
        "(install the Debian packages: $PACKAGES)" >&2
    exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

failures=0
skipped=()

# Builds one source into $2 (a path inside $work). A WAT source may ask for wat2wasm feature
# flags in a comment line ";; build-flags: --enable-threads" (threads.wat does).
build_one() {
    local src=$1 out=$2 flags
    case "$src" in
        *.wat)
            flags=$(sed -n 's/^;; build-flags: //p' "$src" | head -n 1)
            # shellcheck disable=SC2086 # the flags are words
            "$WAT2WASM" --debug-names $flags "$src" -o "$out"
            ;;
        *.c) "$CLANG" "${C_FLAGS[@]}" "$src" "${LD_FLAGS[@]}" -o "$out" ;;
    esac
}

# Rebuilds every source of one kind ($1: wat or c) in guests/$1, then installs or compares.
process() {
    local kind=$1 dir="$GUESTS/$1" src name rel out
    for src in "$dir"/*."$kind"; do
        [[ -e "$src" ]] || continue
        name=$(basename "$src" ."$kind")
        rel="guests/$kind/$name.wasm"
        out="$work/$kind-$name.wasm"
        build_one "$src" "$out"
        if [[ $mode == build ]]; then
            chmod 644 "$out"
            mv "$out" "$dir/$name.wasm"
            echo "built $rel"
        elif [[ ! -f "$dir/$name.wasm" ]]; then
            echo "missing: $rel (run scripts/build-guests.sh and commit it)"
            failures=$((failures + 1))
        elif ! cmp -s "$out" "$dir/$name.wasm"; then
            echo "stale: $rel differs from a rebuild of guests/$kind/$name.$kind (run scripts/build-guests.sh and commit it)"
            failures=$((failures + 1))
        fi
    done
}

# A committed binary without a source can never be rebuilt or checked.
check_orphans() {
    local kind=$1 wasm name
    for wasm in "$GUESTS/$kind"/*.wasm; do
        [[ -e "$wasm" ]] || continue
        name=$(basename "$wasm" .wasm)
        if [[ ! -f "$GUESTS/$kind/$name.$kind" ]]; then
            echo "orphan: guests/$kind/$name.wasm has no source guests/$kind/$name.$kind"
            failures=$((failures + 1))
        fi
    done
}

# The SDK header must compile cleanly on its own, in C99, C11 and C++11.
check_header() {
    local std lang
    for std in c99:c c11:c c++11:c++; do
        lang=${std#*:}
        if ! echo '#include "memory64.h"' | "$CLANG" --target=wasm32-wasi "--sysroot=$WASI_SYSROOT" \
            -x "$lang" -std="${std%%:*}" -Wall -Wextra -Werror -pedantic "-I$GUESTS/include" \
            -fsyntax-only -; then
            echo "header: guests/include/memory64.h does not compile cleanly as ${std%%:*}"
            failures=$((failures + 1))
        fi
    done
}

check_orphans wat
check_orphans c
if [[ -z "$wat_missing" ]]; then
    process wat
else
    skipped+=("guests/wat ($wat_missing)")
fi
if [[ -z "$c_missing" ]]; then
    check_header
    process c
else
    skipped+=("guests/c and the header check ($c_missing)")
fi

if [[ ${#skipped[@]} -gt 0 ]]; then
    joined=$(printf '%s; ' "${skipped[@]}")
    echo "build-guests: --check skipped ${joined%; } (install the Debian packages: $PACKAGES)"
fi
if [[ $failures -gt 0 ]]; then
    exit 1
fi
