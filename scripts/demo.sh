#!/usr/bin/env bash
# Builds what the demo needs (once) and runs it. Arguments go to the demo: try --help.
set -euo pipefail
MEMORY64_ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=find-jdk.sh
. "$MEMORY64_ROOT/scripts/find-jdk.sh"
memory64_find_jdk
memory64_find_maven
jar="$MEMORY64_ROOT/memory64-bench/target/memory64-bench.jar"
if [ ! -f "$jar" ] || [ -n "$(find "$MEMORY64_ROOT" -path '*/src/*' -newer "$jar" -print -quit)" ]; then
    echo "memory64: building the demo (first run only)..." >&2
    (cd "$MEMORY64_ROOT" && "$MVN" -B -q -ntp -DskipTests -Dspotless.check.skip=true package >&2)
fi
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -jar "$jar" "$@"
