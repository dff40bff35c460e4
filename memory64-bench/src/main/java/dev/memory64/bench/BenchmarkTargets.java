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
        targets.add(
                new Target(
                        "64-byte memory64_read vs no-op host call, time per guest call (compiler)",
                        false,
                        2.0,
                        Measure.ratio(read, noop),
                        callNote(read, noop)));
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
                            + " load is staged through a 64 KiB per-thread buffer, two copies");
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
