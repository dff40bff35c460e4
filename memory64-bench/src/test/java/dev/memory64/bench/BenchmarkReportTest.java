package dev.memory64.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The report's reading of JMH's JSON and its Markdown, over a small JMH result file written here in
 * JMH's JSON shape.
 */
class BenchmarkReportTest {

    private static final String PACKAGE = "dev.memory64.bench.";

    /** One JMH result object, as JMH 1.37 writes it. */
    private static String result(
            String benchmark, String mode, String params, String score, String error, String unit) {
        return String.format(
                Locale.ROOT,
                """
                {
                    "jmhVersion" : "1.37",
                    "benchmark" : "%s%s",
                    "mode" : "%s",
                    "threads" : 1,
                    "forks" : 2,
                    "jvm" : "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java",
                    "jvmArgs" : [ "-Xms1g", "-Xmx1g" ],
                    "jdkVersion" : "25.0.3",
                    "vmName" : "OpenJDK 64-Bit Server VM",
                    "vmVersion" : "25.0.3+9-LTS",
                    "warmupIterations" : 3,
                    "warmupTime" : "500 ms",
                    "warmupBatchSize" : 1,
                    "measurementIterations" : 3,
                    "measurementTime" : "500 ms",
                    "measurementBatchSize" : 1,
                    "params" : { %s },
                    "primaryMetric" : {
                        "score" : %s,
                        "scoreError" : %s,
                        "scoreConfidence" : [ 0.0, 0.0 ],
                        "scoreUnit" : "%s",
                        "rawData" : [ [ 1.0, 2.0, 3.0 ], [ 4.0, 5.0, 6.0 ] ]
                    },
                    "secondaryMetrics" : { }
                }""",
                PACKAGE,
                benchmark,
                mode,
                params,
                score,
                error,
                unit);
    }

    private static String load(String memory, String mode, String score, String error) {
        return result(
                "BenchmarkLayerLoad.load",
                "thrpt",
                "\"memory\" : \""
                        + memory
                        + "\", \"mode\" : \""
                        + mode
                        + "\", \"size\" : \"64MiB\"",
                score,
                error,
                "ops/s");
    }

    /** A run with some results of every benchmark and some missing. */
    static List<BenchmarkResult> run() {
        List<String> items = new ArrayList<>();
        items.add(
                result(
                        "BenchmarkLayerLoad.plainCopy",
                        "thrpt",
                        "\"size\" : \"64MiB\"",
                        "200.0",
                        "10.0",
                        "ops/s"));
        items.add(load("SEGMENT", "COMPILER", "196.0", "4.0"));
        items.add(load("SEGMENT", "INTERPRETER", "180.0", "40.0"));
        items.add(load("BYTE_BUFFER", "COMPILER", "100.0", "2.0"));
        items.add(
                result(
                        "BenchmarkLayerLoad.chicoryWrite",
                        "thrpt",
                        "\"memory\" : \"BYTE_BUFFER\", \"size\" : \"64MiB\"",
                        "140.0",
                        "\"NaN\"",
                        "ops/s"));
        items.add(
                result(
                        "BenchmarkLayerLoad.origin",
                        "thrpt",
                        "\"memory\" : \"BYTE_BUFFER\", \"mode\" : \"COMPILER\","
                                + " \"size\" : \"64MiB\"",
                        "50.0",
                        "1.0",
                        "ops/s"));
        items.add(
                result(
                        "BenchmarkCallCost.read",
                        "avgt",
                        "\"mode\" : \"COMPILER\"",
                        "20.0",
                        "1.0",
                        "ns/op"));
        items.add(
                result(
                        "BenchmarkCallCost.noop",
                        "avgt",
                        "\"mode\" : \"COMPILER\"",
                        "10.0",
                        "1.0",
                        "ns/op"));
        items.add(
                result("BenchmarkConcurrency.ours1Thread", "thrpt", "", "1000.0", "10.0", "ops/s"));
        items.add(
                result(
                        "BenchmarkConcurrency.ours2Threads",
                        "thrpt",
                        "",
                        "1500.0",
                        "10.0",
                        "ops/s"));
        items.add(
                result(
                        "BenchmarkConcurrency.plainCopy1Thread",
                        "thrpt",
                        "",
                        "1000.0",
                        "10.0",
                        "ops/s"));
        items.add(
                result(
                        "BenchmarkConcurrency.plainCopy2Threads",
                        "thrpt",
                        "",
                        "1200.0",
                        "10.0",
                        "ops/s"));
        items.add(
                result(
                        "BenchmarkModelOpen.open",
                        "ss",
                        "\"cache\" : \"WARM\"",
                        "4.5",
                        "0.5",
                        "ms/op"));
        return BenchmarkResult.readAll("[\n" + String.join(",\n", items) + "\n]\n");
    }

    private static BenchmarkReport report() {
        return BenchmarkReport.of(
                new BenchmarkResults(run()),
                Map.of(
                        BenchmarkReport.DATE, "2026-11-26 13:00 UTC",
                        BenchmarkReport.CPU, "AMD EPYC",
                        BenchmarkReport.CORES, "2",
                        BenchmarkReport.MEMORY, "23.5 GiB",
                        BenchmarkReport.COMMAND, "scripts/bench.sh",
                        BenchmarkReport.COLD, "cannot write /proc/sys/vm/drop_caches"));
    }

