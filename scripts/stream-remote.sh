#!/usr/bin/env bash
# Streams a model from nginx on the loopback (HTTP range requests into a sparse cache) and from the
# same file mapped locally, in one run, and prints both rates and their ratio. Needs nginx
# (apt-get install nginx-light). Arguments go to the program: try --help.
#
# With --s3 (S3Proxy on the loopback, from Maven: no install) or --processes N (N JVMs streaming
# the same model at once, each with its own cache), it runs StreamShared instead: per-process and
# aggregate rates, every checksum checked; try --s3 --help.
set -euo pipefail
MEMORY64_ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=find-jdk.sh
. "$MEMORY64_ROOT/scripts/find-jdk.sh"
main=dev.memory64.bench.large.StreamRemote
for arg in "$@"; do
    case "$arg" in
        --s3 | --processes) main=dev.memory64.bench.large.StreamShared ;;
    esac
done
# Native access lets the remote cache punch holes behind a residency window (disk given back).
memory64_run_bench "$main" -Xmx1g --enable-native-access=ALL-UNNAMED -- "$@"
