#!/usr/bin/env bash
# Measures cold layer loads from a mapped 1 GiB model with and without read-ahead (drops the page
# cache, so it needs root), in both modes: whole-layer loads with the host's prefetch of layer N+1,
# and a streaming guest's range loads through the ABI (4 MiB chunks), where read-ahead starts when
# a range load starts a layer. Usage: scripts/measure-prefetch.sh [directory [rounds]]
set -euo pipefail
MEMORY64_ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=find-jdk.sh
. "$MEMORY64_ROOT/scripts/find-jdk.sh"
memory64_run_bench dev.memory64.bench.PrefetchMeasurement -- "$@"
