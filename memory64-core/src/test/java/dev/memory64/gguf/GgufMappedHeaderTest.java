package dev.memory64.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import com.sun.management.ThreadMXBean;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A header larger than the first read, from a file, is mapped and checked through a window that
 * slides over it: it must read exactly as the same bytes read into the heap (the path a remote
 * header takes), cost no heap for its bytes, and fail cleanly, not read past an array, if the file
 * is rewritten in place after. (GgufStringArrayTest refuses malformed strings both ways.)
 */
class GgufMappedHeaderTest {

    private static final String TOKENS = "tokenizer.ggml.tokens";

    @TempDir Path dir;

    /**
     * A string of {@code length} bytes or a little more: mostly ASCII, some two- to four-byte code
     * points (they may straddle the end of a window).
     */
    private static String text(Random random, int length) {
        StringBuilder text = new StringBuilder();
        int bytes = 0;
        while (bytes < length) {
            int kind = random.nextInt(10);
            if (kind == 0) {
                text.append('Ġ');
                bytes += 2;
            } else if (kind == 1) {
                text.append('€');
                bytes += 3;
            } else if (kind == 2) {
                text.appendCodePoint(0x1F600 + random.nextInt(64));
                bytes += 4;
            } else {
                text.append((char) ('a' + random.nextInt(26)));
                bytes++;
            }
        }
        return text.toString();
    }

    /** String lengths as vocabularies have them, with some near and past the quick walk's limit. */
    private static int length(Random random) {
        int kind = random.nextInt(1000);
        if (kind < 3) {
            return 1000 + random.nextInt(60); // around 1 KiB, where the quick walk stops
        }
        if (kind < 4) {
            return 2000 + random.nextInt(20_000);
        }
        return random.nextInt(14);
    }

