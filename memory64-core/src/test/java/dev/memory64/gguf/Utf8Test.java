package dev.memory64.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The allocation-free UTF-8 check agrees with the JDK's decoder set to report malformed input. */
class Utf8Test {

    private static boolean jdkAccepts(byte[] bytes) {
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static byte[] bytes(List<Integer> values) {
        byte[] bytes = new byte[values.size()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (int) values.get(i);
        }
        return bytes;
    }

    @Test
    void agreesWithTheJdkOnArbitraryBytes() {
        // Bytes drawn mostly from the lead and continuation ranges, where the edge cases are.
        qt().withExamples(5_000)
                .forAll(lists().of(integers().between(0x70, 0xFF)).ofSizeBetween(0, 8))
                .checkAssert(
                        values -> {
                            byte[] bytes = bytes(values);
                            assertEquals(
                                    jdkAccepts(bytes),
                                    Utf8.isValid(bytes, 0, bytes.length),
                                    values.toString());
                        });
    }

    @Test
    void agreesWithTheJdkOnEveryEdgeSequence() {
        int[][] cases = {
            {0xC0, 0x80},
            {0xC1, 0xBF},
            {0xC2, 0x80},
            {0xDF, 0xBF},
            {0xE0, 0x9F, 0x80},
            {0xE0, 0xA0, 0x80},
            {0xED, 0x9F, 0xBF},
            {0xED, 0xA0, 0x80},
            {0xEF, 0xBF, 0xBF},
            {0xF0, 0x8F, 0x80, 0x80},
            {0xF0, 0x90, 0x80, 0x80},
            {0xF4, 0x8F, 0xBF, 0xBF},
            {0xF4, 0x90, 0x80, 0x80},
            {0xF5, 0x80, 0x80, 0x80},
            {0xE2, 0x82},
            {0x61, 0xF0, 0x9F, 0x98},
            {0x80},
            {0xFF},
            {}
        };
        for (int[] values : cases) {
            byte[] bytes = new byte[values.length];
            for (int i = 0; i < values.length; i++) {
                bytes[i] = (byte) values[i];
            }
            assertEquals(
                    jdkAccepts(bytes),
                    Utf8.isValid(bytes, 0, bytes.length),
                    java.util.Arrays.toString(values));
        }
        byte[] padded = {0x41, (byte) 0xC3, (byte) 0xA9, 0x42};
        assertEquals(true, Utf8.isValid(padded, 1, 2));
        assertEquals(false, Utf8.isValid(padded, 1, 1));
    }
}
