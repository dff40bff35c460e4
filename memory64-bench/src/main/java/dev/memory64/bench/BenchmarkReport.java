package dev.memory64.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Writes {@code docs/PERFORMANCE.md} from one run's JMH results and the facts of the run that JMH
 * does not record (machine, command, load): tables of GB/s with their error, ratios to the
 * baselines of the same run, and the targets, met or missed, with what the run's own
 * baselines say about a miss.
 */
final class BenchmarkReport {

    /** Layer sizes, as the benchmarks' {@code size} parameter spells them. */
    static final List<String> SIZES = List.of("4KiB", "64KiB", "1MiB", "16MiB", "64MiB");

    /** Guest memories, as the {@code memory} parameter spells them. */
    static final List<String> MEMORIES = List.of("SEGMENT", "BYTE_BUFFER", "BYTE_ARRAY");

    /** Chicory's own memories, which the Chicory-write baseline writes. */
    static final List<String> CHICORY_MEMORIES = List.of("BYTE_BUFFER", "BYTE_ARRAY");

    /** Execution modes, as the {@code mode} parameter spells them. */
    static final List<String> MODES = List.of("COMPILER", "INTERPRETER");

    /** Keys of the run facts. */
    static final String DATE = "date",
            WALL = "wall",
            COMMAND = "command",
            SETTING = "setting",
            CPU = "cpu",
            CORES = "cores",
            MEMORY = "memory",
            OS = "os",
            VIRTUAL = "virtual",
            LOAD = "load",
            JSON = "json",
            COLD = "cold";

    private static final String LOAD_BENCH = "BenchmarkLayerLoad.";
    private static final String CALL_BENCH = "BenchmarkCallCost.";
    private static final String THREAD_BENCH = "BenchmarkConcurrency.";
    private static final String MODEL_BENCH = "BenchmarkModelOpen.";
    private static final String BIG = "64MiB";

    private final List<BenchmarkResult> results;
    private final Map<String, String> facts;

    private BenchmarkReport(List<BenchmarkResult> results, Map<String, String> facts) {
        this.results = List.copyOf(results);
        this.facts = Map.copyOf(facts);
    }

    /** A report over these results and facts (keys above; a missing fact reads "unknown"). */
    static BenchmarkReport of(List<BenchmarkResult> results, Map<String, String> facts) {
        return new BenchmarkReport(results, facts);
    }

    /** A value and the half-width of its 99.9% confidence interval (NaN if unknown). */
    record Measure(double value, double error) {
        /** This over {@code base}, relative errors combined in quadrature. */
        Measure over(Measure base) {
            double ratio = value / base.value;
            return new Measure(ratio, ratio * Math.hypot(error / value, base.error / base.value));
        }

        /** This times a constant. */
        Measure times(double factor) {
            return new Measure(value * factor, error * factor);
        }

        String format(String pattern) {
            String v = String.format(Locale.ROOT, pattern, value);
            return Double.isNaN(error)
                    ? v + " ± ?"
                    : v + " ± " + String.format(Locale.ROOT, pattern, error);
        }
    }

    /** Whether a target is met. */
    enum Status {
        MET("met"),
        WITHIN_ERROR("missed (within error)"),
        MISSED("missed"),
        NOT_MEASURED("not measured");

        final String text;

        Status(String text) {
            this.text = text;
        }
    }

    /**
     * One target of the issue and what this run measured for it.
     *
     * @param target what is promised
     * @param atLeast whether the ratio must be at least (else at most) the threshold
     * @param threshold the threshold
     * @param measured the measured ratio, or null if not measured
     * @param note what the run's baselines say about a miss, or empty
     */
    record Target(String target, boolean atLeast, double threshold, Measure measured, String note) {
        Status status() {
            if (measured == null || Double.isNaN(measured.value)) {
                return Status.NOT_MEASURED;
            }
            double v = measured.value;
            double e = Double.isNaN(measured.error) ? 0 : measured.error;
            if (atLeast ? v >= threshold : v <= threshold) {
                return Status.MET;
            }
            return (atLeast ? v + e >= threshold : v - e <= threshold)
                    ? Status.WITHIN_ERROR
                    : Status.MISSED;
        }

        String bound() {
            return (atLeast ? "≥ " : "≤ ") + String.format(Locale.ROOT, "%.2f", threshold);
        }
    }

    // ---------------------------------------------------------------------------------------
    // Lookups

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

