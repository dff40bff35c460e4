#!/usr/bin/env bash
# Streams a model from nginx on the loopback (HTTP range requests into a sparse cache) and from the
# same file mapped locally, in one run, and prints both rates and their ratio. Needs nginx
# (apt-get install nginx-light). Arguments go to the program: try --help.
set -euo pipefail
MEMORY64_ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=find-jdk.sh
. "$MEMORY64_ROOT/scripts/find-jdk.sh"
# Native access lets the remote cache punch holes behind a residency window (disk given back).
memory64_run_bench dev.memory64.bench.large.StreamRemote -Xmx1g --enable-native-access=ALL-UNNAMED -- "$@"
