package dev.memory64.bench;

import static dev.memory64.bench.BenchmarkResults.BIG;
import static dev.memory64.bench.BenchmarkResults.CHICORY_MEMORIES;
import static dev.memory64.bench.BenchmarkResults.MEMORIES;
import static dev.memory64.bench.BenchmarkResults.MODES;
import static dev.memory64.bench.BenchmarkResults.memoryName;
import static dev.memory64.bench.BenchmarkResults.modeName;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Judges one run against the targets: each ratio met, missed within its error, missed, or
 * not measured, and for a miss what the run's own baselines say about it. It renders nothing;
 * {@link BenchmarkReport} and the suite's console summary show what it judged.
 */
final class BenchmarkTargets {

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
            if (measured == null || Double.isNaN(measured.value())) {
                return Status.NOT_MEASURED;
            }
            double v = measured.value();
            double e = Double.isNaN(measured.error()) ? 0 : measured.error();
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

    private final BenchmarkResults run;

    private BenchmarkTargets(BenchmarkResults run) {
        this.run = run;
    }

    /** The targets, in its order, with this run's ratios. */
    static List<Target> judge(BenchmarkResults run) {
        return new BenchmarkTargets(run).targets();
    }

    private List<Target> targets() {
        List<Target> targets = new ArrayList<>();
        Measure copy = run.plainCopy(BIG);
        for (String mode : MODES) {
            Measure ours = run.load(BIG, "SEGMENT", mode);
            targets.add(
                    new Target(
                            "64 MiB load into SegmentMemory vs plain copy (" + modeName(mode) + ")",
                            true,
                            0.95,
                            Measure.ratio(ours, copy),
                            bandwidthNote("SEGMENT", ours, copy, 0.95)));
        }
        for (String memory : CHICORY_MEMORIES) {
            for (String mode : MODES) {
                Measure ours = run.load(BIG, memory, mode);
                targets.add(
                        new Target(
                                "64 MiB load into "
                                        + memoryName(memory)
                                        + " vs plain copy ("
                                        + modeName(mode)
                                        + ")",
                                true,
                                0.75,
                                Measure.ratio(ours, copy),
                                bandwidthNote(memory, ours, copy, 0.75)));
            }
        }
        Measure origin = run.origin(BIG);
        for (String memory : MEMORIES) {
            Measure ours = run.load(BIG, memory, "COMPILER");
            targets.add(
                    new Target(
                            "64 MiB, 1 thread: ours into "
                                    + memoryName(memory)
                                    + " vs the origin design's way (into ByteBufferMemory;"
                                    + " compiler)",
                            true,
                            2.5,
                            Measure.ratio(ours, origin),
                            originNote(memory, ours, origin, copy)));
        }
        Measure read = run.call("read", "COMPILER");
        Measure noop = run.call("noop", "COMPILER");
        Measure raw = run.call("rawCopy", "COMPILER");
        targets.add(
                new Target(
                        "64-byte memory64_read vs no-op host call, time per guest call (compiler)",
                        false,
                        2.5,
                        Measure.ratio(read, noop),
                        callNote(read, noop)));
        targets.add(
                new Target(
                        "Unchecked 64-byte copy host function vs no-op host call (compiler)",
                        false,
                        1.5,
                        Measure.ratio(raw, noop),
                        rawCopyNote(raw, noop)));
        addSmallLoadTargets(targets);
        Measure readBytes = run.callAllocated("read", "COMPILER");
        Measure rawBytes = run.callAllocated("rawCopy", "COMPILER");
        targets.add(
                new Target(
                        "Bytes allocated per 64-byte memory64_read guest call beyond the unchecked"
                                + " copy's (compiler; JMH -prof gc; under half a byte is none)",
                        false,
                        0.5,
                        readBytes == null || rawBytes == null ? null : readBytes.minus(rawBytes),
                        allocationNote(readBytes, rawBytes)));
        addStagedTargets(targets);
        Measure ours1 = run.threads("ours1Thread");
        Measure ours2 = run.threads("ours2Threads");
        targets.add(
                new Target(
                        "1 MiB loads, ours (SegmentMemory): 2 threads vs 1 thread",
                        true,
                        1.6,
                        Measure.ratio(ours2, ours1),
                        scalingNote(ours1, ours2)));
        Measure origin1 = run.threads("origin1Thread");
        Measure origin2 = run.threads("origin2Threads");
        targets.add(
                new Target(
                        "1 MiB loads, origin design's global lock: 2 threads vs 1 thread stays"
                                + " near 1",
                        false,
                        1.2,
                        Measure.ratio(origin2, origin1),
                        ""));
        return targets;
    }

