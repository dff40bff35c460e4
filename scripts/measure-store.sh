#!/usr/bin/env bash
# Measures the time and resident memory of creating a reserved (default 64 GiB) and an allocated
# (default 8 GiB) store. Usage: scripts/measure-store.sh [reservedGiB [allocatedGiB]]
set -euo pipefail
MEMORY64_ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=find-jdk.sh
. "$MEMORY64_ROOT/scripts/find-jdk.sh"
memory64_run_bench dev.memory64.bench.StoreFootprint -- "$@"
