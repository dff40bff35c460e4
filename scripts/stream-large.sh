#!/usr/bin/env bash
# Streams a 264 GB 405B-class model (written once, sparse) through the C guest in bounded memory
# and prints a table and one summary line. Arguments go to the program: try --help.
set -euo pipefail
MEMORY64_ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=find-jdk.sh
. "$MEMORY64_ROOT/scripts/find-jdk.sh"
# Native access lets a remote model's cache (--model http://...) give disk back behind the window.
memory64_run_bench dev.memory64.bench.large.StreamLarge -Xmx1g --enable-native-access=ALL-UNNAMED -- "$@"
