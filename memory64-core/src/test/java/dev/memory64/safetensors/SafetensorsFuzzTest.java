package dev.memory64.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * Coverage-guided fuzzing of the safetensors header reader and of opening a checkpoint: any bytes
 * either read as a valid file (and open as a checkpoint, or are refused as one) or fail with a
 * {@link SafetensorsFormatException}; nothing else escapes. A file that reads must have its tensors
 * cover its data exactly, each of the size its dtype and shape give, and open with every tensor of
 * at least one byte in the store's table.
 *
 * <p>In the build this replays the committed corpus in {@code
 * src/test/resources/dev/memory64/safetensors/SafetensorsFuzzTestInputs/}; {@code scripts/fuzz.sh}
 * fuzzes it for a set time. The header limit is 1 MiB.
 */
class SafetensorsFuzzTest {

    private static final long MAX_HEADER = 1 << 20;

    @TempDir static Path directory;

    @FuzzTest(maxDuration = "5m")
    void readsOrRefusesAnyBytes(byte[] data) throws IOException {
        SafetensorsFile file;
        try {
            file =
                    SafetensorsFile.read(
                            "input.safetensors",
                            (ByteBuffer target, long position) -> {
                                if (position >= data.length) {
                                    return -1;
                                }
                                int n = (int) Math.min(target.remaining(), data.length - position);
                                target.put(data, (int) position, n);
                                return n;
                            },
                            data.length,
                            MAX_HEADER);
        } catch (SafetensorsFormatException e) {
            assertEquals("input.safetensors", e.file());
            return;
        }
        long at = 0;
        int sized = 0;
        for (SafetensorsTensor t : file.tensors()) {
            assertEquals(at, t.begin(), t.name());
            assertEquals(t.dtype().byteSize(t.elements()), t.size(), t.name());
            at = t.end();
            sized += t.size() > 0 ? 1 : 0;
        }
        assertEquals(data.length - file.dataStart(), at);
        Path path = directory.resolve("input.safetensors");
        Files.write(path, data);
        try (SafetensorsModel model =
                SafetensorsModel.builder(path).withMaxHeaderSize(MAX_HEADER).open()) {
            assertEquals(sized, model.store().tensors().size());
        } catch (SafetensorsFormatException e) {
            // Valid as a file but not as a checkpoint (a block name without a number): named.
            assertTrue(e.tensor() != null, e.getMessage());
        }
    }
}