    private Measure load(String size, String memory, String mode) {
        return gbps(
                find(LOAD_BENCH + "load", "size", size, "memory", memory, "mode", mode),
                BenchmarkGuests.bytes(size));
    }

    private Measure plainCopy(String size) {
        return gbps(find(LOAD_BENCH + "plainCopy", "size", size), BenchmarkGuests.bytes(size));
    }

    private Measure chicoryWrite(String size, String memory) {
        return gbps(
                find(LOAD_BENCH + "chicoryWrite", "size", size, "memory", memory),
                BenchmarkGuests.bytes(size));
    }

    /** The origin design's way: into Chicory's default memory, under the compiler. */
    private Measure origin(String size) {
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

    private Measure threads(String method) {
        return gbps(find(THREAD_BENCH + method), BenchmarkConcurrency.LAYER_SIZE);
    }

    private Measure call(String method, String mode) {
        return find(CALL_BENCH + method, "mode", mode).map(BenchmarkResult::measure).orElse(null);
    }

    private Measure model(String method, String cache) {
        return find(MODEL_BENCH + method, "cache", cache)
                .map(BenchmarkResult::measure)
                .orElse(null);
    }

    private static Measure ratio(Measure a, Measure b) {
        return a == null || b == null ? null : a.over(b);
    }

    // ---------------------------------------------------------------------------------------
    // Targets

    /** The targets, in its order, with this run's ratios. */
    List<Target> targets() {
        List<Target> targets = new ArrayList<>();
        Measure copy = plainCopy(BIG);
        for (String mode : MODES) {
            Measure ours = load(BIG, "SEGMENT", mode);
            targets.add(
                    new Target(
                            "64 MiB load into SegmentMemory vs plain copy (" + modeName(mode) + ")",
                            true,
                            0.95,
                            ratio(ours, copy),
                            bandwidthNote("SEGMENT", ours, copy, 0.95)));
        }
        for (String memory : CHICORY_MEMORIES) {
            for (String mode : MODES) {
                Measure ours = load(BIG, memory, mode);
                targets.add(
                        new Target(
                                "64 MiB load into "
                                        + memoryName(memory)
                                        + " vs plain copy ("
                                        + modeName(mode)
                                        + ")",
                                true,
                                0.75,
                                ratio(ours, copy),
                                bandwidthNote(memory, ours, copy, 0.75)));
            }
        }
        Measure origin = origin(BIG);
        for (String memory : MEMORIES) {
            Measure ours = load(BIG, memory, "COMPILER");
            targets.add(
                    new Target(
                            "64 MiB, 1 thread: ours into "
                                    + memoryName(memory)
                                    + " vs the origin design's way (into ByteBufferMemory;"
                                    + " compiler)",
                            true,
                            2.5,
                            ratio(ours, origin),
                            originNote(memory, ours, origin, copy)));
        }
        Measure read = call("read", "COMPILER");
        Measure noop = call("noop", "COMPILER");
        targets.add(
                new Target(
                        "64-byte memory64_read vs no-op host call, time per guest call (compiler)",
                        false,
                        2.0,
                        ratio(read, noop),
                        callNote(read, noop)));
        Measure ours1 = threads("ours1Thread");
        Measure ours2 = threads("ours2Threads");
        targets.add(
                new Target(
                        "1 MiB loads, ours (SegmentMemory): 2 threads vs 1 thread",
                        true,
                        1.6,
                        ratio(ours2, ours1),
                        scalingNote(ours1, ours2)));
        Measure origin1 = threads("origin1Thread");
        Measure origin2 = threads("origin2Threads");
        targets.add(
                new Target(
                        "1 MiB loads, origin design's global lock: 2 threads vs 1 thread stays"
                                + " near 1",
                        false,
                        1.2,
                        ratio(origin2, origin1),
                        ""));
        return targets;
    }

    private String bandwidthNote(String memory, Measure ours, Measure copy, double target) {
        if (ours == null || copy == null) {
            return "";
        }
        List<String> notes = new ArrayList<>();
        notes.add(
                String.format(
                        Locale.ROOT,
                        "a load takes %.2f ms, the plain copy %.2f ms",
                        BenchmarkGuests.bytes(BIG) / (ours.value * 1e6),
                        BenchmarkGuests.bytes(BIG) / (copy.value * 1e6)));
        if (memory.equals("SEGMENT")) {
            notes.add(
                    "the load is one MemorySegment.copy from the store into the guest's"
                            + " off-heap segment, the plain copy one into a heap array");
        }
        Measure write = chicoryWrite(BIG, memory);
        if (write != null) {
            Measure limit = write.over(copy);
            notes.add(
                    "Chicory's own Memory.write of a ready byte[] into "
                            + memoryName(memory)
                            + " reaches "
                            + limit.format("%.2f")
                            + " of the plain copy"
                            + limitVersusTarget(limit, target));
            notes.add(
                    "our load reaches "
                            + ours.over(write).format("%.2f")
                            + " of that write: Chicory's Memory takes no MemorySegment, so each"
                            + " load is staged through a 64 KiB per-thread buffer, two copies");
        }
        String spread = forkSpread(find(LOAD_BENCH + "plainCopy", "size", BIG), BIG);
        if (!spread.isEmpty()) {
            notes.add("the plain copy's forks gave " + spread);
        }
        return String.join("; ", notes);
    }

    /** What a ceiling means for a target: nothing if it is above it. */
    private static String limitVersusTarget(Measure limit, double target) {
        if (limit.value >= target) {
            return "";
        }
        double error = Double.isNaN(limit.error) ? 0 : limit.error;
        return limit.value + error < target
                ? ", below the target itself: no load into this memory can reach it here"
                : ", itself short of the target (within its error)";
    }

    /** The per-fork means in GB/s when they differ by more than 10%, else empty. */
    private static String forkSpread(Optional<BenchmarkResult> result, String size) {
        if (result.isEmpty() || result.get().forkMeans().size() < 2) {
            return "";
        }
        List<Double> means = result.get().forkMeans();
        double min = means.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        double max = means.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        if (max <= min * 1.1) {
            return "";
        }
        double bytes = BenchmarkGuests.bytes(size) / 1e9;
        StringBuilder sb = new StringBuilder();
        for (double m : means) {
            sb.append(sb.isEmpty() ? "" : ", ")
                    .append(String.format(Locale.ROOT, "%.1f", m * bytes));
        }
        return sb.append(" GB/s: the machine itself varies from fork to fork").toString();
    }

    private String originNote(String memory, Measure ours, Measure origin, Measure copy) {
        if (ours == null || origin == null || copy == null) {
            return "";
        }
        Measure share = origin.over(copy);
        double needed = 2.5 * share.value;
        String note =
                "the origin design's way reaches "
                        + share.format("%.2f")
                        + " of the plain copy here, so 2.5 times it is "
                        + String.format(Locale.ROOT, "%.2f", needed)
                        + " of the plain copy";
        if (needed > 1) {
            note += ": above the memory-bus limit, out of reach of any copy on this machine";
        }
        Measure write = chicoryWrite(BIG, memory);
        if (write != null) {
            note +=
                    "; Chicory's own Memory.write of a ready byte[] into "
                            + memoryName(memory)
                            + ", the ceiling of any load into it, reaches "
                            + write.over(copy).format("%.2f")
                            + " of the plain copy";
        }
        return note;
    }

    private String callNote(Measure read, Measure noop) {
        if (read == null || noop == null) {
            return "";
        }
        String note =
                String.format(
                        Locale.ROOT,
                        "the read costs %.1f ns, the no-op call %.1f ns",
                        read.value,
                        noop.value);
        Measure raw = call("rawCopy", "COMPILER");
        if (raw != null) {
            note +=
                    String.format(
                            Locale.ROOT,
                            "; a host function that only copies the 64 bytes into the guest's"
                                    + " segment, unchecked, costs %.1f ns, so the copy accounts"
                                    + " for %.1f ns and the ABI (argument checks, layout range"
                                    + " check, statistics, closed-store check, the guest-memory"
                                    + " view) for the other %.1f ns",
                            raw.value,
                            raw.value - noop.value,
                            read.value - raw.value);
        } else {
            note +=
                    String.format(
                            Locale.ROOT,
                            ": %.1f ns for the ABI's checks, its statistics and the copy",
                            read.value - noop.value);
        }
        return note;
    }

    private String scalingNote(Measure one, Measure two) {
        Measure copy1 = threads("plainCopy1Thread");
        Measure copy2 = threads("plainCopy2Threads");
        String note = "";
        if (copy1 != null && copy2 != null) {
            Measure machine = copy2.over(copy1);
            note =
                    "a plain 1 MiB copy scales "
                            + machine.format("%.2f")
                            + " times on 2 threads on this machine"
                            + (machine.value < 1.6 ? ", below the target itself" : "")
                            + "; with 2 cores, the 2 benchmark threads share them with JMH and"
                            + " every other process";
        }
        return note;
    }

    // ---------------------------------------------------------------------------------------
    // The document

    /** The whole Markdown document. */
    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Performance\n\n");
        md.append(
                "Generated from one run of the JMH suite in `memory64-bench` by the command below;"
                        + " do not edit by hand. Every ratio divides two results of this same run.\n\n");
        md.append("- **Date**: ")
                .append(fact(DATE))
                .append(" (the run took ")
                .append(fact(WALL))
                .append(")\n");
        md.append("- **Machine**: ")
                .append(fact(CPU))
                .append(", ")
                .append(fact(CORES))
                .append(" cores, ")
                .append(fact(MEMORY))
                .append(" memory")
                .append("true".equals(facts.get(VIRTUAL)) ? ", a virtual machine" : "")
                .append("; ")
                .append(fact(OS))
                .append('\n');
        md.append("- **JDK**: ")
                .append(results.isEmpty() ? "unknown" : results.get(0).jdk())
                .append('\n');
        md.append("- **Command**: `").append(fact(COMMAND)).append("`\n");
        md.append("- **Setting**: ").append(fact(SETTING)).append('\n');
        md.append("- **Machine load**: ").append(fact(LOAD)).append('\n');
        md.append("- **Results**: `")
                .append(fact(JSON))
                .append("` (JMH's JSON; `bench-results/` is not committed)\n\n");

        appendTargets(md);
        appendLoads(md);
        appendBaselines(md);
        appendCallCost(md);
        appendConcurrency(md);
        appendModelOpen(md);
        appendSettings(md);
        appendReading(md);
        return md.toString();
    }

