# shellcheck shell=bash
# Sourced by the project's scripts: sets JAVA_HOME to a JDK 22 or newer (the final FFM API).
# Order: $JAVA_HOME if new enough, then the JDKs installed under /usr/lib/jvm (newest first),
# then `java` on the PATH. Prints one line and returns 1 if there is none.

memory64_java_feature() { # prints the feature version of the JDK at $1, or nothing
    local home=$1 line
    [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 0
    line=$("$home/bin/java" -XshowSettings:properties -version 2>&1 | grep -m1 'java.specification.version') || return 0
    line=${line##*= }
    line=${line#1.}
    printf '%s\n' "${line%%.*}"
}

memory64_find_jdk() {
    local min=22 candidate feature best="" best_feature=0
    local -a candidates=()
    [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
    for candidate in /usr/lib/jvm/*/ /usr/local/lib/jvm/*/ /opt/java/*/ "$HOME"/.sdkman/candidates/java/*/; do
        [ -d "$candidate" ] && candidates+=("${candidate%/}")
    done
    if command -v javac >/dev/null 2>&1; then
        candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
    fi
    if [ -n "${JAVA_HOME:-}" ]; then
        feature=$(memory64_java_feature "$JAVA_HOME")
        if [ -n "$feature" ] && [ "$feature" -ge "$min" ]; then
            export JAVA_HOME
            return 0
        fi
    fi
    for candidate in "${candidates[@]}"; do
        feature=$(memory64_java_feature "$candidate")
        if [ -n "$feature" ] && [ "$feature" -ge "$min" ] && [ "$feature" -gt "$best_feature" ]; then
            best=$candidate
            best_feature=$feature
        fi
    done
    if [ -z "$best" ]; then
        echo "memory64: needs a JDK $min or newer (java and javac); none found in JAVA_HOME, /usr/lib/jvm or the PATH. Install one (e.g. Temurin 25) or set JAVA_HOME to it." >&2
        return 1
    fi
    export JAVA_HOME=$best
    export PATH="$JAVA_HOME/bin:$PATH"
}

memory64_find_maven() { # sets MVN: the project's Maven wrapper, else `mvn` on the PATH
    if [ -x "${MEMORY64_ROOT}/mvnw" ]; then
        # The wrapper fetches the Maven pinned in .mvn/wrapper/maven-wrapper.properties once.
        MVN="${MEMORY64_ROOT}/mvnw"
        local url name
        url=$(sed -n 's/^distributionUrl=//p' "${MEMORY64_ROOT}/.mvn/wrapper/maven-wrapper.properties")
        name=${url##*/}
        name=${name%-bin.zip}
        if [ ! -d "${MAVEN_USER_HOME:-$HOME/.m2}/wrapper/dists/$name" ]; then
            echo "memory64: first run of the Maven wrapper: downloading $name from Maven Central..." >&2
        fi
    elif command -v mvn >/dev/null 2>&1; then
        MVN=$(command -v mvn)
    else
        echo "memory64: needs the Maven wrapper (mvnw in the project root) or Apache Maven 3.9 or newer (mvn on the PATH); found neither." >&2
        return 1
    fi
    # Maven's own libraries call sun.misc.Unsafe, which JDK 24+ warns about on every run; the
    # option that silences it exists from JDK 23 and an older JVM refuses to start with it.
    local feature
    feature=$(memory64_java_feature "$JAVA_HOME")
    if [ -n "$feature" ] && [ "$feature" -ge 23 ]; then
        case " ${MAVEN_OPTS:-} " in
            *" --sun-misc-unsafe-memory-access="*) ;;
            *) export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" ;;
        esac
    fi
}

memory64_maven_at_root() { # finds the JDK and Maven, then works from the project root
    memory64_find_jdk
    memory64_find_maven
    cd "$MEMORY64_ROOT"
}

memory64_mvn() { # runs Maven in batch mode with no download progress and no terminal escape codes
    "$MVN" -B -ntp -Dstyle.color=never "$@"
}

memory64_bench_jar() { # builds memory64-bench.jar when missing or older than a source; sets BENCH_JAR
    BENCH_JAR="$MEMORY64_ROOT/memory64-bench/target/memory64-bench.jar"
    if [ ! -f "$BENCH_JAR" ] || [ -n "$(find "$MEMORY64_ROOT" \( -path '*/src/*' -o -name pom.xml -o -path '*/guests/*.wasm' \) -newer "$BENCH_JAR" -print -quit)" ]; then
        echo "memory64: building (first run, or sources changed)..." >&2
        (cd "$MEMORY64_ROOT" && memory64_mvn -q -DskipTests -Dspotless.check.skip=true -Denforcer.skip=false package >&2)
    fi
}

memory64_run_bench() { # CLASS [JVM options...] -- [arguments...]: runs a main class of the bench jar
    local main=$1
    shift
    local -a jvm=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do
        jvm+=("$1")
        shift
    done
    [ $# -gt 0 ] && shift
    memory64_find_jdk
    memory64_find_maven
    memory64_bench_jar
    cd "$MEMORY64_ROOT" || return 1
    exec "$JAVA_HOME/bin/java" -Dorg.slf4j.simpleLogger.defaultLogLevel=warn "${jvm[@]}" \
        -cp "$BENCH_JAR" "$main" "$@"
}

memory64_mode() { # DEFAULT --FLAG=MODE... -- "$@": sets `mode` from a script's one optional flag
    # With no argument, mode is DEFAULT; with a FLAG, its MODE. -h or --help prints the caller's
    # `usage` and exits 0; another argument, or more than one, prints it on stderr and exits 2.
    mode=$1
    shift
    local -a flags=()
    while [[ $1 != -- ]]; do
        flags+=("$1")
        shift
    done
    shift
    local flag found=""
    case "${1:-}" in
        "") found=yes ;;
        -h | --help)
            usage
            exit 0
            ;;
        *)
            for flag in "${flags[@]}"; do
                if [[ $1 == "${flag%%=*}" ]]; then
                    mode=${flag#*=}
                    found=yes
                fi
            done
            ;;
    esac
    if [[ -z $found || $# -gt 1 ]]; then
        usage >&2
        exit 2
    fi
}
