#!/usr/bin/env bash
# Proves that ./scripts/test.sh needs only a JDK: clones the committed HEAD into a temporary
# directory and runs its scripts/test.sh there with no `mvn` on the PATH (a directory of links to
# every other command), no JAVA_HOME, an empty MAVEN_USER_HOME (so the wrapper downloads Maven)
# and an empty local repository (so every dependency is downloaded), then checks that the output
# holds no terminal escape code. Needs network access to Maven Central; takes a few minutes.
#
#   scripts/test-without-maven.sh [maven arguments...]   e.g. -Dtest=SomeTest
#
# The temporary directory is removed afterwards; KEEP=1 keeps it and prints its path.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
if [[ "${KEEP:-}" == 1 ]]; then
    echo "test-without-maven: working in $work (kept)"
else
    trap 'rm -rf "$work"' EXIT
fi

commit=$(git -C "$ROOT" rev-parse HEAD)
git clone -q --no-checkout "$ROOT" "$work/clone"
git -C "$work/clone" checkout -q "$commit"

# A PATH with every command of the usual directories but Maven.
mkdir -p "$work/bin" "$work/home" "$work/maven-user-home" "$work/repository"
for dir in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
    [[ -d "$dir" ]] || continue
    for tool in "$dir"/*; do
        name=$(basename "$tool")
        case "$name" in mvn | mvnDebug | mvnyjp) continue ;; esac
        [[ -e "$work/bin/$name" ]] || ln -s "$tool" "$work/bin/$name"
    done
done

echo "test-without-maven: commit $commit, java on the PATH: $(env PATH="$work/bin" java -version 2>&1 | head -1)"
if env PATH="$work/bin" sh -c 'command -v mvn' >/dev/null; then
    echo "test-without-maven: mvn is still on the PATH" >&2
    exit 1
fi
status=0
(cd "$work/clone" && env -i HOME="$work/home" PATH="$work/bin" TERM=dumb \
    MAVEN_USER_HOME="$work/maven-user-home" \
    ./scripts/test.sh "-Dmaven.repo.local=$work/repository" "$@") >"$work/test.log" 2>&1 || status=$?
grep -e 'Tests run:.*Skipped: [0-9]*$' -e 'BUILD' "$work/test.log" || true
if [[ $status -ne 0 ]]; then
    tail -40 "$work/test.log"
    echo "test-without-maven: scripts/test.sh failed with status $status" >&2
    exit 1
fi
maven=$(find "$work/maven-user-home/wrapper/dists" -mindepth 1 -maxdepth 1 -type d -printf '%f\n')
escapes=$(grep -c $'\e' "$work/test.log" || true)
echo "test-without-maven: passed with the wrapper's $maven (downloaded into an empty MAVEN_USER_HOME), $escapes lines with escape codes"
[[ $escapes -eq 0 ]]
