package dev.memory64.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.memory64.testkit.StrictUtf8;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * String arrays as a tokenizer has them (hundreds of thousands of short strings, read in one fast
 * walk at open): every element is checked as strict UTF-8 at open, a malformed one is refused
 * naming the key and its index, and the strings read back are those the JDK's strict decoder gives.
 */
class GgufStringArrayTest {

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
            byte[] file, List<String> expected, int firstBad, long firstBadOffset) {
        if (firstBad >= 0) {
            GgufFormatException e =
                    assertThrows(
                            GgufFormatException.class,
                            () -> GgufFile.read(new ByteArrayFileChannel(file)));
            assertEquals("metadata[\"" + KEY + "\"][" + firstBad + "]", e.field(), e.getMessage());
            assertEquals(firstBadOffset, e.fileOffset(), e.getMessage());
            assertTrue(e.getMessage().contains("is not valid UTF-8"), e.getMessage());
            return;
        }
        try {
            GgufFile parsed = GgufFile.read(new ByteArrayFileChannel(file));
            GgufValue.ArrayValue array = (GgufValue.ArrayValue) parsed.metadata().get(KEY);
            assertEquals(expected, array.strings());
            for (int i = 0; i < expected.size(); i += 97) {
                assertEquals(expected.get(i), array.get(i).asString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