    private void appendTargets(StringBuilder md) {
        md.append("## Targets\n\n");
        md.append(
                "Ratios of this run; the error is the half-width of the 99.9% confidence interval."
                        + " A target missed is reported as missed, with what this run's own"
                        + " baselines say about it. Every result is also subject to the machine's"
                        + " load during the run (above).\n\n");
        md.append("| target | bound | measured | result | notes |\n");
        md.append("| --- | --- | --- | --- | --- |\n");
        for (Target t : targets()) {
            Status status = t.status();
            md.append("| ")
                    .append(t.target())
                    .append(" | ")
                    .append(t.bound())
                    .append(" | ")
                    .append(t.measured() == null ? "—" : t.measured().format("%.2f"))
                    .append(" | ")
                    .append(status == Status.MET ? "met" : "**" + status.text + "**")
                    .append(" | ")
                    .append(status == Status.MET || status == Status.NOT_MEASURED ? "" : t.note())
                    .append(" |\n");
        }
        md.append('\n');
    }

    private void appendLoads(StringBuilder md) {
        md.append("## Layer-load bandwidth\n\n");
        md.append(
                "One `load_layer` guest call of the benchmark guest (`guests/wat/bench.wat`),"
                        + " which calls `env.memory64_load_layer`, per operation; GB/s is loads"
                        + " per second times the layer size. Ratios: to the plain copy of the"
                        + " same size; to Chicory's own `Memory.write` of a ready `byte[]` into"
                        + " the same memory; to the origin design's way (into Chicory's default"
                        + " ByteBufferMemory, under the compiler; given for the compiler's rows)."
                        + "\n\n");
        md.append(
                "| size | memory | mode | GB/s | × plain copy | × Chicory write | × origin"
                        + " design |\n");
        md.append("| --- | --- | --- | --- | --- | --- | --- |\n");
        for (String size : SIZES) {
            for (String memory : MEMORIES) {
                for (String mode : MODES) {
                    Measure ours = load(size, memory, mode);
                    if (ours == null) {
                        continue;
                    }
                    Measure origin = mode.equals("COMPILER") ? origin(size) : null;
                    md.append("| ")
                            .append(size)
                            .append(" | ")
                            .append(memoryName(memory))
                            .append(" | ")
                            .append(modeName(mode))
                            .append(" | ")
                            .append(ours.format("%.2f"))
                            .append(" | ")
                            .append(cell(ratio(ours, plainCopy(size))))
                            .append(" | ")
                            .append(cell(ratio(ours, chicoryWrite(size, memory))))
                            .append(" | ")
                            .append(cell(ratio(ours, origin)))
                            .append(" |\n");
                }
            }
        }
        md.append('\n');
    }

