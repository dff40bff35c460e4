package dev.memory64;

import dev.memory64.internal.Utf8;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * One value of a model's {@link ModelMetadata}: its type, and its bytes in the one encoding that
 * guests read through {@code memory64_metadata_info} and {@code memory64_metadata_read} (see {@code
 * docs/ABI.md}).
 *
 * <p>Types are numbered as GGUF numbers them ({@link #UINT8} 0 to {@link #FLOAT64} 12). The
 * encoding is GGUF's value encoding without the type and, for strings and arrays, without their
 * length: a scalar is its little-endian bytes (a {@code bool} one byte, 0 or 1); a string its UTF-8
 * bytes; an array of scalars its elements packed little-endian; an array of strings, per element, a
 * u64 byte length then the bytes; an array of arrays, per element, its u32 element type, its u64
 * count, then its encoding. A GGUF value is therefore a slice of its file's header, with no copy.
 *
 * <p>Values are immutable: {@link #encoding()} is a read-only segment.
 */
public final class MetadataValue {

    /** An unsigned 8-bit integer. */
    public static final int UINT8 = 0;

    /** A signed 8-bit integer. */
    public static final int INT8 = 1;

    /** An unsigned 16-bit integer. */
    public static final int UINT16 = 2;

    /** A signed 16-bit integer. */
    public static final int INT16 = 3;

    /** An unsigned 32-bit integer. */
    public static final int UINT32 = 4;

    /** A signed 32-bit integer. */
    public static final int INT32 = 5;

    /** An IEEE 754 binary32. */
    public static final int FLOAT32 = 6;

    /** A boolean: one byte, 0 or 1. */
    public static final int BOOL = 7;

    /** A UTF-8 string. */
    public static final int STRING = 8;

    /** An array of values of one type. */
    public static final int ARRAY = 9;

    /** An unsigned 64-bit integer. */
    public static final int UINT64 = 10;

    /** A signed 64-bit integer. */
    public static final int INT64 = 11;

    /** An IEEE 754 binary64. */
    public static final int FLOAT64 = 12;

    private final int type;
    private final int elementType;
    private final long count;
    private final MemorySegment encoding;

    private MetadataValue(int type, int elementType, long count, MemorySegment encoding) {
        this.type = type;
        this.elementType = elementType;
        this.count = count;
        this.encoding = encoding;
    }

    /**
     * Creates a value from its type and its encoding, which is checked against the type as far as
     * it can be without decoding elements: a scalar's size, an array of scalars' size against its
     * count. The segment is not copied: it must not change afterwards.
     *
     * @param type the type, {@link #UINT8} to {@link #FLOAT64}
     * @param elementType for an {@link #ARRAY}, its elements' type (not {@link #ARRAY} itself is
     *     allowed too); otherwise equal to {@code type}
     * @param count for an array, its element count; otherwise 1
     * @param encoding the value's bytes in the encoding described above
     * @return the value
     * @throws IllegalArgumentException if the types are unknown or disagree, the count is not 1 for
     *     a scalar or string or negative for an array, or the size does not match
     */
    public static MetadataValue of(int type, int elementType, long count, MemorySegment encoding) {
        Objects.requireNonNull(encoding, "encoding");
        checkType("type", type);
        checkType("elementType", elementType);
        long size = encoding.byteSize();
        if (type == ARRAY) {
            if (count < 0) {
                throw new IllegalArgumentException(
                        "metadata value: an array's count " + count + " is negative");
            }
            int width = width(elementType);
            if (width > 0 && count * width != size) {
                throw new IllegalArgumentException(
                        "metadata value: an array of "
                                + count
                                + " elements of type "
                                + elementType
                                + " takes "
                                + count * width
                                + " bytes, not "
                                + size);
            }
        } else {
            if (elementType != type || count != 1) {
                throw new IllegalArgumentException(
                        "metadata value: a value of type "
                                + type
                                + " has element type "
                                + type
                                + " and count 1, not "
                                + elementType
                                + " and "
                                + count);
            }
            int width = width(type);
            if (width > 0 && width != size) {
                throw new IllegalArgumentException(
                        "metadata value: type " + type + " takes " + width + " bytes, not " + size);
            }
            // Through a buffer view, not a memory layout (see ofStrings).
            if (type == BOOL && (encoding.asByteBuffer().get(0) & 0xFE) != 0) {
                throw new IllegalArgumentException(
                        "metadata value: a bool is 0 or 1, not "
                                + (encoding.asByteBuffer().get(0) & 0xFF));
            }
        }
        return new MetadataValue(type, elementType, count, encoding.asReadOnly());
    }

    /**
     * Creates a {@link #STRING}.
     *
     * @param text the text
     * @return the value
     * @throws IllegalArgumentException if the text holds an unpaired surrogate (no UTF-8 form)
     */
    public static MetadataValue ofString(String text) {
        Utf8.checkEncodable(Objects.requireNonNull(text, "text"));
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return new MetadataValue(STRING, STRING, 1, MemorySegment.ofArray(bytes).asReadOnly());
    }

    /**
     * Creates a {@link #UINT32}.
     *
     * @param value 0 to 2<sup>32</sup> - 1
     * @return the value
     * @throws IllegalArgumentException if {@code value} is out of range
     */
    public static MetadataValue ofUint32(long value) {
        if (value < 0 || value > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("metadata value: uint32 " + value + " out of range");
        }
        return scalar(UINT32, 4, value);
    }

    /**
     * Creates a {@link #UINT64}.
     *
     * @param value the value's 64 bits, read as unsigned
     * @return the value
     */
    public static MetadataValue ofUint64(long value) {
        return scalar(UINT64, 8, value);
    }

    /**
     * Creates an {@link #INT32}.
     *
     * @param value the value
     * @return the value
     */
    public static MetadataValue ofInt32(int value) {
        return scalar(INT32, 4, value);
    }

    /**
     * Creates a {@link #FLOAT32}.
     *
     * @param value the value
     * @return the value
     */
    public static MetadataValue ofFloat32(float value) {
        return scalar(FLOAT32, 4, Float.floatToRawIntBits(value));
    }

    /**
     * Creates a {@link #BOOL}.
     *
     * @param value the value
     * @return the value
     */
    public static MetadataValue ofBool(boolean value) {
        return scalar(BOOL, 1, value ? 1 : 0);
    }

    /**
     * Creates an {@link #ARRAY} of {@link #STRING}s.
     *
     * @param strings the strings
     * @return the value
     * @throws IllegalArgumentException if a string holds an unpaired surrogate
     */
    public static MetadataValue ofStrings(List<String> strings) {
        byte[][] parts = new byte[strings.size()][];
        long size = 0;
        for (int i = 0; i < parts.length; i++) {
            String text = Objects.requireNonNull(strings.get(i), "string");
            Utf8.checkEncodable(text);
            parts[i] = text.getBytes(StandardCharsets.UTF_8);
            size += Long.BYTES + parts[i].length;
        }
        // Into an array by hand: a memory layout's first access generates classes on a cold JVM,
        // which nothing else of a model's open needs.
        byte[] out = new byte[Math.toIntExact(size)];
        int at = 0;
        for (byte[] part : parts) {
            for (int i = 0; i < Long.BYTES; i++) {
                out[at + i] = (byte) ((long) part.length >>> (8 * i));
            }
            System.arraycopy(part, 0, out, at + Long.BYTES, part.length);
            at += Long.BYTES + part.length;
        }
        return new MetadataValue(
                ARRAY, STRING, parts.length, MemorySegment.ofArray(out).asReadOnly());
    }

    private static MetadataValue scalar(int type, int width, long bits) {
        byte[] bytes = new byte[width];
        for (int i = 0; i < width; i++) {
            bytes[i] = (byte) (bits >>> (8 * i));
        }
        return new MetadataValue(type, type, 1, MemorySegment.ofArray(bytes).asReadOnly());
    }

    /** A fixed-size type's width in bytes; 0 for a string or an array. */
    private static int width(int type) {
        return switch (type) {
            case UINT8, INT8, BOOL -> 1;
            case UINT16, INT16 -> 2;
            case UINT32, INT32, FLOAT32 -> 4;
            case UINT64, INT64, FLOAT64 -> 8;
            default -> 0;
        };
    }

    private static void checkType(String what, int type) {
        if (type < UINT8 || type > FLOAT64) {
            throw new IllegalArgumentException(
                    "metadata value: " + what + " " + type + " is not a type (0 to 12)");
        }
    }

    /**
     * Returns the value's type.
     *
     * @return {@link #UINT8} to {@link #FLOAT64}
     */
    public int type() {
        return type;
    }

    /**
     * Returns an array's element type, or the value's type for anything else.
     *
     * @return the element type
     */
    public int elementType() {
        return elementType;
    }

    /**
     * Returns an array's element count, or 1 for anything else.
     *
     * @return the count
     */
    public long count() {
        return count;
    }

    /**
     * Returns the size of the value's encoding in bytes.
     *
     * @return the size
     */
    public long size() {
        return encoding.byteSize();
    }

    /**
     * Returns the value's encoding.
     *
     * @return a read-only segment of {@link #size()} bytes
     */
    public MemorySegment encoding() {
        return encoding;
    }

    /** Returns the type, element type, count and size, e.g. {@code array<8>[512], 6240 bytes}. */
    @Override
    public String toString() {
        return (type == ARRAY ? "array<" + elementType + ">[" + count + "]" : "type " + type)
                + ", "
                + size()
                + " bytes";
    }
}
