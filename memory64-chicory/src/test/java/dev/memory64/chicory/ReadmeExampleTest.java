package dev.memory64.chicory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memory64.gguf.GgmlType;
import dev.memory64.gguf.GgufValue;
import dev.memory64.gguf.GgufWriter;
import dev.memory64.internal.LayerChecksum;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's embedding example is compiled code ({@link ReadmeExample}): its Java block must be
 * exactly the example's body, and the example must work.
 */
class ReadmeExampleTest {

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

    @Test
    void exampleChecksumsEveryLayerOfATinyGgufModel(@TempDir Path dir) throws IOException {
        // One tensor per layer, so each layer's bytes are its tensor's bytes.
        Map<String, byte[]> tensors = new LinkedHashMap<>();
        SplittableRandom random = new SplittableRandom(42);
        for (String name :
                List.of(
                        "token_embd.weight",
                        "blk.0.attn_q.weight",
                        "blk.1.attn_q.weight",
                        "output_norm.weight",
                        "output.weight")) {
            byte[] data = new byte[4 * 8 * (2 + tensors.size())];
            random.nextBytes(data);
            tensors.put(name, data);
        }
        GgufWriter.Builder writer =
                GgufWriter.builder()
                        .addMetadata("general.architecture", GgufValue.string("llama"))
                        .addMetadata("llama.block_count", GgufValue.uint32(2));
        for (Map.Entry<String, byte[]> t : tensors.entrySet()) {
            long rows = t.getValue().length / (4 * 8);
            writer.addTensor(t.getKey(), GgmlType.F32, new long[] {8, rows}, t.getValue());
        }
        Path model = dir.resolve("tiny.gguf");
        writer.build().write(model);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ReadmeExample.run(model, Guests.ROOT.resolve("c").resolve("layer_checksum.wasm"), out);

        // Layer ids in the origin design's numbering: token_embd 0, blk.N N+1, then output_norm
        // and output.
        List<String> expected = new ArrayList<>();
        long total = 0;
        int id = 0;
        for (byte[] data : tensors.values()) {
            long checksum = LayerChecksum.of(MemorySegment.ofArray(data));
            expected.add(
                    "layer "
                            + id++
                            + " size "
                            + data.length
                            + " checksum "
                            + LayerChecksum.hex(checksum));
            total += data.length;
        }
        expected.add("total layers " + tensors.size() + " bytes " + total);
        assertEquals(String.join("\n", expected) + "\n", out.toString(StandardCharsets.UTF_8));
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
