package dev.memory64.llama.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memory64.llama.GenerationResult;
import dev.memory64.llama.StopReason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/generate.sh}'s command: run.c's bytes on standard output, the statistics line last
 * on standard error, the default models, and its usage errors.
 */
class GenerateCommandTest {
    static final Path MODELS =
            Path.of(System.getProperty("memory64.models", "../../shared/models"));

    /** The statistics line's form, from issue 21. */
    static final Pattern STATISTICS =
            Pattern.compile(
                    "generated \\d+ tokens in \\d+\\.\\d+ s \\(\\d+\\.\\d tok/s; weights \\d+\\.\\d+ GB"
                            + " in \\d+\\.\\d+ s = \\d+\\.\\d% of the time at \\d+\\.\\d+ GB/s,"
                            + " \\d+\\.\\d+ x plain copy\\), guest memory \\d+\\.\\d MiB, peak RSS"
                            + " \\d+\\.\\d+ GiB");

    record Run(int code, byte[] out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    static Run run(String... args) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                GenerateCommand.run(
                        args,
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * The arguments of the greedy run whose output the models directory holds ({@code
     * expected/greedy-256-once-upon-a-time-a-dog.txt}), after {@code first}.
     */
    private static String[] greedyOnceUponATime(Path work, String... first) {
        List<String> args = new ArrayList<>(List.of(first));
        args.addAll(
                List.of(
                        "--prompt",
                        "Once upon a time, a dog",
                        "--steps",
                        "256",
                        "--temperature",
                        "0",
                        "--models-dir",
                        MODELS.toString(),
                        "--work-dir",
                        work.toString()));
        return args.toArray(String[]::new);
    }

    @Test
    void shouldPrintExactlyWhatRunCPrintsWithTheStoriesModelConvertedOnceByDefault(
            @TempDir Path work) throws IOException {
        Assumptions.assumeTrue(
                Files.isRegularFile(MODELS.resolve(GenerateCommand.STORIES_CHECKPOINT)),
                "no " + MODELS + " (../shared/models): skipped");
        String[] args = greedyOnceUponATime(work);
        Run run = run(args);
        assertEquals(0, run.code(), run.err());
        byte[] expected =
                Files.readAllBytes(
                        MODELS.resolve("expected")
                                .resolve("greedy-256-once-upon-a-time-a-dog.txt"));
        assertArrayEquals(expected, run.out(), new String(run.out(), StandardCharsets.UTF_8));
        assertTrue(
                run.err().contains("stories260K from " + MODELS + ", converted once"), run.err());
        String last = run.errLines().getLast();
        assertTrue(STATISTICS.matcher(last).matches(), last);
        assertTrue(last.startsWith("generated 172 tokens in "), last); // run.c stops at a BOS

        Run again = run(args);
        assertArrayEquals(expected, again.out());
        assertTrue(again.err().contains("converted earlier"), again.err());
    }

    @Test
    void shouldPrintExactlyWhatRunCPrintsWithLlamaCppsGguf(@TempDir Path work) throws IOException {
        Path gguf = MODELS.resolve("stories260K.llama-cpp.gguf");
        Assumptions.assumeTrue(
                Files.isRegularFile(gguf), "no " + MODELS + " (../shared/models): skipped");
        Run run = run(greedyOnceUponATime(work, "--model", gguf.toString()));
        assertEquals(0, run.code(), run.err());
        assertArrayEquals(
                Files.readAllBytes(
                        MODELS.resolve("expected")
                                .resolve("greedy-256-once-upon-a-time-a-dog.txt")),
                run.out(),
                new String(run.out(), StandardCharsets.UTF_8));
        String last = run.errLines().getLast();
        assertTrue(STATISTICS.matcher(last).matches(), last);
    }

    @Test
    void shouldRunTheSampleModelWhereStoriesIsAbsentAndSaySoItWritesNonsense(@TempDir Path work)
            throws IOException {
        String[] args = {
            "--prompt",
            "Hi",
            "--steps",
            "24",
            "--temperature",
            "0",
            "--models-dir",
            work.resolve("absent").toString(),
            "--work-dir",
            work.toString()
        };
        Run run = run(args);
        assertEquals(0, run.code(), run.err());
        assertTrue(run.err().contains("random weights write nonsense"), run.err());
        assertTrue(Files.isRegularFile(work.resolve(GenerateCommand.SAMPLE)));
        String out = new String(run.out(), StandardCharsets.UTF_8);
        assertTrue(out.startsWith("Hi") && out.endsWith("\n"), out);
        String last = run.errLines().getLast();
        assertTrue(STATISTICS.matcher(last).matches(), last);

        // The sample is written once, then reused: the same text again.
        Run again = run(args);
        assertArrayEquals(run.out(), again.out());
    }

    @Test
    void shouldRefuseAnUnknownOptionOrRuntimeWithUsage() throws IOException {
        Run unknown = run("--colour", "red");
        assertEquals(64, unknown.code());
        assertTrue(unknown.err().contains("unknown option --colour"), unknown.err());
        assertTrue(unknown.err().contains("usage: scripts/generate.sh"), unknown.err());
        Run runtime = run("--runtime", "wasmtime");
        assertEquals(64, runtime.code());
        assertTrue(runtime.err().contains("no runtime named \"wasmtime\""), runtime.err());
        Run missing = run("--steps");
        assertEquals(64, missing.code());
        assertTrue(missing.err().contains("--steps needs a value"), missing.err());
    }

    @Test
    void shouldFormatTheStatisticsLineAsTheIssueStatesIt() {
        GenerationResult result =
                new GenerationResult(
                        "x",
                        2,
                        100,
                        StopReason.STEPS,
                        2_000_000_000L,
                        4_000_000_000L,
                        500_000_000L);
        String line = GenerateCommand.statistics(result, 10.0, 65L << 20, 3L << 29);
        assertEquals(
                "generated 100 tokens in 2.000 s (50.0 tok/s; weights 4.0000 GB in 0.500 s = 25.0%"
                        + " of the time at 8.00 GB/s, 0.80 x plain copy), guest memory 65.0 MiB,"
                        + " peak RSS 1.500 GiB",
                line);
        assertTrue(STATISTICS.matcher(line).matches(), line);
    }

    @Test
    void shouldTakeRunCsArgumentRules() {
        GenerateCommand.Options o =
                GenerateCommand.parse(
                        new String[] {"--temperature", "-1", "--top-p", "2", "--steps", "-3"});
        assertEquals(0f, o.temperature());
        assertEquals(0.9f, o.topP());
        assertEquals(0, o.steps());
        assertTrue(o.seed() != 0);
    }

    @Test
    void shouldReadThePeakResidentSetWhereTheSystemHasIt() {
        long rss = GenerateCommand.peakRss();
        if (Files.isReadable(Path.of("/proc/self/status"))) {
            assertTrue(rss > 1 << 20, "VmHWM " + rss);
        } else {
            assertEquals(0, rss);
        }
    }
}
