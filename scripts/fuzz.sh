#!/usr/bin/env bash
# Fuzzes every Jazzer @FuzzTest of the project (or those named) for a set time each.
#
#   ./scripts/fuzz.sh [seconds] [ClassName#method ...]
#
# seconds: how long to fuzz each test (default 300). Without names, every @FuzzTest method under
# memory64-*/src/test/java is fuzzed, one after the other (Jazzer fuzzes one test per JVM).
#
# Where things go, per test (package p, class C, method m, in module M):
#   M/src/test/resources/p/CInputs/m/crash-*  an input that failed the test: a finding. The build
#                                              replays this directory, so a finding fails
#                                              ./scripts/test.sh until the bug is fixed; commit it
#                                              with the fix.
#   M/.cifuzz-corpus/p.C/m/                    the inputs Jazzer found new coverage with (not
#                                              committed; copy a few small ones into the inputs
#                                              directory above to grow the regression corpus).
# Exit status: 0 if no test found anything, 1 otherwise.
set -euo pipefail
MEMORY64_ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=find-jdk.sh
. "$MEMORY64_ROOT/scripts/find-jdk.sh"
memory64_maven_at_root

seconds=300
if [ $# -gt 0 ] && [[ $1 =~ ^[0-9]+$ ]]; then
    seconds=$1
    shift
fi

# Lines "module Class#method" for every @FuzzTest method (the first method after the annotation).
list_fuzz_tests() {
    grep -rl --include='*.java' '@FuzzTest' memory64-*/src/test/java 2>/dev/null | sort |
        while read -r file; do
            module=${file%%/*}
            class=$(basename "$file" .java)
            awk -v m="$module" -v c="$class" '
                /@FuzzTest/ { want = 1; next }
                want && match($0, /void [A-Za-z0-9_]+\(/) {
                    name = substr($0, RSTART + 5, RLENGTH - 6); print m " " c "#" name; want = 0
                }' "$file"
        done
}

tests=$(list_fuzz_tests)
if [ $# -gt 0 ]; then
    wanted=$(printf '%s\n' "$@")
    tests=$(printf '%s\n' "$tests" | grep -F -w -f <(printf '%s\n' "$wanted") || true)
fi
if [ -z "$tests" ]; then
    echo "fuzz.sh: no @FuzzTest matches ${*:-anything}" >&2
    exit 2
fi

found=0
while read -r module test; do
    echo "memory64: fuzzing $test ($module) for ${seconds}s" >&2
    if ! JAZZER_FUZZ=1 memory64_mvn test -pl "$module" -am \
        -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false -Dspotless.check.skip=true \
        -Djazzer.hooks=true -Djazzer.instrument='dev.memory64.**' \
        -Djazzer.max_duration="${seconds}s"; then
        found=1
        echo "memory64: $test found something: see the crash-* file named above" >&2
    fi
done <<<"$tests"
exit $found
