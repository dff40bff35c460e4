package dev.memory64.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

import dev.memory64.testkit.StrictUtf8;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.SourceDSL;

class Utf8Test {

    /** Bytes weighted towards the lead and continuation bytes where the rules have edges. */
    private static Gen<byte[]> utf8ish() {
        int[] edges = {
            0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0,
            0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF
        };
        Gen<Integer> oneByte =
                SourceDSL.integers()
                        .between(0, edges.length - 1)
                        .map(i -> edges[i])
                        .mix(SourceDSL.integers().between(0, 255), 30);
        return SourceDSL.lists()
                .of(oneByte)
                .ofSizeBetween(0, 12)
                .map(
                        list -> {
                            byte[] b = new byte[list.size()];
                            for (int i = 0; i < b.length; i++) {
                                b[i] = (byte) (int) list.get(i);
                            }
                            return b;
                        });
    }

    @Test
    void shouldAgreeWithTheJdksStrictDecoderOnEveryInput() {
        qt().withExamples(20_000)
                .forAll(utf8ish())
                .checkAssert(
                        bytes ->
                                assertEquals(
                                        StrictUtf8.decode(bytes) != null,
                                        Utf8.isValid(bytes, 0, bytes.length)));
    }

    @Test
    void shouldRejectOverlongSurrogateAndTruncatedForms() {
        assertFalse(Utf8.isValid(new byte[] {(byte) 0xC0, (byte) 0x80}, 0, 2));
        assertFalse(Utf8.isValid(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, 0, 3));
        assertFalse(Utf8.isValid(new byte[] {(byte) 0xE2, (byte) 0x82}, 0, 2));
        assertFalse(
                Utf8.isValid(
                        new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, 0, 4));
        assertFalse(Utf8.isValid(new byte[] {'a', (byte) 0xE2, (byte) 0x82, (byte) 0xAC}, 0, 3));
        assertTrue(Utf8.isValid(new byte[] {'a', (byte) 0xE2, (byte) 0x82, (byte) 0xAC}, 1, 3));
    }

    @Test
    void shouldRefuseAnUnpairedSurrogateWhenEncoding() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Utf8.checkEncodable("a\uD800b"));
        assertEquals(
                "string has an unpaired surrogate U+D800 at index 1, which has no UTF-8 form",
                e.getMessage());
        Utf8.checkEncodable("a\uD83D\uDE00b");
    }
}
