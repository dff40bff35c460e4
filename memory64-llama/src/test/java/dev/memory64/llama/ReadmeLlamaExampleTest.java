package dev.memory64.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The README's generation example ({@link ReadmeLlamaExample}) prints run.c's text for stories260K;
 * {@code GuideBlocksTest} (memory64-chicory) checks that the README's Java block is exactly the
 * example's body.
 */
class ReadmeLlamaExampleTest {

    @Test
    void exampleWritesWhatRunCPrints() throws IOException {
        Path models = Path.of(System.getProperty("memory64.models", "../../shared/models"));
        Path gguf = models.resolve("stories260K.llama-cpp.gguf");
        Assumptions.assumeTrue(
                Files.isRegularFile(gguf), "no " + gguf + " (../shared/models): skipped");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        GenerationResult result =
                ReadmeLlamaExample.run(gguf, new PrintStream(out, true, StandardCharsets.UTF_8));
        assertArrayEquals(
                Files.readAllBytes(
                        models.resolve("expected")
                                .resolve("greedy-256-once-upon-a-time-a-dog.txt")),
                out.toByteArray(),
                out.toString(StandardCharsets.UTF_8));
        assertEquals(StopReason.END_OF_SEQUENCE, result.stopReason());
    }
}
