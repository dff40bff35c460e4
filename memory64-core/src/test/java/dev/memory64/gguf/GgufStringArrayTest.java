package dev.memory64.gguf;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.memory64.testkit.StrictUtf8;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * String arrays as a tokenizer has them (hundreds of thousands of short strings, read in one fast
 * walk at open): every element is checked as strict UTF-8 at open, a malformed one is refused
 * naming the key and its index, and the strings read back are those the JDK's strict decoder gives.
 * Each header is read both ways a header can be: into the heap (as a remote one is) and, from a
 * file, mapped and walked through a sliding window (as a local one larger than 64 KiB is).
 */
class GgufStringArrayTest {

    @TempDir static Path dir;

    private static final String KEY = "tokenizer.ggml.tokens";

    /**
     * A string element: mostly ASCII, some other code points, and if {@code corrupt} rarely random
     * bytes.
     */
    private static byte[] element(Random random, boolean corrupt) {
        int kind = random.nextInt(1000);
        int length = random.nextInt(24);
        if (corrupt && kind < 3) {
            byte[] raw = new byte[1 + random.nextInt(6)];
            random.nextBytes(raw);
            return raw;
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            if (kind < 300 && random.nextInt(4) == 0) {
                int cp;
                do {
                    cp = 0x80 + random.nextInt(Character.MAX_CODE_POINT - 0x80);
                } while (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE);
                text.appendCodePoint(cp);
            } else {
                text.append((char) random.nextInt(0x80));
            }
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void everyElementIsCheckedAtOpenAndReadsBackAsTheStrictDecoderGives() {
        qt().withExamples(60)
                .forAll(longs().all())
                .checkAssert(
                        seed -> {
                            Random random = new Random(seed);
                            // Up to ~200 KB: past the parser's first 64 KiB read, so that the walk
                            // meets the end of the bytes read so far.
                            int n = random.nextInt(12_000);
                            RawGguf raw =
                                    RawGguf.header(3, 0, 1)
                                            .key(KEY, GgufValueType.ARRAY)
                                            .u32(GgufValueType.STRING.id())
                                            .u64(n);
                            List<String> expected = new ArrayList<>();
                            boolean corrupt = random.nextBoolean();
                            int firstBad = -1;
                            long firstBadOffset = -1;
                            for (int i = 0; i < n; i++) {
                                byte[] bytes = element(random, corrupt);
                                String text = StrictUtf8.decode(bytes);
                                if (text == null && firstBad < 0) {
                                    firstBad = i;
                                    firstBadOffset = raw.position() + 8;
                                }
                                expected.add(text);
                                raw.string(bytes);
                            }
                            check(raw.toBytes(), expected, firstBad, firstBadOffset);
                        });
    }

    private static void check(
            byte[] bytes, List<String> expected, int firstBad, long firstBadOffset) {
        Path file;
        try {
            file = Files.write(dir.resolve("strings.gguf"), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Executable> reads =
                List.of(
                        () -> check(GgufFile.read(new ByteArrayFileChannel(bytes)), expected),
                        () -> check(GgufFile.read(file), expected));
        for (Executable read : reads) {
            if (firstBad >= 0) {
                GgufFormatException e = assertThrows(GgufFormatException.class, read);
                assertEquals(
                        "metadata[\"" + KEY + "\"][" + firstBad + "]", e.field(), e.getMessage());
                assertEquals(firstBadOffset, e.fileOffset(), e.getMessage());
                assertTrue(e.getMessage().contains("is not valid UTF-8"), e.getMessage());
            } else {
                assertDoesNotThrow(read);
            }
        }
    }

    private static void check(GgufFile parsed, List<String> expected) {
        GgufValue.ArrayValue array = (GgufValue.ArrayValue) parsed.metadata().get(KEY);
        assertEquals(expected, array.strings());
        for (int i = 0; i < expected.size(); i += 97) {
            assertEquals(expected.get(i), array.get(i).asString());
        }
    }

    @Test
    void aMalformedTokenFarIntoALargeVocabularyIsRefusedByItsIndex() throws IOException {
        int n = 200_000;
        int bad = 187_654;
        RawGguf raw =
                RawGguf.header(3, 0, 1)
                        .key(KEY, GgufValueType.ARRAY)
                        .u32(GgufValueType.STRING.id())
                        .u64(n);
        long badOffset = -1;
        for (int i = 0; i < n; i++) {
            if (i == bad) {
                badOffset = raw.position() + 8;
                raw.string(new byte[] {'a', (byte) 0xED, (byte) 0xA0, (byte) 0x80}); // surrogate
            } else if (i % 997 == 0) {
                // Now and then one about as long as the quick walk takes (1 KiB), or longer.
                raw.string("Ġ" + "x".repeat(1000 + i % 60));
            } else {
                raw.string((i % 3 == 0 ? "Ġ" : "") + Integer.toString(i, 36));
            }
        }
        check(raw.toBytes(), List.of(), bad, badOffset);
        GgufFormatException e =
                assertThrows(
                        GgufFormatException.class,
                        () -> GgufFile.read(new ByteArrayFileChannel(raw.toBytes())));
        assertEquals("[61 ed a0 80]", e.value());
    }
}
