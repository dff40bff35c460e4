package dev.memory64.bench;

import static dev.memory64.bench.BenchmarkResults.CHICORY_MEMORIES;
import static dev.memory64.bench.BenchmarkResults.MEMORIES;
import static dev.memory64.bench.BenchmarkResults.MODES;
import static dev.memory64.bench.BenchmarkResults.SIZES;
import static dev.memory64.bench.BenchmarkResults.memoryName;
import static dev.memory64.bench.BenchmarkResults.modeName;

import dev.memory64.abi.AbiFunction;
import dev.memory64.bench.BenchmarkTargets.Status;
import dev.memory64.bench.BenchmarkTargets.Target;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders {@code docs/PERFORMANCE.md} from one run's JMH results and the facts of the run that JMH
 * does not record (machine, command, load): tables of GB/s with their error, ratios to the
 * baselines of the same run, and the targets as {@link BenchmarkTargets} judged them. It judges
 * nothing itself.
 */
final class BenchmarkReport {

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

    private final BenchmarkResults run;
    private final Map<String, String> facts;

    private BenchmarkReport(BenchmarkResults run, Map<String, String> facts) {
        this.run = run;
        this.facts = Map.copyOf(facts);
    }

    /** A report over these results and facts (keys above; a missing fact reads "unknown"). */
    static BenchmarkReport of(BenchmarkResults run, Map<String, String> facts) {
        return new BenchmarkReport(run, facts);
    }

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
                .append(run.all().isEmpty() ? "unknown" : run.all().get(0).jdk())
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

    /**
     * The line from which the rest of the report is written by hand (measurements of commands other
     * than the JMH suite); the generator keeps it and everything after it.
     */
    static final String HAND_WRITTEN =
            "<!-- hand-written below: kept when this file is regenerated -->";

    /**
     * Appends to a generated report the hand-written part of the report it replaces: from {@link
     * #HAND_WRITTEN} to the end, if {@code old} has it.
     *
     * @param generated the new report
     * @param old the report it replaces, or an empty string
     * @return the report to write
     */
    static String withHandWritten(String generated, String old) {
        int at = old.indexOf(HAND_WRITTEN);
        return at < 0 ? generated : generated + "\n" + old.substring(at);
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
        for (Target t : BenchmarkTargets.judge(run)) {
            Status status = t.status();
            tableRow(
                    md,
                    t.target(),
                    t.bound(),
                    t.measured() == null ? "—" : t.measured().format("%.2f"),
                    status == Status.MET ? "met" : "**" + status.text + "**",
                    status == Status.MET || status == Status.NOT_MEASURED ? "" : t.note());
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
                    Measure ours = run.load(size, memory, mode);
                    if (ours == null) {
                        continue;
                    }
                    Measure origin = mode.equals("COMPILER") ? run.origin(size) : null;
                    tableRow(
                            md,
                            size,
                            memoryName(memory),
                            modeName(mode),
                            ours.format("%.2f"),
                            cell(Measure.ratio(ours, run.plainCopy(size))),
                            cell(Measure.ratio(ours, run.chicoryWrite(size, memory))),
                            cell(Measure.ratio(ours, origin)));
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
            md.append("| ").append(size).append(" | ").append(cell(run.plainCopy(size)));
            for (String memory : CHICORY_MEMORIES) {
                md.append(" | ").append(cell(run.chicoryWrite(size, memory)));
            }
            md.append(" | ").append(cell(run.origin(size))).append(" |\n");
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
                        + " with no check at all (the copy's own cost). B/op: bytes allocated per"
                        + " call, JMH's `-prof gc` (`gc.alloc.rate.norm`), everything the thread"
                        + " allocated, Chicory's own argument and result arrays included.\n\n");
        md.append(
                "| mode | 64-byte read (ns) | no-op host call (ns) | unchecked 64-byte copy"
                        + " (ns) | read / no-op | read B/op | no-op B/op | copy B/op |\n");
        md.append("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (String mode : MODES) {
            Measure read = run.call("read", mode);
            Measure noop = run.call("noop", mode);
            tableRow(
                    md,
                    modeName(mode),
                    cell(read, "%.1f"),
                    cell(noop, "%.1f"),
                    cell(run.call("rawCopy", mode), "%.1f"),
                    cell(Measure.ratio(read, noop)),
                    cell(run.callAllocated("read", mode), "%.0f"),
                    cell(run.callAllocated("noop", mode), "%.0f"),
                    cell(run.callAllocated("rawCopy", mode), "%.0f"));
        }
        md.append('\n');
        appendFunctions(md);
        appendPath(md);
    }

