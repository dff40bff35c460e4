package dev.memory64.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
 * Hostile headers read in bounded heap: each is opened in a JVM of 64 MiB of heap and must end in a
 * {@link GgufFormatException}, not an {@link OutOfMemoryError}. Each holds 24 MiB that the reader
 * accepts (the file then ends early): one string, three million empty strings, two million empty
 * arrays, or arrays nested to the limit and one past it. Opening takes at most twice the header's
 * size while the header array grows; the reader before this took about five times a string's size,
 * and about eighty bytes per nested array.
 */
class GgufHostileHeaderTest {
    @TempDir Path dir;

    private static final long PAYLOAD = 24L << 20;

    /** A file of {@code header}, then {@code PAYLOAD} zero bytes (a sparse file). */
    private Path sparse(String name, RawGguf header) throws IOException {
        Path file = dir.resolve(name);
        byte[] prefix = header.toBytes();
        Files.write(file, prefix);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(prefix.length + PAYLOAD);
        }
        return file;
    }

    /** A header whose first of two entries, "k", is an array of {@code count} elements. */
    private static RawGguf arrayOf(GgufValueType element, long count) {
        return RawGguf.header(3, 0, 2).key("k", GgufValueType.ARRAY).u32(element.id()).u64(count);
    }

    private List<Path> hostileFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        // One string value of 24 MiB (zeros are valid UTF-8), then a second entry cut off.
        files.add(
                sparse(
                        "string.gguf",
                        RawGguf.header(3, 0, 2).key("k", GgufValueType.STRING).u64(PAYLOAD)));
        // An array of three million empty strings, then a second entry cut off.
        files.add(sparse("strings.gguf", arrayOf(GgufValueType.STRING, PAYLOAD / 8)));
        // An array of two million empty arrays of uint8 (each 12 zero bytes), then cut off.
        files.add(sparse("arrays.gguf", arrayOf(GgufValueType.ARRAY, PAYLOAD / 12)));
        // Arrays of arrays eight deep (the limit), the innermost of 24 MiB of uint8, cut off.
        RawGguf deep = RawGguf.header(3, 0, 2).key("k", GgufValueType.ARRAY);
        for (int depth = 1; depth < GgufValue.MAX_ARRAY_DEPTH; depth++) {
            deep.u32(GgufValueType.ARRAY.id()).u64(1);
        }
        files.add(sparse("deep.gguf", deep.u32(GgufValueType.UINT8.id()).u64(PAYLOAD)));
        // Nine deep: refused at the ninth element type.
        RawGguf tooDeep = RawGguf.header(3, 0, 1).key("k", GgufValueType.ARRAY);
        for (int depth = 1; depth <= GgufValue.MAX_ARRAY_DEPTH; depth++) {
            tooDeep.u32(GgufValueType.ARRAY.id()).u64(1);
        }
        files.add(sparse("too-deep.gguf", tooDeep.u32(GgufValueType.UINT8.id()).u64(0)));
        return files;
    }

    @Test
    void hostileHeadersEndInAFormatErrorInASmallHeap() throws Exception {
        List<Path> files = hostileFiles();
        List<String> lines =
                SmallHeapJvm.run(
                        64,
                        HostileHeaderMain.class,
                        List.of(
                                HostileHeaderMain.class,
                                GgufModel.class,
                                org.slf4j.LoggerFactory.class),
                        files);
        List<String> expectedFields =
                List.of(
                        "metadata[1].key.length",
                        "metadata[1].key.length",
                        "metadata[1].key.length",
                        "metadata[1].key.length",
                        "metadata[\"k\"]" + "[0]".repeat(7) + ".element_type");
        SmallHeapJvm.assertRefusedEach(files, lines, 3, expectedFields, "ms, field");
    }

    @Test
    void aHeaderOverTheLimitGivenIsRefusedBeforeItIsRead() throws Exception {
        Path file =
                sparse(
                        "limit.gguf",
                        RawGguf.header(3, 0, 1).key("k", GgufValueType.STRING).u64(PAYLOAD));
        GgufFormatException e =
                assertThrows(
                        GgufFormatException.class,
                        () -> GgufModel.builder(file).withMaxHeaderSize(1 << 20).open());
        assertEquals("metadata[\"k\"].length", e.field());
        assertTrue(
                e.getMessage().contains("under the header size limit of 1048576 bytes"),
                e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> GgufModel.builder(file).withMaxHeaderSize(23));
    }
}
