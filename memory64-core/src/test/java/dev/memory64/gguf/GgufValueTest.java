package dev.memory64.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class GgufValueTest {

    @Test
    void integerFactoriesRejectValuesOutsideTheirType() {
        assertThrows(IllegalArgumentException.class, () -> GgufValue.uint8(256));
        assertThrows(IllegalArgumentException.class, () -> GgufValue.uint8(-1));
        assertThrows(IllegalArgumentException.class, () -> GgufValue.int8(128));
        assertThrows(IllegalArgumentException.class, () -> GgufValue.int8(-129));
        assertThrows(IllegalArgumentException.class, () -> GgufValue.uint16(65536));
        assertThrows(IllegalArgumentException.class, () -> GgufValue.int16(-32769));
        assertThrows(IllegalArgumentException.class, () -> GgufValue.uint32(1L << 32));
        assertThrows(IllegalArgumentException.class, () -> GgufValue.uint32(-1));
        assertEquals(255, GgufValue.uint8(255).asLong());
        assertEquals(0xFFFF_FFFFL, GgufValue.uint32(0xFFFF_FFFFL).asLong());
    }

    @Test
    void valueRecordsRejectTypesOfTheWrongKind() {
        assertThrows(
                IllegalArgumentException.class,
                () -> new GgufValue.IntValue(GgufValueType.FLOAT32, 1));
        assertThrows(
                IllegalArgumentException.class,
                () -> new GgufValue.FloatValue(GgufValueType.INT32, 1));
    }

    @Test
    void uint64KeepsItsUnsignedMeaning() {
        GgufValue max = GgufValue.uint64(-1L);
        assertEquals(-1L, max.asLong());
        assertEquals("18446744073709551615", max.toString());
        assertEquals("-1", GgufValue.int64(-1L).toString());
    }

    @Test
    void float32IsRoundedToFloatPrecision() {
        assertEquals((double) 0.1f, new GgufValue.FloatValue(GgufValueType.FLOAT32, 0.1).value());
        assertEquals(0.1, GgufValue.float64(0.1).asDouble());
    }

    @Test
    void accessorsOfTheWrongTypeSayWhatTheValueIs() {
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> GgufValue.string("x").asLong());
        assertTrue(e.getMessage().contains("of type string is not an integer"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> GgufValue.uint8(1).asString());
        assertThrows(IllegalStateException.class, () -> GgufValue.bool(true).asDouble());
        assertThrows(IllegalStateException.class, () -> GgufValue.float32(1).asBoolean());
        assertThrows(IllegalStateException.class, () -> GgufValue.int64(1).asArray());
        assertThrows(
                IllegalStateException.class,
                () -> GgufValue.array(GgufValueType.UINT8, GgufValue.uint8(1)).strings());
    }

    @Test
    void arraysRejectElementsOfAnotherType() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                GgufValue.array(
                                        GgufValueType.UINT8,
                                        GgufValue.uint8(1),
                                        GgufValue.int8(1)));
        assertTrue(e.getMessage().contains("element 1=1 is of type int8"), e.getMessage());
    }

    @Test
    void arraysNestAtMostEightDeep() {
        GgufValue.ArrayValue array = GgufValue.array(GgufValueType.UINT8, GgufValue.uint8(7));
        for (int depth = 2; depth <= GgufValue.MAX_ARRAY_DEPTH; depth++) {
            array = GgufValue.array(GgufValueType.ARRAY, array);
        }
        GgufValue.ArrayValue deepest = array;
        assertThrows(
                IllegalArgumentException.class,
                () -> GgufValue.array(GgufValueType.ARRAY, deepest));
    }

    @Test
    void arrayElementsReadBackWithTheirTypes() {
        GgufValue.ArrayValue uint16 =
                GgufValue.array(GgufValueType.UINT16, GgufValue.uint16(65535), GgufValue.uint16(1));
        assertEquals(List.of(GgufValue.uint16(65535), GgufValue.uint16(1)), uint16.elements());
        GgufValue.ArrayValue strings = GgufValue.stringArray(List.of("a", "", "ü€😀"));
        assertEquals(List.of("a", "", "ü€😀"), strings.strings());
        assertEquals(GgufValue.string("ü€😀"), strings.get(2));
        assertThrows(IndexOutOfBoundsException.class, () -> strings.get(3));
        assertEquals("array<string>[3] [\"a\", \"\", \"ü€😀\"]", strings.toString());
    }

    @Test
    void arraysAreEqualByContent() {
        assertEquals(
                GgufValue.stringArray(List.of("a", "bc")),
                GgufValue.stringArray(List.of("a", "bc")));
        assertNotEquals(
                GgufValue.stringArray(List.of("ab", "c")),
                GgufValue.stringArray(List.of("a", "bc")));
        assertNotEquals(
                GgufValue.array(GgufValueType.UINT8, GgufValue.uint8(1)),
                GgufValue.array(GgufValueType.INT8, GgufValue.int8(1)));
    }

    @Test
    void stringsWithoutUtf8FormAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> GgufValue.string("a\uD800b"));
        assertThrows(IllegalArgumentException.class, () -> GgufValue.string("\uDC00"));
        assertEquals("😀", GgufValue.string("\uD83D\uDE00").value());
    }
}
