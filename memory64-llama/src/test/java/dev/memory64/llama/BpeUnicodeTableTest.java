package dev.memory64.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The committed Unicode table of the guest's BPE pre-tokenizer ({@code guests/c/bpe_unicode.h}) is
 * what its generator ({@code guests/c/gen/BpeUnicodeTable.java}) writes on the JDK it names: nobody
 * edited the output by hand, and a changed generator was run.
 */
class BpeUnicodeTableTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void committedTableIsTheGeneratorsOutput() throws IOException, InterruptedException {
        Path header = ROOT.resolve(Path.of("guests", "c", "bpe_unicode.h"));
        String committed = Files.readString(header, StandardCharsets.UTF_8);
        assumeTrue(
                committed.contains("#define BPE_UNICODE_JDK " + Runtime.version().feature() + "\n"),
                "skipped: the table was generated on another JDK (another Unicode version)");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        BpeTokenizerTest.Run run =
                BpeTokenizerTest.run(
                        List.of(
                                java.toString(),
                                ROOT.resolve(Path.of("guests", "c", "gen", "BpeUnicodeTable.java"))
                                        .toString()),
                        120);
        assertEquals(0, run.exit(), run.output());
        assertEquals(
                run.output(),
                committed,
                "guests/c/bpe_unicode.h is not its generator's output: run"
                        + " java guests/c/gen/BpeUnicodeTable.java > guests/c/bpe_unicode.h");
    }
}
