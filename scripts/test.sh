#!/usr/bin/env bash
# Runs the whole build and test suite: compile (warnings are errors), tests, formatter check.
set -euo pipefail
MEMORY64_ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=find-jdk.sh
. "$MEMORY64_ROOT/scripts/find-jdk.sh"
memory64_maven_at_root
echo "memory64: testing with JDK at $JAVA_HOME, Maven: $MVN" >&2
memory64_mvn verify "$@"
