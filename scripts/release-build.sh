#!/usr/bin/env bash
# Builds the release artifacts of every published module without signing or publishing them:
# jars, sources and Javadoc jars, the POMs (the parent's and each module's) and the BOM, all
# copied to target/release/ with a SHA256SUMS file. A release then needs only signing and a deploy.
#
#   scripts/release-build.sh                       clean build with the tests, then collect
#   scripts/release-build.sh --skip-tests          the same without running the tests
#   scripts/release-build.sh --check-reproducible  build twice from clean (tests skipped) and
#                                                  compare every artifact byte for byte: exit 1
#                                                  naming each file that differs
#
# Javadoc runs with every doclint group and fails on a warning. Modules whose POM sets
# maven.deploy.skip (the bench: not a library) are not built here.
set -euo pipefail
MEMORY64_ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=find-jdk.sh
. "$MEMORY64_ROOT/scripts/find-jdk.sh"

usage() {
    echo "usage: scripts/release-build.sh [--skip-tests | --check-reproducible]"
}

memory64_mode build --skip-tests=skip-tests --check-reproducible=check -- "$@"

memory64_find_jdk
memory64_find_maven
cd "$MEMORY64_ROOT"
OUT=target/release

# The modules a release publishes: every module of the root POM but the BOM and those whose POM
# sets maven.deploy.skip (the bench: not a library).
published_modules() {
    local module
    for module in $(sed -n 's|^ *<module>\(.*\)</module> *$|\1|p' pom.xml); do
        if [[ $module != memory64-bom ]] &&
            ! grep -q '<maven.deploy.skip>true</maven.deploy.skip>' "$module/pom.xml"; then
            echo "$module"
        fi
    done
}

# The modules a release does not build.
unpublished_modules() {
    local module
    for module in $(sed -n 's|^ *<module>\(.*\)</module> *$|\1|p' pom.xml); do
        if grep -q '<maven.deploy.skip>true</maven.deploy.skip>' "$module/pom.xml"; then
            printf '!%s,' "$module"
        fi
    done
}

# The artifacts the BOM lists.
bom_entries() {
    sed -n '/<dependencyManagement>/,/<\/dependencyManagement>/s|^ *<artifactId>\(.*\)</artifactId> *$|\1|p' \
        memory64-bom/pom.xml
}

# Every published module must be in the BOM; a BOM entry this tree does not build gets a note
# (a module that lives on another branch until it is merged).
check_bom() {
    local module missing=0 published listed
    # Lists in variables, not pipes: grep -q stops reading early, which pipefail would report.
    published=$(published_modules)
    listed=$(bom_entries)
    for module in $published; do
        if ! grep -q -x "$module" <<<"$listed"; then
            echo "release-build: $module is published but missing from memory64-bom/pom.xml" >&2
            missing=1
        fi
    done
    for module in $listed; do
        if ! grep -q -x "$module" <<<"$published"; then
            echo "release-build: note: the BOM lists $module, which this tree does not build" >&2
        fi
    done
    return $missing
}

# Builds from clean and copies the artifacts to $OUT. Arguments go to Maven.
build() {
    local version module file
    rm -rf "$OUT"
    local skip
    skip=$(unpublished_modules)
    memory64_mvn -q clean verify -Prelease ${skip:+-pl "${skip%,}"} -Dspotless.check.skip=true "$@"
    version=$(memory64_mvn -q -N help:evaluate -Dexpression=project.version -DforceStdout)
    mkdir -p "$OUT"
    cp pom.xml "$OUT/memory64-parent-$version.pom"
    # The BOM's published form is the flattened POM: no parent, only our modules.
    if grep -q -e '<parent>' -e '<properties>' memory64-bom/target/pom.xml; then
        echo "release-build: memory64-bom/target/pom.xml still has a parent or properties" >&2
        return 1
    fi
    cp memory64-bom/target/pom.xml "$OUT/memory64-bom-$version.pom"
    for module in $(published_modules); do
        cp "$module/pom.xml" "$OUT/$module-$version.pom"
        for file in "$module-$version.jar" "$module-$version-sources.jar" "$module-$version-javadoc.jar"; do
            if [[ ! -f "$module/target/$file" ]]; then
                echo "release-build: $module/target/$file was not built" >&2
                return 1
            fi
            cp "$module/target/$file" "$OUT/"
        done
    done
    (cd "$OUT" && sha256sum -- * >SHA256SUMS)
}

check_bom
case $mode in
    build)
        build
        echo "release-build: $(($(wc -l <"$OUT/SHA256SUMS"))) artifacts in $OUT (see $OUT/SHA256SUMS)"
        ;;
    skip-tests)
        build -DskipTests
        echo "release-build: $(($(wc -l <"$OUT/SHA256SUMS"))) artifacts in $OUT (see $OUT/SHA256SUMS)"
        ;;
    check)
        first=$(mktemp)
        trap 'rm -f "$first"' EXIT
        build -DskipTests
        cp "$OUT/SHA256SUMS" "$first"
        build -DskipTests
        if ! diff -u "$first" "$OUT/SHA256SUMS" >&2; then
            echo "release-build: two builds of the same tree differ in the files above" >&2
            exit 1
        fi
        echo "release-build: reproducible: two clean builds gave byte-identical artifacts ($(($(wc -l <"$first"))) files, SHA256SUMS in $OUT)"
        ;;
esac
