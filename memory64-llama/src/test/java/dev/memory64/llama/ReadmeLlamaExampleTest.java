package dev.memory64.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The README's generation example ({@link ReadmeLlamaExample}): its Java block is exactly the
 * example's body, and the example prints run.c's text for stories260K.
 */
class ReadmeLlamaExampleTest {
    static final Path README = Path.of("..", "README.md");
    static final Path EXAMPLE =
            Path.of("src", "test", "java", "dev", "memory64", "llama", "ReadmeLlamaExample.java");
    static final String BEGIN = "readme-llama:begin";
    static final String END = "readme-llama:end";
    static final String INDENT = " ".repeat(8);

    @Test
    void readmeJavaBlockIsExactlyTheCompiledExampleBody() throws IOException {
        List<String> example = between(Files.readAllLines(EXAMPLE), "// " + BEGIN, "// " + END);
        StringBuilder body = new StringBuilder();
        for (String line : example) {
            assertTrue(
                    line.isEmpty() || line.startsWith(INDENT),
                    "not indented by 8 in " + EXAMPLE + ": " + line);
            body.append(line.isEmpty() ? "" : line.substring(INDENT.length())).append('\n');
        }
        List<String> block =
                between(
                        Files.readAllLines(README),
                        "<!-- " + BEGIN + " -->",
                        "<!-- " + END + " -->");
        assertTrue(block.size() >= 2, "no code block between the markers in " + README);
        assertEquals("```java", block.getFirst(), "the block's opening fence in " + README);
        assertEquals("```", block.getLast(), "the block's closing fence in " + README);
        StringBuilder readme = new StringBuilder();
        for (String line : block.subList(1, block.size() - 1)) {
            readme.append(line).append('\n');
        }
        assertEquals(body.toString(), readme.toString());
    }

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

    /** The lines strictly between the one line equal to begin and the one equal to end. */
    static List<String> between(List<String> lines, String begin, String end) {
        List<Integer> begins = new ArrayList<>();
        List<Integer> ends = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String trimmed = lines.get(i).strip();
            if (trimmed.equals(begin)) {
                begins.add(i);
            } else if (trimmed.equals(end)) {
                ends.add(i);
            }
        }
        assertEquals(1, begins.size(), "lines equal to \"" + begin + "\"");
        assertEquals(1, ends.size(), "lines equal to \"" + end + "\"");
        assertTrue(begins.getFirst() < ends.getFirst(), begin + " comes after " + end);
        return lines.subList(begins.getFirst() + 1, ends.getFirst());
    }
}
