package dev.memory64.bench.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The demo's command line: help, the options, and one clear line with exit 2 for bad usage. */
class DemoOptionsTest {

    @TempDir Path dir;

    static DemoOutcome demo(String... args) {
        return DemoOutcome.run(DemoSample.Spec.DEFAULT, args);
    }

    @Test
    void helpPrintsUsageToStdoutAndExitsZero() {
        for (String flag : new String[] {"--help", "-h"}) {
            DemoOutcome o = demo(flag);
            assertEquals(0, o.exit());
            assertEquals("", o.err());
            assertTrue(o.out().startsWith("usage: scripts/demo.sh"), o.out());
            for (String option : new String[] {"--model", "--dir", "--layers", "--progress"}) {
                assertTrue(o.out().contains(option), option);
            }
            assertTrue(o.out().contains("exit status"), o.out());
        }
    }

    @Test
    void helpWinsOverOtherOptionsAndRunsNothing() {
        DemoOutcome o = demo("--layers", "3", "--help");
        assertEquals(0, o.exit());
        assertTrue(o.out().startsWith("usage:"));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "--bogus|demo: unknown option --bogus; try --help",
                "-x|demo: unknown option -x; try --help",
                "model.gguf|demo: unexpected argument model.gguf; try --help",
                "--model|demo: --model needs a value; try --help",
                "--dir|demo: --dir needs a value; try --help",
                "--layers|demo: --layers needs a value; try --help",
                "--model=|demo: --model needs a value, got an empty one; try --help",
                "--layers=0|demo: --layers 0: not a whole number from 1 to 2147483647; try --help",
                "--layers=-3|demo: --layers -3: not a whole number from 1 to 2147483647; try --help",
                "--layers=abc|demo: --layers abc: not a whole number from 1 to 2147483647; try --help",
                "--layers=99999999999|demo: --layers 99999999999: not a whole number from 1 to"
                        + " 2147483647; try --help",
                "--progress=fancy|demo: --progress fancy: not one of auto, bar, lines, none; try"
                        + " --help",
                "--help=yes|demo: --help takes no value; try --help",
            })
    void badUsageGetsOneLineAndExitTwo(String arg, String message) {
        assertBadUsage(message, arg);
    }

    /** The demo exits 2 having printed this one line on standard error and nothing else. */
    static void assertBadUsage(String line, String... args) {
        DemoOutcome o = demo(args);
        assertEquals(2, o.exit());
        assertEquals(line + System.lineSeparator(), o.err());
        assertEquals("", o.out());
    }

    @Test
    void missingModelFileIsBadUsage() {
        Path missing = dir.resolve("missing.gguf");
        assertBadUsage(
                "demo: --model " + missing + ": no such file; try --help",
                "--model",
                missing.toString());
    }

    @Test
    void modelThatIsADirectoryIsBadUsage() {
        assertBadUsage(
                "demo: --model " + dir + ": not a regular file; try --help",
                "--model",
                dir.toString());
    }

    @Test
    void dirThatIsAFileIsBadUsage() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertBadUsage(
                "demo: --dir " + file + ": not a directory; try --help", "--dir", file.toString());
    }

    @Test
    void dirWithModelIsBadUsage() throws Exception {
        Path file = Files.writeString(dir.resolve("m.gguf"), "x");
        DemoOutcome o = demo("--model", file.toString(), "--dir", dir.toString());
        assertEquals(2, o.exit());
        assertTrue(o.err().startsWith("demo: --dir is for the sample model"), o.err());
    }

    @Test
    void parsesEveryOptionInBothForms() throws Exception {
        Path file = Files.writeString(dir.resolve("m.gguf"), "x");
        DemoOptions spaced =
                DemoOptions.parse(
                        "--model", file.toString(), "--layers", "7", "--progress", "none");
        DemoOptions joined = DemoOptions.parse("--model=" + file, "--layers=7", "--progress=none");
        assertEquals(spaced, joined);
        assertEquals(file, spaced.model());
        assertEquals(7, spaced.layers());
        assertEquals(DemoProgress.Mode.NONE, spaced.progress());
        assertFalse(spaced.help());

        DemoOptions sample = DemoOptions.parse("--dir", dir.toString(), "--progress", "bar");
        assertNull(sample.model());
        assertEquals(dir, sample.dir());
        assertEquals(Integer.MAX_VALUE, sample.layers());
        assertEquals(DemoProgress.Mode.BAR, sample.progress());
    }

    @Test
    void takesAnHttpUrlForTheModel() throws Exception {
        DemoOptions remote = DemoOptions.parse("--model", "http://127.0.0.1:8080/m.gguf");
        assertEquals(java.net.URI.create("http://127.0.0.1:8080/m.gguf"), remote.url());
        assertNull(remote.model());
        assertEquals(
                java.net.URI.create("HTTPS://models.example/a%20b.gguf"),
                DemoOptions.parse("--model=HTTPS://models.example/a%20b.gguf").url());
        DemoOutcome o = demo("--model", "http://x/m.gguf", "--dir", dir.toString());
        assertEquals(2, o.exit());
        assertTrue(o.err().startsWith("demo: --dir is for the sample model"), o.err());
    }

    @Test
    void defaultsToTheSampleInTheTemporaryDirectory() throws Exception {
        DemoOptions options = DemoOptions.parse();
        assertNull(options.model());
        assertEquals(Path.of(System.getProperty("java.io.tmpdir"), "memory64-demo"), options.dir());
        assertEquals(DemoProgress.Mode.AUTO, options.progress());
    }

    @Test
    void residencyIsOffUnlessAskedAndBadPoliciesAreUsageErrors() throws Exception {
        assertEquals(dev.memory64.ResidencyPolicy.off(), DemoOptions.parse().residency());
        assertEquals(
                dev.memory64.ResidencyPolicy.bytes(256L << 20, 512L << 20),
                DemoOptions.parse("--residency=bytes:256:512").residency());
        DemoOptions.UsageException e =
                org.junit.jupiter.api.Assertions.assertThrows(
                        DemoOptions.UsageException.class,
                        () -> DemoOptions.parse("--residency", "some"));
        assertEquals(
                "--residency some: not one of off, layers:BEHIND:AHEAD or"
                        + " bytes:BEHIND_MIB:AHEAD_MIB",
                e.getMessage());
    }
}
