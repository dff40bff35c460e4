package dev.memory64.llama.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memory64.Memory64Store;
import dev.memory64.gguf.GgufModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/measure-inference.sh}'s two commands: their arguments, the median, the plain copy
 * and a whole run of the model-shape measurement on a small shape (no timing is asserted).
 */
class MeasureInferenceTest {

    @Test
    void shouldTakeTheMedianOfTheMeasuredGenerations() {
        assertEquals(3.0, new MeasureInference.Row("x", new double[] {5, 1, 3}, 1, "").median(), 0);
        assertEquals(
                2.5, new MeasureInference.Row("x", new double[] {4, 1, 3, 2}, 1, "").median(), 0);
    }

    @Test
    void shouldRejectAnUnknownOptionWithUsage() throws Exception {
        assertRejects(MeasureInference::run, "unknown option --bogus", "--bogus", "1");
    }

    @Test
    void shouldRequireAShape() throws Exception {
        assertRejects(MeasureLargeModel::run, "--shape is required", "--tokens", "2");
    }

    /** Runs a command and checks that it exits with 64 (usage) and says {@code said}. */
    private static void assertRejects(Commands.Command command, String said, String... args)
            throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                command.run(
                        args,
                        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(64, code);
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains(said), text);
    }

    @Test
    void shouldMeasureTheSmallShapeAndDeleteItsModel(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                MeasureLargeModel.run(
                        new String[] {"--shape", "small", "--dir", dir.toString(), "--no-native"},
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
        // The guest's row: 3 positions of 4 blocks, each block's weights loaded once per position.
        Matcher row =
                Pattern.compile("\\| guest \\(chicory\\) \\| [0-9.]+ \\| ([0-9.]+) MB \\|")
                        .matcher(printed);
        assertTrue(row.find(), printed);
        assertTrue(Double.parseDouble(row.group(1)) > 0, printed);
        assertTrue(printed.contains("3 positions under chicory"), printed);
        assertTrue(printed.contains("origin design's projection"), printed);
        try (var files = Files.list(dir)) {
            assertEquals(List.of(), files.toList(), "the sparse model is deleted afterwards");
        }
    }

    @Test
    void shouldCopyExactlyTheBytesAskedInChunksAcrossLayers(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("m.gguf");
        MeasureLargeModel.Shape.of("small").model().withSparse(false).write(file);
        try (GgufModel model = GgufModel.open(file)) {
            Memory64Store store = model.store();
            long before = store.stats().bytesRead();
            long total = 0;
            for (var layer : store.layers()) {
                total += layer.size();
            }
            // More than the whole store, so the copy wraps around to the first layer.
            long bytes = total + 1000;
            assertTrue(GenerateCommand.plainCopy(store, bytes, 4096) > 0);
            assertEquals(bytes, store.stats().bytesRead() - before);
            assertFalse(store.layers().isEmpty());
        }
    }
}