    /**
     * Issue 13, target 2: small loads into SegmentMemory, and the interpreter near the compiler.
     */
    private void addSmallLoadTargets(List<Target> targets) {
        targets.add(
                new Target(
                        "4 KiB load into SegmentMemory vs plain copy (compiler)",
                        true,
                        0.6,
                        Measure.ratio(
                                run.load("4KiB", "SEGMENT", "COMPILER"), run.plainCopy("4KiB")),
                        smallLoadNote("4KiB")));
        for (String size : List.of("64KiB", "1MiB", "16MiB")) {
            targets.add(
                    new Target(
                            size.replace("KiB", " KiB").replace("MiB", " MiB")
                                    + " load into SegmentMemory vs plain copy (compiler)",
                            true,
                            0.95,
                            Measure.ratio(
                                    run.load(size, "SEGMENT", "COMPILER"), run.plainCopy(size)),
                            smallLoadNote(size)));
        }
        for (String size : List.of("64KiB", "1MiB", "16MiB", "64MiB")) {
            Measure interpreter = run.load(size, "SEGMENT", "INTERPRETER");
            Measure compiler = run.load(size, "SEGMENT", "COMPILER");
            targets.add(
                    new Target(
                            size.replace("KiB", " KiB").replace("MiB", " MiB")
                                    + " load into SegmentMemory: interpreter vs compiler",
                            true,
                            0.8,
                            Measure.ratio(interpreter, compiler),
                            interpreter == null || compiler == null
                                    ? ""
                                    : String.format(
                                            Locale.ROOT,
                                            "a load takes %.2f µs under the interpreter, %.2f µs"
                                                    + " under the compiler; Chicory's"
                                                    + " interpreter costs %s more per host call"
                                                    + " than its compiler (the no-op call)",
                                            micros(size, interpreter),
                                            micros(size, compiler),
                                            noopGap())));
        }
    }

    /** Issue 13, target 4: staged loads against Chicory's own write of a ready array. */
    private void addStagedTargets(List<Target> targets) {
        for (String size : List.of("1MiB", BIG)) {
            for (String memory : CHICORY_MEMORIES) {
                Measure write = run.chicoryWrite(size, memory);
                for (String mode : MODES) {
                    Measure ours = run.load(size, memory, mode);
                    targets.add(
                            new Target(
                                    size.replace("MiB", " MiB")
                                            + " load into "
                                            + memoryName(memory)
                                            + " vs Chicory's own Memory.write of a ready byte[] ("
                                            + modeName(mode)
                                            + ")",
                                    true,
                                    0.95,
                                    Measure.ratio(ours, write),
                                    stagedNote(size, memory, ours, write)));
                }
            }
        }
    }

    private static double micros(String size, Measure throughput) {
        return BenchmarkGuests.bytes(size) / (throughput.value() * 1e9) * 1e6;
    }

    private String noopGap() {
        Measure interpreter = run.call("noop", "INTERPRETER");
        Measure compiler = run.call("noop", "COMPILER");
        return interpreter == null || compiler == null
                ? "(not measured)"
                : String.format(Locale.ROOT, "%.0f ns", interpreter.value() - compiler.value());
    }

    private String smallLoadNote(String size) {
        Measure ours = run.load(size, "SEGMENT", "COMPILER");
        Measure copy = run.plainCopy(size);
        Measure noop = run.call("noop", "COMPILER");
        Measure raw = run.call("rawCopy", "COMPILER");
        if (ours == null || copy == null) {
            return "";
        }
        double oursNs = BenchmarkGuests.bytes(size) / ours.value();
        double copyNs = BenchmarkGuests.bytes(size) / copy.value();
        String note =
                String.format(
                        Locale.ROOT,
                        "a load takes %.0f ns, the plain copy %.0f ns: %.0f ns more per call",
                        oursNs,
                        copyNs,
                        oursNs - copyNs);
        if (noop != null && raw != null) {
            note +=
                    String.format(
                            Locale.ROOT,
                            "; of a guest call, the no-op costs %.1f ns and an unchecked 64-byte"
                                    + " copy host function %.1f ns",
                            noop.value(),
                            raw.value());
        }
        return note;
    }