    @Test
    void aLargeHeaderFromAFileReadsAsTheSameBytesReadIntoTheHeap() {
        qt().withExamples(6)
                .forAll(longs().all())
                .checkAssert(
                        seed -> {
                            Random random = new Random(seed);
                            List<String> tokens = new ArrayList<>();
                            // About 0.5 to 5 MB: past the first read, across several windows.
                            int n = 20_000 + random.nextInt(180_000);
                            for (int i = 0; i < n; i++) {
                                tokens.add(text(random, length(random)));
                            }
                            List<GgufValue> nested = new ArrayList<>();
                            for (int i = 0; i < 3; i++) {
                                nested.add(
                                        GgufValue.stringArray(
                                                tokens.subList(i * 1000, i * 1000 + 1000)));
                            }
                            GgufWriter.Builder builder =
                                    GgufWriter.builder()
                                            .addMetadata(
                                                    "general.architecture",
                                                    GgufValue.string("llama"))
                                            .addMetadata(TOKENS, GgufValue.stringArray(tokens))
                                            .addMetadata(
                                                    "t.nested",
                                                    GgufValue.array(GgufValueType.ARRAY, nested))
                                            .addMetadata(
                                                    "t.after", GgufValue.string(text(random, 9)));
                            for (int b = 0; b < 3; b++) {
                                builder.addTensor(
                                        "blk." + b + ".attn_q.weight",
                                        GgmlType.F32,
                                        new long[] {8},
                                        TestModels.data(32, b));
                            }
                            Path file = dir.resolve("large-" + seed + ".gguf");
                            try {
                                builder.build().write(file);
                                GgufFile mapped = GgufFile.read(file);
                                GgufFile heap =
                                        GgufFile.read(
                                                new ByteArrayFileChannel(Files.readAllBytes(file)));
                                assertTrue(mapped.headerSize() > 64 * 1024);
                                assertEquals(heap.metadata(), mapped.metadata());
                                assertEquals(heap.tensors(), mapped.tensors());
                                assertEquals(heap.dataStart(), mapped.dataStart());
                                // Written again, the mapped values give the heap values' bytes.
                                Path fromMapped = dir.resolve("from-mapped.gguf");
                                Path fromHeap = dir.resolve("from-heap.gguf");
                                metadataOnly(mapped).write(fromMapped);
                                metadataOnly(heap).write(fromHeap);
                                assertArrayEquals(
                                        Files.readAllBytes(fromHeap),
                                        Files.readAllBytes(fromMapped));
                                GgufValue.ArrayValue read =
                                        (GgufValue.ArrayValue) mapped.metadata().get(TOKENS);
                                assertEquals(tokens, read.strings());
                                assertEquals(
                                        tokens.subList(2000, 3000),
                                        ((GgufValue.ArrayValue)
                                                        ((GgufValue.ArrayValue)
                                                                        mapped.metadata()
                                                                                .get("t.nested"))
                                                                .get(2))
                                                .strings());
                                Files.delete(file);
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        });
    }

    /** A writer of {@code file}'s metadata alone, in its order. */
    private static GgufWriter metadataOnly(GgufFile file) {
        GgufWriter.Builder builder = GgufWriter.builder();
        file.metadata().forEach(builder::addMetadata);
        return builder.build();
    }

    @Test
    void theWellKnownKeysAreCheckedBeforeTheTensorInfosWhereverTheHeaderLies() throws IOException {
        // An architecture of the wrong type, then tensor infos of zeros (the first one has an
        // empty name): the key is refused first, in a header read into the heap (small) as in a
        // mapped one (padded past the first read).
        for (int pad : new int[] {0, 200_000}) {
            byte[] raw =
                    RawGguf.header(3, 1000, 2)
                            .key("general.architecture", GgufValueType.UINT32)
                            .u32(7)
                            .key("t.pad", GgufValueType.STRING)
                            .string("p".repeat(pad))
                            .bytes(new byte[1000 * 24])
                            .toBytes();
            Path file = dir.resolve("wrong-type-" + pad + ".gguf");
            Files.write(file, raw);
            GgufFormatException e =
                    assertThrows(GgufFormatException.class, () -> GgufFile.read(file));
            assertEquals("metadata[\"general.architecture\"]", e.field(), e.getMessage());
        }
    }

    @Test
    void theBytesOfAMappedHeaderCostNoHeap() throws IOException {
        List<String> tokens = new ArrayList<>();
        Random random = new Random(3);
        for (int i = 0; i < 600_000; i++) {
            tokens.add(text(random, random.nextInt(14)));
        }
        Path file = dir.resolve("heap.gguf");
        GgufWriter.builder().addMetadata(TOKENS, GgufValue.stringArray(tokens)).build().write(file);
        long header = GgufFile.read(file).headerSize();
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        GgufFile read = GgufFile.read(file);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        // The window (1 MiB) and the first read; a heap copy would be the header's size again.
        assertTrue(header > 5_000_000, "header " + header);
        assertTrue(allocated < header / 3, allocated + " bytes allocated for a " + header);
        assertEquals(
                tokens.get(599_999),
                ((GgufValue.ArrayValue) read.metadata().get(TOKENS)).strings().get(599_999));
    }

    @Test
    void aFileRewrittenInPlaceAfterItsHeaderWasReadFailsOnAccessInsteadOfReadingPastAnArray()
            throws IOException {
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < 50_000; i++) {
            tokens.add("token-" + i);
        }
        Path file = dir.resolve("rewritten.gguf");
        GgufWriter.builder().addMetadata(TOKENS, GgufValue.stringArray(tokens)).build().write(file);
        byte[] original = Files.readAllBytes(file);
        GgufFile read = GgufFile.read(file);
        GgufValue.ArrayValue array = (GgufValue.ArrayValue) read.metadata().get(TOKENS);
        // Element 100's length field, rewritten to claim 2^40 bytes. The array's elements start
        // after the file's header (24 bytes), the key, the value type, element type and count.
        long at = 24 + 8 + TOKENS.length() + 4 + 4 + 8;
        for (int i = 0; i < 100; i++) {
            at += 8 + tokens.get(i).length();
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer huge = ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            huge.putLong(0, 1L << 40);
            channel.write(huge, at);
        }
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> array.strings().get(0));
        assertTrue(e.getMessage().contains("rewritten in place"), e.getMessage());
        Files.write(file, original);
        assertArrayEquals(
                tokens.toArray(),
                ((GgufValue.ArrayValue) GgufFile.read(file).metadata().get(TOKENS))
                        .strings()
                        .toArray());
    }
}