    /** Issue 13, target 5: every ABI function's call, next to the no-op. */
    private void appendFunctions(StringBuilder md) {
        md.append("### Every function (compiler)\n\n");
        md.append(
                "One guest call of each of the ten functions (an export of the benchmark guest"
                        + " per function), with arguments that succeed: a layer of 64 bytes, a"
                        + " 64-byte read and range, the 40-byte stats record, the 64-byte tensor"
                        + " record of a 19-byte name, a 5-byte layer name. The first four are"
                        + " the origin design's. A successful `memory64_prefetch` hands a task to"
                        + " the store's prefetch thread, which is what it allocates.\n\n");
        md.append("| function | origin design's | ns per call | × no-op | B/op |\n");
        md.append("| --- | --- | --- | --- | --- |\n");
        Measure noop = run.call("noop", "COMPILER");
        md.append("| no-op host call (the baseline) | | ")
                .append(cell(noop, "%.1f"))
                .append(" | 1 | ")
                .append(cell(run.callAllocated("noop", "COMPILER"), "%.0f"))
                .append(" |\n");
        for (AbiFunction f : AbiFunction.values()) {
            Measure ns = run.abiCall(f.name());
            md.append("| `")
                    .append(f.importName())
                    .append("` | ")
                    .append(f.ordinal() < 4 ? "yes" : "")
                    .append(" | ")
                    .append(cell(ns, "%.1f"))
                    .append(" | ")
                    .append(cell(Measure.ratio(ns, noop), "%.1f"))
                    .append(" | ")
                    .append(cell(run.abiCallAllocated(f.name()), "%.0f"))
                    .append(" |\n");
        }
        md.append('\n');
    }

    /** Where a 64-byte read's time goes, host side. */
    private void appendPath(StringBuilder md) {
        md.append("### Where a 64-byte read's time goes (host side)\n\n");
        md.append(
                "Each row adds a layer to the one before, with no guest (`BenchmarkCallPath`):"
                        + " the bare copy from an off-heap segment into another; the store's"
                        + " `copyTo` into a sink (range check, close checks, statistics); the"
                        + " ABI's `read` into a `GuestMemory` (argument checks, access policy, the"
                        + " closed-store check); and, apart, the one atomic update of the"
                        + " statistics per operation. The guest call around them is the table"
                        + " above.\n\n");
        md.append("| what | ns per operation |\n");
        md.append("| --- | --- |\n");
        String[][] rows = {
            {"MemorySegment.copy of 64 bytes, a constant length", "copy"},
            {"MemorySegment.copy of 64 bytes, a length the JIT cannot fold", "copyAnyLength"},
            {"the copy, then the statistics' atomic", "copyThenStatsAtomic"},
            {"Memory64Store.copyTo of 64 bytes into a sink", "store"},
            {"Memory64Abi.read of 64 bytes into a GuestMemory", "abi"},
            {"the statistics' atomic (a compare-and-set and a release store)", "statsAtomic"}
        };
        for (String[] row : rows) {
            tableRow(md, row[0], cell(run.path(row[1]), "%.1f"));
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
            Measure one = run.threads(row[1] + "1Thread");
            Measure two = run.threads(row[1] + "2Threads");
            tableRow(md, row[0], cell(one), cell(two), cell(Measure.ratio(two, one)));
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
            Measure coldMeasure = run.model(row[1], "COLD");
            tableRow(
                    md,
                    row[0],
                    cell(run.model(row[1], "WARM")),
                    coldMeasure == null && cold != null && !cold.isEmpty()
                            ? "not measurable here"
                            : cell(coldMeasure));
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
        for (BenchmarkResult r : run.all()) {
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

    /** Appends a Markdown table row of the cells. */
    private static void tableRow(StringBuilder md, Object... cells) {
        md.append('|');
        for (Object cell : cells) {
            md.append(' ').append(cell).append(" |");
        }
        md.append('\n');
    }

    private static String cell(Measure m) {
        return cell(m, "%.2f");
    }

    private static String cell(Measure m, String pattern) {
        return m == null ? "—" : m.format(pattern);
    }
}