    private String rawCopyNote(Measure raw, Measure noop) {
        if (raw == null || noop == null) {
            return "";
        }
        String note =
                String.format(
                        Locale.ROOT,
                        "the host function costs %.1f ns, the no-op %.1f ns",
                        raw.value(),
                        noop.value());
        Measure copy = run.path("copy");
        if (copy != null) {
            note +=
                    String.format(
                            Locale.ROOT,
                            "; the 64-byte MemorySegment.copy alone, host side, costs %.1f ns",
                            copy.value());
        }
        Measure rawBytes = run.callAllocated("rawCopy", "COMPILER");
        Measure noopBytes = run.callAllocated("noop", "COMPILER");
        if (rawBytes != null && noopBytes != null) {
            note +=
                    String.format(
                            Locale.ROOT,
                            "; the call allocates %.0f bytes (the no-op %.0f): Chicory's"
                                    + " argument and result arrays, which the JIT removes only"
                                    + " when it inlines the whole host function into the guest's"
                                    + " compiled code, as it does for the no-op and not for a"
                                    + " function that copies",
                            rawBytes.value(),
                            noopBytes.value());
        }
        return note;
    }

    private String allocationNote(Measure read, Measure raw) {
        if (read == null || raw == null) {
            return "";
        }
        return String.format(
                Locale.ROOT,
                "the read allocates %.0f bytes per guest call, the unchecked copy %.0f; our part"
                        + " of a call allocates nothing (HostCallAllocationTest)",
                read.value(),
                raw.value());
    }

    private String stagedNote(String size, String memory, Measure ours, Measure write) {
        if (ours == null || write == null) {
            return "";
        }
        String note =
                String.format(
                        Locale.ROOT,
                        "a load takes %.2f µs, Chicory's write of a ready array %.2f µs;"
                                + " Chicory's Memory takes bytes only from a byte[], so a load is"
                                + " two copies, store to an 8 KiB staging array (kept in the L1 cache) then"
                                + " Memory.write, where its write is one",
                        micros(size, ours),
                        micros(size, write));
        Measure copy = run.plainCopy(size);
        if (copy != null) {
            note +=
                    String.format(
                            Locale.ROOT,
                            "; a plain copy of the same bytes takes %.2f µs",
                            micros(size, copy));
        }
        return note;
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
                        BenchmarkGuests.bytes(BIG) / (ours.value() * 1e6),
                        BenchmarkGuests.bytes(BIG) / (copy.value() * 1e6)));
        if (memory.equals("SEGMENT")) {
            notes.add(
                    "the load is one MemorySegment.copy from the store into the guest's"
                            + " off-heap segment, the plain copy one into a heap array");
        }
        Measure write = run.chicoryWrite(BIG, memory);
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
                            + " load is staged through an 8 KiB per-thread buffer, two copies");
        }
        String spread = forkSpread(run.plainCopyResult(BIG), BIG);
        if (!spread.isEmpty()) {
            notes.add("the plain copy's forks gave " + spread);
        }
        return String.join("; ", notes);
    }

    /** What a ceiling means for a target: nothing if it is above it. */
    private static String limitVersusTarget(Measure limit, double target) {
        if (limit.value() >= target) {
            return "";
        }
        double error = Double.isNaN(limit.error()) ? 0 : limit.error();
        return limit.value() + error < target
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
        double needed = 2.5 * share.value();
        String note =
                "the origin design's way reaches "
                        + share.format("%.2f")
                        + " of the plain copy here, so 2.5 times it is "
                        + String.format(Locale.ROOT, "%.2f", needed)
                        + " of the plain copy";
        if (needed > 1) {
            note += ": above the memory-bus limit, out of reach of any copy on this machine";
        }
        Measure write = run.chicoryWrite(BIG, memory);
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
                        read.value(),
                        noop.value());
        Measure raw = run.call("rawCopy", "COMPILER");
        if (raw != null) {
            note +=
                    String.format(
                            Locale.ROOT,
                            "; a host function that only copies the 64 bytes into the guest's"
                                    + " segment, unchecked, costs %.1f ns, so the copy accounts"
                                    + " for %.1f ns and the ABI (argument checks, layout range"
                                    + " check, statistics, closed-store check, the guest-memory"
                                    + " view) for the other %.1f ns",
                            raw.value(),
                            raw.value() - noop.value(),
                            read.value() - raw.value());
        } else {
            note +=
                    String.format(
                            Locale.ROOT,
                            ": %.1f ns for the ABI's checks, its statistics and the copy",
                            read.value() - noop.value());
        }
        return note;
    }

    private String scalingNote(Measure one, Measure two) {
        Measure copy1 = run.threads("plainCopy1Thread");
        Measure copy2 = run.threads("plainCopy2Threads");
        String note = "";
        if (copy1 != null && copy2 != null) {
            Measure machine = copy2.over(copy1);
            note =
                    "a plain 1 MiB copy scales "
                            + machine.format("%.2f")
                            + " times on 2 threads on this machine"
                            + (machine.value() < 1.6 ? ", below the target itself" : "")
                            + "; with 2 cores, the 2 benchmark threads share them with JMH and"
                            + " every other process";
        }
        return note;
    }
}
