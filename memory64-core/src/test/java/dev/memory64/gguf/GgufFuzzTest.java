package dev.memory64.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Coverage-guided fuzzing of the GGUF reader and of opening a model: any bytes either read as a
 * valid file (and open as a model, or are refused as one with a {@link GgufFormatException}) or
 * fail with a {@link GgufFormatException}; nothing else escapes. A file that reads must also decode
 * every metadata value it holds (strings and arrays decode lazily, so a check at read time that
 * disagreed with the decoding would surface here), and its tensors must lie within the file.
 *
 * <p>In the build this replays the committed corpus in {@code
 * src/test/resources/dev/memory64/gguf/GgufFuzzTestInputs/}; the project's fuzz script fuzzes it
 * for a set time. The header limit is 1 MiB, so that no input costs much heap.
 */
class GgufFuzzTest {

    private static final long MAX_HEADER = 1 << 20;

    private static Path directory;

    @BeforeAll
    static void createDirectory() throws IOException {
        directory = Files.createTempDirectory("memory64-gguf-fuzz");
    }

    @AfterAll
    static void deleteDirectory() throws IOException {
        try (var files = Files.list(directory)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(directory);
    }

    @FuzzTest(maxDuration = "5m")
    void readsOrRefusesAnyBytes(byte[] data) throws IOException {
        GgufFile file;
        try {
            file =
                    GgufFile.read(
                            new ByteArrayFileChannel(data, 1 + data.length % 4096), MAX_HEADER);
        } catch (GgufFormatException e) {
            return;
        }
        for (Map.Entry<String, GgufValue> entry : file.metadata().entrySet()) {
            decode(entry.getValue());
        }
        for (GgufTensor tensor : file.tensors()) {
            assertEquals(tensor.fileOffset(), file.dataStart() + tensor.offset());
            if (tensor.fileEnd() > data.length) {
                throw new AssertionError(tensor + " ends past the " + data.length + "-byte file");
            }
        }
        Path path = directory.resolve("input.gguf");
        Files.write(path, data);
        try (GgufModel model = GgufModel.builder(path).withMaxHeaderSize(MAX_HEADER).open()) {
            assertEquals(file.tensors().size(), model.store().tensors().size());
        } catch (GgufFormatException e) {
            // Valid as a file but not as a model (layers, split keys): refused, named.
        }
    }

    /** Decodes a value fully, as a caller walking the metadata would. */
    private static void decode(GgufValue value) {
        switch (value) {
            case GgufValue.StringValue s -> s.value();
            case GgufValue.ArrayValue array -> {
                List<GgufValue> elements = array.elements();
                for (GgufValue element : elements) {
                    decode(element);
                }
                if (array.elementType() == GgufValueType.STRING) {
                    assertEquals(array.size(), array.strings().size());
                }
                array.toString();
            }
            default -> value.toString();
        }
    }
}
