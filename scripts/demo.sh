#!/usr/bin/env bash
# Builds what the demo needs (on first run, or when sources changed) and runs it.
# Arguments go to the demo: try --help.
set -euo pipefail
MEMORY64_ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=find-jdk.sh
. "$MEMORY64_ROOT/scripts/find-jdk.sh"
memory64_find_jdk
memory64_find_maven
memory64_bench_jar
exec "$JAVA_HOME/bin/java" -jar "$BENCH_JAR" "$@"
