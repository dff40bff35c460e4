package dev.memory64.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memory64.bench.BenchmarkTargets.Status;
import dev.memory64.bench.BenchmarkTargets.Target;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The judge of the targets, over the same small run as {@link BenchmarkReportTest}. */
class BenchmarkTargetsTest {

    private static List<Target> targets() {
        return BenchmarkTargets.judge(new BenchmarkResults(BenchmarkReportTest.run()));
    }

    private static Target target(List<Target> targets, String prefix) {
        return targets.stream()
                .filter(t -> t.target().startsWith(prefix))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no target " + prefix));
    }

    @Test
    void judgesEachTargetMetMissedWithinErrorOrNotMeasured() {
        List<Target> targets = targets();
        assertEquals(
                Status.MET,
                target(targets, "64 MiB load into SegmentMemory vs plain copy (compiler)")
                        .status());
        // 0.90 misses 0.95, but 0.90 + 0.21 reaches it.
        assertEquals(
                Status.WITHIN_ERROR,
                target(targets, "64 MiB load into SegmentMemory vs plain copy (interpreter)")
                        .status());
        assertEquals(
                Status.MISSED,
                target(targets, "64 MiB load into ByteBufferMemory vs plain copy (compiler)")
                        .status());
        assertEquals(
                Status.NOT_MEASURED,
                target(targets, "64 MiB load into ByteArrayMemory vs plain copy (compiler)")
                        .status());
        assertEquals(
                Status.MET, target(targets, "64 MiB, 1 thread: ours into SegmentMemory").status());
        assertEquals(
                Status.MISSED,
                target(targets, "64 MiB, 1 thread: ours into ByteBufferMemory").status());
        Target call = target(targets, "64-byte memory64_read");
        assertEquals(2.0, call.measured().value(), 1e-12);
        assertEquals(Status.MET, call.status(), "at most 2 means 2 is met");
        Target scaling = target(targets, "1 MiB loads, ours");
        assertEquals(1.5, scaling.measured().value(), 1e-12);
        assertEquals(Status.MISSED, scaling.status());
        assertEquals(Status.NOT_MEASURED, target(targets, "1 MiB loads, origin").status());
    }

    @Test
    void explainsAMissWithTheRunsOwnBaselines() {
        List<Target> targets = targets();
        String buffer =
                target(targets, "64 MiB load into ByteBufferMemory vs plain copy (compiler)")
                        .note();
        assertTrue(
                buffer.contains(
                        "Chicory's own Memory.write of a ready byte[] into ByteBufferMemory"
                                + " reaches 0.70 ± ? of the plain copy, below the target itself"),
                buffer);
        String scaling = target(targets, "1 MiB loads, ours").note();
        assertTrue(scaling.contains("a plain 1 MiB copy scales 1.20 ± 0.02 times"), scaling);
        String origin = target(targets, "64 MiB, 1 thread: ours into ByteBufferMemory").note();
        assertTrue(origin.contains("reaches 0.25 ± 0.01 of the plain copy"), origin);
    }

    @Test
    void judgesAtTheBoundAndByTheErrorInTheRightDirection() {
        Measure atLeast = new Measure(0.90, 0.05);
        assertEquals(Status.MET, new Target("t", true, 0.90, atLeast, "").status());
        assertEquals(Status.WITHIN_ERROR, new Target("t", true, 0.95, atLeast, "").status());
        assertEquals(Status.MISSED, new Target("t", true, 0.96, atLeast, "").status());
        assertEquals(Status.MET, new Target("t", false, 0.90, atLeast, "").status());
        assertEquals(Status.WITHIN_ERROR, new Target("t", false, 0.85, atLeast, "").status());
        assertEquals(Status.MISSED, new Target("t", false, 0.84, atLeast, "").status());
        assertEquals(
                Status.MISSED,
                new Target("t", true, 0.95, new Measure(0.90, Double.NaN), "").status(),
                "an unknown error widens nothing");
        assertEquals(
                Status.NOT_MEASURED,
                new Target("t", true, 0.95, new Measure(Double.NaN, 0), "").status());
        assertEquals("≥ 0.95", new Target("t", true, 0.95, null, "").bound());
        assertEquals("≤ 2.00", new Target("t", false, 2, null, "").bound());
    }
}