    @Test
    void readsJmhJsonIncludingNaNErrorsAndPerForkMeans() {
        List<BenchmarkResult> results = run();
        assertEquals(13, results.size());
        BenchmarkResult write = results.get(4);
        assertEquals("BenchmarkLayerLoad.chicoryWrite", write.benchmark());
        assertEquals("BYTE_BUFFER", write.param("memory"));
        assertEquals(140.0, write.score());
        assertTrue(Double.isNaN(write.error()));
        assertEquals(6, write.samples());
        assertEquals(List.of(2.0, 5.0), write.forkMeans());
        assertEquals("3 x 500 ms", write.warmup());
        assertEquals("3 shots", results.get(12).warmup(), "single shot ignores the time");
        assertEquals("25.0.3 (OpenJDK 64-Bit Server VM 25.0.3+9-LTS)", write.jdk());
    }

    @Test
    void tableRowsGiveGigabytesPerSecondAndRatiosToTheSameRunsBaselines() {
        String md = report().markdown();
        // 196 loads/s of 64 MiB = 13.15 GB/s; over the plain copy 196/200 = 0.98, its error
        // 0.98 * hypot(4/196, 10/200) = 0.05; over the origin design 196/50 = 3.92 ± 0.11.
        assertContains(
                md,
                "| 64MiB | SegmentMemory | compiler | 13.15 ± 0.27 | 0.98 ± 0.05 | — |"
                        + " 3.92 ± 0.11 |");
        // The interpreter's rows have no origin ratio; the Chicory write has no error (NaN).
        assertContains(
                md,
                "| 64MiB | ByteBufferMemory | compiler | 6.71 ± 0.13 | 0.50 ± 0.03 |"
                        + " 0.71 ± ? | 2.00 ± 0.06 |",
                "| 64MiB | SegmentMemory | interpreter | 12.08 ± 2.68 |",
                "| 64MiB | 13.42 ± 0.67 | 9.40 ± ? | — | 3.36 ± 0.07 |",
                "| compiler | 20.0 ± 1.0 | 10.0 ± 1.0 | — | 2.00 ± 0.22 |",
                "| open | 4.50 ± 0.50 | not measurable here |",
                "**Machine**: AMD EPYC, 2 cores, 23.5 GiB memory",
                "**Command**: `scripts/bench.sh`");
    }

    @Test
    void rendersEachTargetsVerdictWithItsNoteOnlyWhenMissed() {
        String md = report().markdown();
        assertContains(
                md,
                "| 64 MiB load into SegmentMemory vs plain copy (compiler) | ≥ 0.95 |"
                        + " 0.98 ± 0.05 | met |  |",
                "| **missed** | a load takes 10.00 ms, the plain copy 5.00 ms",
                "| **not measured** |  |");
    }

    @Test
    void everyTableRowHasAsManyColumnsAsItsHeader() {
        String[] lines = report().markdown().split("\n");
        int tables = 0;
        for (int i = 0; i + 1 < lines.length; i++) {
            if (lines[i].startsWith("|") && lines[i + 1].startsWith("| ---")) {
                tables++;
                int columns = columns(lines[i]);
                for (int j = i + 1; j < lines.length && lines[j].startsWith("|"); j++) {
                    assertEquals(columns, columns(lines[j]), "line " + (j + 1) + ": " + lines[j]);
                }
            }
        }
        assertEquals(9, tables);
    }

    private static int columns(String row) {
        return row.split(" \\|", -1).length;
    }

    @Test
    void rejectsTextThatIsNotJmhJson() {
        assertThrows(IllegalArgumentException.class, () -> BenchmarkResult.readAll("{}"));
        assertThrows(IllegalArgumentException.class, () -> BenchmarkResult.readAll("[1]"));
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> BenchmarkResult.readAll("[{\"benchmark\" : \"a.b.C.m\",]"));
        assertTrue(e.getMessage().startsWith("JSON at offset "), e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> BenchmarkResult.readAll("[{\"benchmark\" : \"a.b.C.m\"}]"),
                "a result without mode or metric");
    }

    @Test
    void parsesJsonEscapesNumbersAndLiterals() {
        Object value =
                BenchmarkJson.parse(
                        "{\"a\\n\\u00e9\" : [-1.5e3, true, false, null, \"x\\\"y\"], \"b\" : {}}");
        assertEquals("{a\né=[-1500.0, true, false, null, x\"y], b={}}", String.valueOf(value));
        assertThrows(IllegalArgumentException.class, () -> BenchmarkJson.parse("[1] 2"));
        assertThrows(IllegalArgumentException.class, () -> BenchmarkJson.parse("\"\\q\""));
    }

    @Test
    void regeneratingKeepsTheHandWrittenPartAndOnlyIt() {
        String old =
                "# Performance\n\nold numbers\n\n"
                        + BenchmarkReport.HAND_WRITTEN
                        + "\n\n## Streaming a model larger than memory\n\nby hand\n";
        assertEquals(
                "# Performance\n\nnew numbers\n\n"
                        + BenchmarkReport.HAND_WRITTEN
                        + "\n\n## Streaming a model larger than memory\n\nby hand\n",
                BenchmarkReport.withHandWritten("# Performance\n\nnew numbers\n", old));
        assertEquals("# new\n", BenchmarkReport.withHandWritten("# new\n", "# old, no marker\n"));
        assertEquals("# new\n", BenchmarkReport.withHandWritten("# new\n", ""));
    }

    /** The text holds every one of these strings. */
    private static void assertContains(String text, String... expected) {
        for (String e : expected) {
            assertTrue(text.contains(e), "no " + e + " in:\n" + text);
        }
    }
}
