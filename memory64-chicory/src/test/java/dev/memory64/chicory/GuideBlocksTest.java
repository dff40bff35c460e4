package dev.memory64.chicory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every Java block of docs/GUIDE.md and README.md is compiled code: it is exactly the body of one
 * example method of some module's tests (between {@code // guide-example:begin} and {@code //
 * guide-example:end}, or the README's {@code readme-example} and {@code readme-llama} markers,
 * indentation removed), and every such body is shown by a block. So an edited block, an edited
 * example and a new block without an example all fail the build. The examples' own tests ({@code
 * GuideExamplesTest} in memory64-core, memory64-chicory, memory64-micrometer and memory64-s3,
 * {@link ReadmeExampleTest}, {@code ReadmeLlamaExampleTest}) run them. Chicory's alone: the guide
 * shows the Chicory host.
 */
class GuideBlocksTest {

    static final Path ROOT = Path.of("..");
    static final String GUIDE_MARKER = "guide-example";
    static final List<String> README_MARKERS = List.of("readme-example", "readme-llama");

    /** A code block of a document: where it starts and its text. */
    record Block(String where, String text) {}

    @Test
    void everyGuideJavaBlockIsTheBodyOfAGuideExampleAndEveryExampleIsShown() throws IOException {
        checkShownExactly(ROOT.resolve("docs").resolve("GUIDE.md"), List.of(GUIDE_MARKER));
    }

    @Test
    void everyReadmeJavaBlockIsTheBodyOfAReadmeExampleAndEveryOneIsShown() throws IOException {
        checkShownExactly(ROOT.resolve("README.md"), README_MARKERS);
    }

    @Test
    void theGuideHasItsFifteenJavaBlocks() throws IOException {
        // A guard on the parser: if it found no blocks, the checks above would pass vacuously.
        assertEquals(15, javaBlocks(ROOT.resolve("docs").resolve("GUIDE.md")).size());
        assertEquals(2, javaBlocks(ROOT.resolve("README.md")).size());
    }

    private static void checkShownExactly(Path document, List<String> markers) throws IOException {
        List<Block> blocks = javaBlocks(document);
        Map<String, String> examples = new LinkedHashMap<>();
        for (String marker : markers) {
            Map<String, String> bodies = exampleBodies(marker);
            assertFalse(bodies.isEmpty(), "no " + marker + " in any module's tests");
            bodies.forEach(
                    (body, where) ->
                            assertEquals(
                                    null,
                                    examples.putIfAbsent(body, where),
                                    "two examples with one body: " + where));
        }
        List<String> failures = new ArrayList<>();
        for (Block block : blocks) {
            if (!examples.containsKey(block.text())) {
                failures.add(
                        "the ```java block at "
                                + block.where()
                                + " is no example's body (// "
                                + String.join(" or // ", markers)
                                + ", :begin ... :end in a module's tests); it reads:\n"
                                + block.text());
            }
        }
        List<String> shown = blocks.stream().map(Block::text).toList();
        for (Map.Entry<String, String> example : examples.entrySet()) {
            long times = shown.stream().filter(example.getKey()::equals).count();
            if (times != 1) {
                failures.add(
                        "the example at "
                                + example.getValue()
                                + " is shown "
                                + times
                                + " times in "
                                + document
                                + ", not once; it reads:\n"
                                + example.getKey());
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n\n", failures));
    }

    /** The text of every block of {@code document} opened by a line {@code ```java}. */
    static List<Block> javaBlocks(Path document) throws IOException {
        List<String> lines = Files.readAllLines(document);
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).strip().startsWith("```java")) {
                assertEquals("```java", lines.get(i), document + ":" + (i + 1) + " opens a block");
                StringBuilder text = new StringBuilder();
                int j = i + 1;
                while (j < lines.size() && !lines.get(j).equals("```")) {
                    text.append(lines.get(j)).append('\n');
                    j++;
                }
                assertTrue(j < lines.size(), document + ":" + (i + 1) + ": the block never ends");
                blocks.add(new Block(document + ":" + (i + 1), text.toString()));
                i = j;
            }
        }
        return blocks;
    }

    /**
     * The bodies of every example marked {@code marker} in the test sources of every module,
     * without the indentation of their begin marker, each mapped to where it is.
     */
    static Map<String, String> exampleBodies(String marker) throws IOException {
        String begin = "// " + marker + ":begin";
        String end = "// " + marker + ":end";
        Map<String, String> bodies = new LinkedHashMap<>();
        List<Path> sources;
        try (Stream<Path> modules = Files.list(ROOT)) {
            List<Path> testRoots =
                    modules.map(m -> m.resolve("src").resolve("test").resolve("java"))
                            .filter(Files::isDirectory)
                            .sorted()
                            .toList();
            sources = new ArrayList<>();
            for (Path testRoot : testRoots) {
                try (Stream<Path> files = Files.walk(testRoot)) {
                    files.filter(f -> f.toString().endsWith(".java"))
                            .sorted()
                            .forEach(sources::add);
                }
            }
        }
        for (Path source : sources) {
            List<String> lines = Files.readAllLines(source);
            for (int i = 0; i < lines.size(); i++) {
                if (!lines.get(i).strip().equals(begin)) {
                    continue;
                }
                String where = source.normalize() + ":" + (i + 1);
                String line = lines.get(i);
                String indent = line.substring(0, line.indexOf(begin));
                StringBuilder body = new StringBuilder();
                int j = i + 1;
                while (j < lines.size() && !lines.get(j).strip().equals(end)) {
                    String inside = lines.get(j);
                    assertTrue(
                            inside.isEmpty() || inside.startsWith(indent),
                            "less indented than its begin marker at " + source + ":" + (j + 1));
                    body.append(inside.isEmpty() ? "" : inside.substring(indent.length()))
                            .append('\n');
                    j++;
                }
                assertTrue(j < lines.size(), where + ": " + begin + " without " + end);
                String previous = bodies.putIfAbsent(body.toString(), where);
                assertEquals(null, previous, "two examples with one body: " + where);
                i = j;
            }
        }
        return bodies;
    }
}
