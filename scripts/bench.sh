#!/usr/bin/env bash
# Runs the JMH suite of memory64-bench and regenerates docs/PERFORMANCE.md from its results.
#
#   scripts/bench.sh           the short, statistically honest setting (2 forks, warm-up, 10
#                              measured iterations per result): under 15 minutes on 2 cores
#   scripts/bench.sh --full    5 forks of longer iterations: about an hour
#   scripts/bench.sh --report bench-results/jmh-DATE.json   only regenerate the report
#
# JMH's JSON goes to bench-results/ (not committed). --help lists every option.
set -euo pipefail
MEMORY64_ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=find-jdk.sh
. "$MEMORY64_ROOT/scripts/find-jdk.sh"
memory64_run_bench dev.memory64.bench.BenchmarkSuite -Xmx1g \
    "-Dmemory64.bench.command=scripts/bench.sh $*" -- \
    --results bench-results --doc docs/PERFORMANCE.md "$@"
