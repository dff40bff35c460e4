package dev.memory64.bench;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One run's JMH results, looked up by benchmark and parameters and read as the report reads them:
 * throughputs as GB/s, times as they are. Both the target judge ({@link BenchmarkTargets}) and the
 * Markdown ({@link BenchmarkReport}) read the run through it.
 */
final class BenchmarkResults {

    /** Layer sizes, as the benchmarks' {@code size} parameter spells them. */
    static final List<String> SIZES = List.of("4KiB", "64KiB", "1MiB", "16MiB", "64MiB");

    /** Guest memories, as the {@code memory} parameter spells them. */
    static final List<String> MEMORIES = List.of("SEGMENT", "BYTE_BUFFER", "BYTE_ARRAY");

    /** Chicory's own memories, which the Chicory-write baseline writes. */
    static final List<String> CHICORY_MEMORIES = List.of("BYTE_BUFFER", "BYTE_ARRAY");

    /** Execution modes, as the {@code mode} parameter spells them. */
    static final List<String> MODES = List.of("COMPILER", "INTERPRETER");

    /** The size the bandwidth targets are judged at. */
    static final String BIG = "64MiB";

    private static final String LOAD_BENCH = "BenchmarkLayerLoad.";
    private static final String CALL_BENCH = "BenchmarkCallCost.";
    private static final String PATH_BENCH = "BenchmarkCallPath.";
    private static final String THREAD_BENCH = "BenchmarkConcurrency.";
    private static final String MODEL_BENCH = "BenchmarkModelOpen.";

    private final List<BenchmarkResult> results;

    BenchmarkResults(List<BenchmarkResult> results) {
        this.results = List.copyOf(results);
    }

    /** Every result, in the file's order. */
    List<BenchmarkResult> all() {
        return results;
    }

    /** The one result of a benchmark with these parameters ({@code name, value, ...}). */
    Optional<BenchmarkResult> find(String benchmark, String... params) {
        outer:
        for (BenchmarkResult r : results) {
            if (!r.benchmark().equals(benchmark)) {
                continue;
            }
            for (int i = 0; i + 1 < params.length; i += 2) {
                if (!params[i + 1].equals(r.param(params[i]))) {
                    continue outer;
                }
            }
            return Optional.of(r);
        }
        return Optional.empty();
    }

    /** A throughput result (operations per second) as GB/s for operations of {@code bytes}. */
    private Measure gbps(Optional<BenchmarkResult> r, long bytes) {
        return r.map(x -> x.measure().times(bytes / 1e9)).orElse(null);
    }

    /** GB/s of our layer load at a size, into a guest memory, under an execution mode. */
    Measure load(String size, String memory, String mode) {
        return gbps(
                find(LOAD_BENCH + "load", "size", size, "memory", memory, "mode", mode),
                BenchmarkGuests.bytes(size));
    }

    /** GB/s of the plain {@code MemorySegment.copy} baseline at a size. */
    Measure plainCopy(String size) {
        return gbps(find(LOAD_BENCH + "plainCopy", "size", size), BenchmarkGuests.bytes(size));
    }

    /** GB/s of Chicory's own {@code Memory.write} of a ready {@code byte[]} into a memory. */
    Measure chicoryWrite(String size, String memory) {
        return gbps(
                find(LOAD_BENCH + "chicoryWrite", "size", size, "memory", memory),
                BenchmarkGuests.bytes(size));
    }

    /** The origin design's way: into Chicory's default memory, under the compiler. */
    Measure origin(String size) {
        return gbps(
                find(
                        LOAD_BENCH + "origin",
                        "size",
                        size,
                        "memory",
                        "BYTE_BUFFER",
                        "mode",
                        "COMPILER"),
                BenchmarkGuests.bytes(size));
    }

    /** GB/s summed over the threads of a concurrency benchmark method, {@code ours2Threads}. */
    Measure threads(String method) {
        return gbps(find(THREAD_BENCH + method), BenchmarkConcurrency.LAYER_SIZE);
    }

    /** Nanoseconds per guest call of a call-cost benchmark method under an execution mode. */
    Measure call(String method, String mode) {
        return find(CALL_BENCH + method, "mode", mode).map(BenchmarkResult::measure).orElse(null);
    }

    /** Bytes allocated per guest call of a call-cost benchmark method ({@code -prof gc}). */
    Measure callAllocated(String method, String mode) {
        return find(CALL_BENCH + method, "mode", mode)
                .map(r -> r.secondary(BenchmarkResult.ALLOCATED))
                .orElse(null);
    }

    /** Nanoseconds per guest call of one ABI function ({@code AbiFunction} constant name). */
    Measure abiCall(String function) {
        return find(CALL_BENCH + "abi", "function", function)
                .map(BenchmarkResult::measure)
                .orElse(null);
    }

    /** Bytes allocated per guest call of one ABI function. */
    Measure abiCallAllocated(String function) {
        return find(CALL_BENCH + "abi", "function", function)
                .map(r -> r.secondary(BenchmarkResult.ALLOCATED))
                .orElse(null);
    }

    /** Nanoseconds per operation of a call-path benchmark method (host side, no guest). */
    Measure path(String method) {
        return find(PATH_BENCH + method).map(BenchmarkResult::measure).orElse(null);
    }

    /** Milliseconds of a model-open benchmark method with a warm or cold page cache. */
    Measure model(String method, String cache) {
        return find(MODEL_BENCH + method, "cache", cache)
                .map(BenchmarkResult::measure)
                .orElse(null);
    }

    /** The plain copy's result at a size, for its per-fork means. */
    Optional<BenchmarkResult> plainCopyResult(String size) {
        return find(LOAD_BENCH + "plainCopy", "size", size);
    }

    /** A {@code memory} parameter as the report names it: {@code SegmentMemory}. */
    static String memoryName(String memory) {
        return switch (memory) {
            case "SEGMENT" -> "SegmentMemory";
            case "BYTE_BUFFER" -> "ByteBufferMemory";
            case "BYTE_ARRAY" -> "ByteArrayMemory";
            default -> memory;
        };
    }

    /** A {@code mode} parameter as the report names it: {@code compiler}. */
    static String modeName(String mode) {
        return mode.toLowerCase(Locale.ROOT);
    }
}
