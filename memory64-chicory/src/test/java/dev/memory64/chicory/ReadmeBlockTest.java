package dev.memory64.chicory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's embedding example is compiled code ({@link ReadmeExample}): its Java block must be
 * exactly the example's body. Chicory's alone: the README shows the Chicory host.
 */
class ReadmeBlockTest {

    static final Path README = Path.of("..", "README.md");
    static final Path EXAMPLE =
            Path.of("src", "test", "java", "dev", "memory64", "chicory", "ReadmeExample.java");
    static final String BEGIN = "readme-example:begin";
    static final String END = "readme-example:end";
    static final String INDENT = " ".repeat(8);

    @Test
    void readmeJavaBlockIsExactlyTheCompiledExampleBody() throws IOException {
        assertEquals(exampleBody(), readmeBlock());
    }

    /** The lines between the markers of {@link ReadmeExample}, without their indentation. */
    static String exampleBody() throws IOException {
        List<String> lines = between(Files.readAllLines(EXAMPLE), "// " + BEGIN, "// " + END);
        StringBuilder body = new StringBuilder();
        for (String line : lines) {
            assertTrue(
                    line.isEmpty() || line.startsWith(INDENT),
                    "not indented by 8 in " + EXAMPLE + ": " + line);
            body.append(line.isEmpty() ? "" : line.substring(INDENT.length())).append('\n');
        }
        return body.toString();
    }

    /** The inside of the Java block between the README's markers. */
    static String readmeBlock() throws IOException {
        List<String> lines =
                between(
                        Files.readAllLines(README),
                        "<!-- " + BEGIN + " -->",
                        "<!-- " + END + " -->");
        assertTrue(lines.size() >= 2, "no code block between the markers in " + README);
        assertEquals("```java", lines.getFirst(), "the block's opening fence in " + README);
        assertEquals("```", lines.getLast(), "the block's closing fence in " + README);
        StringBuilder block = new StringBuilder();
        for (String line : lines.subList(1, lines.size() - 1)) {
            block.append(line).append('\n');
        }
        return block.toString();
    }

    /** The lines strictly between the one line equal to {@code begin} and the one after it. */
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