    private void appendBaselines(StringBuilder md) {
        md.append("### Baselines (GB/s)\n\n");
        md.append(
                "Plain copy: `MemorySegment.copy` of the same bytes, off-heap, into a `byte[]` of"
                        + " the layer's size (the memory-bus limit). Chicory write: `Memory.write`"
                        + " of a ready `byte[]` into the memory. Origin design: a host function"
                        + " that, under one lock global to the process, allocates a `byte[]` the"
                        + " size of the layer, copies the layer into it, then `Memory.write`s it"
                        + " into the guest's ByteBufferMemory (Chicory's default), called through"
                        + " the same guest (compiler). Its forks pre-touch the heap"
                        + " (`-XX:+AlwaysPreTouch`), so that its per-call allocation is measured"
                        + " as in a long-running JVM that reuses its heap, not as first touches of"
                        + " fresh pages.\n\n");
        md.append(
                "| size | plain copy | Chicory write: ByteBufferMemory |"
                        + " ByteArrayMemory | origin design |\n");
        md.append("| --- | --- | --- | --- | --- |\n");
        for (String size : SIZES) {
            md.append("| ").append(size).append(" | ").append(cell(plainCopy(size)));
            for (String memory : CHICORY_MEMORIES) {
                md.append(" | ").append(cell(chicoryWrite(size, memory)));
            }
            md.append(" | ").append(cell(origin(size))).append(" |\n");
        }
        md.append('\n');
    }

