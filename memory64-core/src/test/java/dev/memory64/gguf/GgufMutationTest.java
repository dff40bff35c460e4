package dev.memory64.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutates a valid model thousands of ways and checks that the reader only ever returns a valid
 * {@link GgufFile} or throws a {@link GgufFormatException}. A failure prints the seed and case,
 * which reproduce it.
 */
class GgufMutationTest {

    private static final long SEED = 0x6767_7566_2024L;
    private static final int CASES = 4000;

    /** Values that make counts, lengths, types and offsets interesting. */
    private static final long[] INTERESTING = {
        0,
        1,
        2,
        3,
        4,
        5,
        7,
        8,
        9,
        12,
        13,
        31,
        32,
        33,
        63,
        64,
        255,
        256,
        0x7FFF,
        0x8000,
        0xFFFF,
        0x7FFF_FFFFL,
        0x8000_0000L,
        0xFFFF_FFFFL,
        1L << 32,
        1L << 62,
        Long.MAX_VALUE,
        Long.MIN_VALUE,
        -1L,
        -2L,
        -32L
    };

    @TempDir Path dir;

    @Test
    void everyMutationReadsAsAValidFileOrAFormatException() throws IOException {
        byte[] base = TestModels.richBytes(dir, "base.gguf");
        GgufFile valid = GgufFile.read(new ByteArrayFileChannel(base));
        int headerSize = (int) valid.headerSize();

        Random seeds = new Random(SEED);
        int accepted = 0;
        int rejected = 0;
        for (int i = 0; i < CASES; i++) {
            long caseSeed = seeds.nextLong();
            Random random = new Random(caseSeed);
            StringBuilder what = new StringBuilder();
            byte[] mutated = mutate(base, headerSize, random, what);
            String where =
                    "seed=0x"
                            + Long.toHexString(SEED)
                            + " case="
                            + i
                            + " caseSeed="
                            + caseSeed
                            + " mutations:"
                            + what;
            try {
                GgufFile file =
                        GgufFile.read(new ByteArrayFileChannel(mutated, 1 + random.nextInt(64)));
                exercise(file, mutated.length, where);
                accepted++;
            } catch (GgufFormatException e) {
                checkException(e, mutated.length, where);
                rejected++;
            } catch (Throwable t) {
                throw new AssertionError("unexpected " + t + " for " + where, t);
            }
        }
        // Both outcomes must occur, or the mutations are not reaching the reader's checks.
        assertTrue(accepted > CASES / 100, "accepted " + accepted);
        assertTrue(rejected > CASES / 2, "rejected " + rejected);
    }

    private static byte[] mutate(byte[] base, int headerSize, Random random, StringBuilder what) {
        byte[] bytes = base.clone();
        int count = 1 + random.nextInt(3);
        for (int m = 0; m < count; m++) {
            // Mostly in the header, where the structure is; sometimes anywhere.
            int span =
                    random.nextInt(4) == 0
                            ? Math.max(bytes.length, 1)
                            : Math.min(headerSize, Math.max(bytes.length, 1));
            int at = random.nextInt(span);
            switch (random.nextInt(7)) {
                case 0 -> {
                    if (at < bytes.length) {
                        int bit = random.nextInt(8);
                        bytes[at] ^= (byte) (1 << bit);
                        what.append(" flip bit ").append(bit).append(" at ").append(at);
                    }
                }
                case 1 -> {
                    int n = 1 + random.nextInt(8);
                    for (int k = 0; k < n && at + k < bytes.length; k++) {
                        bytes[at + k] = (byte) random.nextInt(256);
                    }
                    what.append(" random ").append(n).append(" bytes at ").append(at);
                }
                case 2, 3 -> {
                    long value = INTERESTING[random.nextInt(INTERESTING.length)];
                    int width = random.nextBoolean() ? 4 : 8;
                    for (int k = 0; k < width && at + k < bytes.length; k++) {
                        bytes[at + k] = (byte) (value >>> (8 * k));
                    }
                    what.append(" u")
                            .append(8 * width)
                            .append("=")
                            .append(value)
                            .append(" at ")
                            .append(at);
                }
                case 4 -> {
                    bytes = Arrays.copyOf(bytes, Math.min(at, bytes.length));
                    what.append(" truncate to ").append(bytes.length);
                }
                case 5 -> {
                    int n = 1 + random.nextInt(100);
                    byte[] longer = Arrays.copyOf(bytes, bytes.length + n);
                    for (int k = bytes.length; k < longer.length; k++) {
                        longer[k] = (byte) random.nextInt(256);
                    }
                    bytes = longer;
                    what.append(" extend by ").append(n);
                }
                default -> {
                    int n = 1 + random.nextInt(8);
                    int from = Math.min(at, bytes.length);
                    byte[] shifted = new byte[bytes.length + n];
                    System.arraycopy(bytes, 0, shifted, 0, from);
                    for (int k = 0; k < n; k++) {
                        shifted[from + k] = (byte) random.nextInt(256);
                    }
                    System.arraycopy(bytes, from, shifted, from + n, bytes.length - from);
                    bytes = shifted;
                    what.append(" insert ").append(n).append(" at ").append(from);
                }
            }
        }
        return bytes;
    }

    /** Touches everything a user might, which must not throw anything unchecked. */
    private static void exercise(GgufFile file, long size, String where) {
        assertEquals(size, file.fileSize(), where);
        assertTrue(file.dataStart() % file.alignment() == 0, where);
        assertFalse(file.toString().isEmpty(), where);
        file.metadata().forEach((key, value) -> assertFalse(value.toString().isEmpty(), where));
        file.architecture();
        file.name();
        file.blockCount();
        file.contextLength();
        file.embeddingLength();
        for (GgufTensor tensor : file.tensors()) {
            assertTrue(tensor.fileEnd() <= size, where);
            assertEquals(file.dataStart() + tensor.offset(), tensor.fileOffset(), where);
            assertEquals(tensor.type().byteSize(tensor.dims()), tensor.byteSize(), where);
        }
        try {
            for (GgufLayer layer : file.layers()) {
                for (GgufTensor tensor : layer.tensors()) {
                    long inLayer = layer.offsetInLayer(tensor);
                    assertTrue(inLayer >= 0 && inLayer + tensor.byteSize() <= layer.size(), where);
                }
            }
        } catch (GgufFormatException e) {
            checkException(e, size, where);
        }
    }

    private static void checkException(GgufFormatException e, long size, String where) {
        String message = e.getMessage();
        if (!message.startsWith(
                        "GGUF "
                                + e.field()
                                + "="
                                + e.value()
                                + " at offset "
                                + e.fileOffset()
                                + " ")
                || e.field().isEmpty()
                || e.fileOffset() < 0
                || e.fileOffset() > Math.max(size, 1L << 40)) {
            fail("malformed exception message " + message + " for " + where);
        }
    }
}
