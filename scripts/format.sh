#!/usr/bin/env bash
# Reformats every Java file with the project's one formatter (Spotless, google-java-format AOSP).
set -euo pipefail
MEMORY64_ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=find-jdk.sh
. "$MEMORY64_ROOT/scripts/find-jdk.sh"
memory64_maven_at_root
memory64_mvn -q spotless:apply "$@"