    private void appendCallCost(StringBuilder md) {
        md.append("## Call cost\n\n");
        md.append(
                "Time per guest call (ns, lower is better) of `read(0, ptr, 64)`, which calls"
                        + " `env.memory64_read` for 64 bytes into a SegmentMemory, and of"
                        + " `noop(0, ptr, 64)`, which calls a host function of the same"
                        + " signature that does nothing; and, under the compiler, of the same call"
                        + " to a host function that copies the 64 bytes into the guest's segment"
                        + " with no check at all (the copy's own cost).\n\n");
        md.append(
                "| mode | 64-byte read (ns) | no-op host call (ns) | unchecked 64-byte copy"
                        + " (ns) | read / no-op |\n");
        md.append("| --- | --- | --- | --- | --- |\n");
        for (String mode : MODES) {
            Measure read = call("read", mode);
            Measure noop = call("noop", mode);
            md.append("| ")
                    .append(modeName(mode))
                    .append(" | ")
                    .append(cell(read, "%.1f"))
                    .append(" | ")
                    .append(cell(noop, "%.1f"))
                    .append(" | ")
                    .append(cell(call("rawCopy", mode), "%.1f"))
                    .append(" | ")
                    .append(cell(ratio(read, noop)))
                    .append(" |\n");
        }
        md.append('\n');
    }

    private void appendConcurrency(StringBuilder md) {
        md.append("## Concurrency\n\n");
        md.append(
                "Each thread loads its own 1 MiB layer into its own guest (compiler) from one"
                        + " shared store; GB/s summed over the threads.\n\n");
        md.append("| way | 1 thread (GB/s) | 2 threads (GB/s) | 2 threads / 1 thread |\n");
        md.append("| --- | --- | --- | --- |\n");
        String[][] rows = {
            {"ours, into SegmentMemory", "ours"},
            {"origin design (global lock), into ByteBufferMemory", "origin"},
            {"plain copy of 1 MiB per thread (the machine's own scaling)", "plainCopy"}
        };
        for (String[] row : rows) {
            Measure one = threads(row[1] + "1Thread");
            Measure two = threads(row[1] + "2Threads");
            md.append("| ")
                    .append(row[0])
                    .append(" | ")
                    .append(cell(one))
                    .append(" | ")
                    .append(cell(two))
                    .append(" | ")
                    .append(cell(ratio(two, one)))
                    .append(" |\n");
        }
        md.append('\n');
    }

