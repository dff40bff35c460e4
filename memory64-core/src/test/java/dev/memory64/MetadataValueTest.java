package dev.memory64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link MetadataValue}'s factories and checks, and {@link ModelMetadata}'s lookups. */
class MetadataValueTest {

    private static byte[] bytes(MetadataValue value) {
        return value.encoding().toArray(ValueLayout.JAVA_BYTE);
    }

    @Test
    void factoriesEncodeAsDocsAbiSays() {
        assertArrayEquals(new byte[] {1, 2, 0, 0}, bytes(MetadataValue.ofUint32(0x201)));
        assertArrayEquals(new byte[] {-1, -1, -1, -1}, bytes(MetadataValue.ofInt32(-1)));
        assertArrayEquals(new byte[] {0, 0, -128, 63}, bytes(MetadataValue.ofFloat32(1f)));
        assertArrayEquals(new byte[] {1}, bytes(MetadataValue.ofBool(true)));
        assertArrayEquals(
                new byte[] {-1, -1, -1, -1, -1, -1, -1, -1}, bytes(MetadataValue.ofUint64(-1)));
        assertArrayEquals("ü".getBytes(StandardCharsets.UTF_8), bytes(MetadataValue.ofString("ü")));
        MetadataValue strings = MetadataValue.ofStrings(List.of("a", "", "bc"));
        assertArrayEquals(
                new byte[] {
                    1, 0, 0, 0, 0, 0, 0, 0, 'a', 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0,
                    'b', 'c'
                },
                bytes(strings));
        assertEquals(
                List.of(9, 8, 3L, 27L),
                List.of(strings.type(), strings.elementType(), strings.count(), strings.size()));
        assertTrue(MetadataValue.ofUint32(1).encoding().isReadOnly());
        assertEquals("array<8>[3], 27 bytes", strings.toString());
    }

    @Test
    void ofRefusesAnEncodingThatDisagreesWithItsType() {
        MemorySegment four = MemorySegment.ofArray(new byte[4]);
        assertEquals(4, MetadataValue.of(MetadataValue.UINT32, 4, 1, four).size());
        assertEquals(
                2, MetadataValue.of(MetadataValue.ARRAY, MetadataValue.UINT16, 2, four).count());
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        MetadataValue.of(
                                MetadataValue.BOOL, 7, 1, MemorySegment.ofArray(new byte[] {2})));
        assertThrows(IllegalArgumentException.class, () -> MetadataValue.ofUint32(-1));
        assertThrows(IllegalArgumentException.class, () -> MetadataValue.ofString("\uD800"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
                    13 is no type                          | 13 | 13 |  1
                    -1 is no type                          | -1 | -1 |  1
                    a uint64 takes 8 bytes, not 4          | 10 | 10 |  1
                    a scalar has its type as element type  |  4 |  5 |  1
                    a scalar has a count of 1              |  4 |  4 |  2
                    two uint32s take 8 bytes, not 4        |  9 |  4 |  2
                    a count is not negative                |  9 |  8 | -1
                    """)
    void ofRefusesFourBytesThatDisagreeWithTypeElementTypeAndCount(
            String rule, int type, int elementType, long count) {
        MemorySegment four = MemorySegment.ofArray(new byte[4]);
        assertThrows(
                IllegalArgumentException.class,
                () -> MetadataValue.of(type, elementType, count, four),
                rule);
    }

    @Test
    void metadataFindsKeysByUtf8BytesAndKeepsTheirOrder() {
        ModelMetadata metadata =
                ModelMetadata.builder()
                        .put("b", MetadataValue.ofBool(false))
                        .put("ä", MetadataValue.ofString("x"))
                        .put("b", MetadataValue.ofBool(true))
                        .build();
        assertEquals(List.of("b", "ä"), List.copyOf(metadata.keys()));
        byte[] key = "ä".getBytes(StandardCharsets.UTF_8);
        assertEquals(metadata.get("ä").orElseThrow(), metadata.find(key, key.length));
        assertNull(metadata.find(key, 1));
        assertNull(metadata.find(new byte[] {'b', 'x'}, 2));
        assertArrayEquals(new byte[] {1}, bytes(metadata.find(new byte[] {'b'}, 1)));
        assertTrue(ModelMetadata.builder().build().isEmpty());
        assertEquals("ModelMetadata[2 keys]", metadata.toString());
        assertThrows(
                IllegalArgumentException.class,
                () -> ModelMetadata.builder().put("\uDC00", MetadataValue.ofBool(true)));
        assertThrows(IndexOutOfBoundsException.class, () -> metadata.find(key, 3));
    }
}
