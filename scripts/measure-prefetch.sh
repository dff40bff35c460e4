#!/usr/bin/env bash
# Measures cold layer loads from a mapped 1 GiB model with and without read-ahead (drops the page
# cache, so it needs root). Usage: scripts/measure-prefetch.sh [directory [rounds]]
set -euo pipefail
MEMORY64_ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=find-jdk.sh
. "$MEMORY64_ROOT/scripts/find-jdk.sh"
memory64_run_bench dev.memory64.bench.PrefetchMeasurement -- "$@"