    private void appendModelOpen(StringBuilder md) {
        md.append("## Model open\n\n");
        md.append(
                "A 5.06 GiB GGUF file (a 32 MiB first layer of real bytes, 32 blocks of 160 MiB"
                        + " and a 32 MiB output left as holes of a sparse file): the time of one"
                        + " `GgufModel.open` (header read and checked, file mapped, layers"
                        + " registered), and of opening it and loading its first layer (32 MiB)"
                        + " into a guest with one `load_layer` call. Single shots, in ms.\n\n");
        md.append("| what | warm page cache (ms) | cold page cache (ms) |\n");
        md.append("| --- | --- | --- |\n");
        String cold = facts.get(COLD);
        String[][] rows = {
            {"open", "open"}, {"open and load the first layer", "openAndLoadFirstLayer"}
        };
        for (String[] row : rows) {
            Measure coldMeasure = model(row[1], "COLD");
            md.append("| ")
                    .append(row[0])
                    .append(" | ")
                    .append(cell(model(row[1], "WARM")))
                    .append(" | ")
                    .append(
                            coldMeasure == null && cold != null && !cold.isEmpty()
                                    ? "not measurable here"
                                    : cell(coldMeasure))
                    .append(" |\n");
        }
        md.append('\n');
        md.append(
                "Cold means that the page cache, dentries and inodes were dropped (`echo 3 >"
                        + " /proc/sys/vm/drop_caches`) before each shot, so the header and the"
                        + " first layer come from the disk. The holes read as zeros without disk"
                        + " I/O, cold or warm. On a virtual machine the host may still cache the"
                        + " disk, so cold is the guest's cold, not necessarily the device's.");
        if (cold != null && !cold.isEmpty()) {
            md.append(" Cold was not measurable on this run: ").append(cold).append('.');
        }
        md.append("\n\n");
    }

    private void appendSettings(StringBuilder md) {
        md.append("## Settings\n\n");
        md.append("| benchmarks | JMH mode | forks | warm-up per fork | measured per fork |");
        md.append(" samples per result | fork JVM options |\n");
        md.append("| --- | --- | --- | --- | --- | --- | --- |\n");
        Map<String, List<String>> rows = new LinkedHashMap<>();
        for (BenchmarkResult r : results) {
            String[] name = r.benchmark().split("\\.", 2);
            String key =
                    String.join(
                            " | ",
                            r.mode(),
                            String.valueOf(r.forks()),
                            r.warmup(),
                            r.measurement(),
                            String.valueOf(r.samples()),
                            "`" + String.join(" ", r.jvmArgs()) + "`");
            List<String> names =
                    rows.computeIfAbsent(name[0] + " | " + key, k -> new ArrayList<>());
            if (!names.contains(name[1])) {
                names.add(name[1]);
            }
        }
        rows.forEach(
                (key, methods) -> {
                    int bar = key.indexOf(" | ");
                    md.append("| ")
                            .append(key, 0, bar)
                            .append(" (")
                            .append(String.join(", ", methods))
                            .append(")")
                            .append(key.substring(bar))
                            .append(" |\n");
                });
        md.append('\n');
    }

    private static void appendReading(StringBuilder md) {
        md.append("## How to read this\n\n");
        md.append(
                "- GB is 10^9 bytes; a layer of 64 MiB is 67,108,864 bytes. GB/s is JMH's"
                        + " throughput (operations per second) times the bytes per operation.\n");
        md.append(
                "- `±` is JMH's half-width of the 99.9% confidence interval over all measured"
                        + " iterations of all forks. A ratio's error combines the two relative"
                        + " errors in quadrature (an approximation).\n");
        md.append(
                "- A target is *missed (within error)* when the value misses the bound but its"
                        + " interval reaches it.\n");
        md.append(
                "- The plain copy is the memory-bus limit: no load can beat it by more than"
                        + " noise. Small sizes fit in the caches, so their GB/s are cache"
                        + " bandwidths, and the fixed cost of a guest call weighs on them.\n");
        md.append(
                "- Run it again: `scripts/bench.sh` (the short setting, under 15 minutes on a"
                        + " 2-core machine), `scripts/bench.sh --full` (5 forks of longer"
                        + " iterations, about an hour), or regenerate this file from a results"
                        + " file with `scripts/bench.sh --report bench-results/jmh-….json`.\n");
    }

    private String fact(String key) {
        String value = facts.get(key);
        return value == null || value.isEmpty() ? "unknown" : value;
    }

    private static String cell(Measure m) {
        return cell(m, "%.2f");
    }

    private static String cell(Measure m, String pattern) {
        return m == null ? "—" : m.format(pattern);
    }

    static String memoryName(String memory) {
        return switch (memory) {
            case "SEGMENT" -> "SegmentMemory";
            case "BYTE_BUFFER" -> "ByteBufferMemory";
            case "BYTE_ARRAY" -> "ByteArrayMemory";
            default -> memory;
        };
    }

    static String modeName(String mode) {
        return mode.toLowerCase(Locale.ROOT);
    }
}
