package dev.memory64.safetensors;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memory64.testkit.SmallHeapJvm;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile headers read in bounded heap: each header of 8 MiB is opened in a JVM of 64 MiB of heap
 * and must end in a {@link SafetensorsFormatException}, not an {@link OutOfMemoryError}: one
 * metadata string of 8 MiB (then a byte that no tensor covers), 800,000 empty metadata entries
 * (refused past the 16,384th), 130,000 one-byte tensors (whose data is missing). And the header
 * that costs most heap once open, 8 MiB of one-byte tensors each in a layer of its own, opens in a
 * JVM of 16 times its size. The bound this holds to is in docs/GUIDE.md ("Safetensors
 * checkpoints").
 */
class SafetensorsHostileHeaderTest {
    @TempDir Path dir;

    private static final int SIZE = 8 << 20;

    private Path file(String name, StringBuilder json) throws IOException {
        while (json.length() < SIZE) {
            json.append(' ');
        }
        Path file = dir.resolve(name);
        Files.write(file, SafetensorsMalformedTest.raw(json.toString(), 0));
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(raf.length() + 1); // one byte in no tensor: refused after the parse
        }
        return file;
    }

    private List<Path> hostileFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        StringBuilder string = new StringBuilder("{\"__metadata__\":{\"k\":\"");
        string.append("x".repeat(SIZE - 40)).append("\"}}");
        files.add(file("string.safetensors", string));
        StringBuilder entries = new StringBuilder("{\"__metadata__\":{");
        for (int i = 0; entries.length() < SIZE - 64; i++) {
            entries.append(i == 0 ? "" : ",")
                    .append('"')
                    .append(Integer.toString(i, 36))
                    .append("\":\"\"");
        }
        files.add(file("entries.safetensors", entries.append("}}")));
        files.add(file("tensors.safetensors", tinyTensors()));
        return files;
    }

    @Test
    void hostileHeadersEndInAFormatErrorInASmallHeap() throws Exception {
        List<Path> files = hostileFiles();
        List<String> lines = run(64, files);
        List<String> rules = List.of("gap", "metadata_count", "past_end");
        SmallHeapJvm.assertRefusedEach(files, lines, 2, rules, "MiB peak heap");
    }

    @Test
    void theHeaderThatCostsMostHeapOpensInSixteenTimesItsSize() throws Exception {
        // 8 MiB of one-byte tensors, each in its own layer (names without a '.'), with their data.
        StringBuilder tensors = tinyTensors();
        int count = tensors.toString().split("data_offsets").length - 1;
        Path file = file("valid.safetensors", tensors);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(raf.length() - 1 + count);
        }
        String line = run(16 * (SIZE >> 20), List.of(file)).get(0);
        assertTrue(line.startsWith("FAILED valid.safetensors opened: "), line);
        assertTrue(line.contains(count + " layers"), line);
    }

    private static StringBuilder tinyTensors() {
        StringBuilder tensors = new StringBuilder("{");
        for (int i = 0; tensors.length() < SIZE - 128; i++) {
            tensors.append(i == 0 ? "" : ",")
                    .append("\"")
                    .append(Integer.toString(i, 36))
                    .append("\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[")
                    .append(i)
                    .append(',')
                    .append(i + 1)
                    .append("]}");
        }
        return tensors.append('}');
    }

    /** Opens the files in a JVM of {@code heapMiB} of heap; its output lines, one per file. */
    private static List<String> run(int heapMiB, List<Path> files) throws Exception {
        return SmallHeapJvm.run(
                heapMiB,
                HostileHeaderMain.class,
                List.of(
                        HostileHeaderMain.class,
                        SafetensorsModel.class,
                        tools.jackson.core.JsonParser.class,
                        org.slf4j.LoggerFactory.class),
                files);
    }
}
