package dev.memory64.gguf;

import java.util.Optional;

/**
 * The types of GGUF metadata values, with their numbers as stored in the file.
 *
 * <p>All multi-byte values are little-endian. Strings are a {@code uint64} byte length followed by
 * that many bytes of UTF-8; arrays are a {@code uint32} element type, a {@code uint64} element
 * count and the elements, which may themselves be arrays.
 */
public enum GgufValueType {
    /** Unsigned 8-bit integer. */
    UINT8(0, "uint8", 1),
    /** Signed 8-bit integer. */
    INT8(1, "int8", 1),
    /** Unsigned 16-bit integer. */
    UINT16(2, "uint16", 2),
    /** Signed 16-bit integer. */
    INT16(3, "int16", 2),
    /** Unsigned 32-bit integer. */
    UINT32(4, "uint32", 4),
    /** Signed 32-bit integer. */
    INT32(5, "int32", 4),
    /** 32-bit IEEE float. */
    FLOAT32(6, "float32", 4),
    /** Boolean, one byte: 0 is false, 1 is true, anything else is invalid. */
    BOOL(7, "bool", 1),
    /** UTF-8 string with a {@code uint64} byte length. */
    STRING(8, "string", 0),
    /** Array of values of one type. */
    ARRAY(9, "array", 0),
    /** Unsigned 64-bit integer (held in a {@code long} read as unsigned). */
    UINT64(10, "uint64", 8),
    /** Signed 64-bit integer. */
    INT64(11, "int64", 8),
    /** 64-bit IEEE float. */
    FLOAT64(12, "float64", 8);

    private static final GgufValueType[] BY_ID = values();

    private final int id;
    private final String typeName;
    private final int fixedSize;

    GgufValueType(int id, String typeName, int fixedSize) {
        this.id = id;
        this.typeName = typeName;
        this.fixedSize = fixedSize;
    }

    /**
     * Returns the type's number in the file.
     *
     * @return the GGUF value type number, 0 to 12
     */
    public int id() {
        return id;
    }

    /**
     * Returns the type's name in the GGUF specification.
     *
     * @return the name, e.g. {@code "uint32"}
     */
    public String typeName() {
        return typeName;
    }

    /**
     * Returns the encoded size of one value of a fixed-size type.
     *
     * @return the size in bytes, or 0 for {@link #STRING} and {@link #ARRAY}
     */
    public int fixedSize() {
        return fixedSize;
    }

    /**
     * Tells whether the type is one of the eight integer types.
     *
     * @return true for {@code UINT8} to {@code INT32}, {@code UINT64} and {@code INT64}
     */
    public boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            default -> false;
        };
    }

    /**
     * Tells whether the type is an unsigned integer type.
     *
     * @return true for {@code UINT8}, {@code UINT16}, {@code UINT32} and {@code UINT64}
     */
    public boolean isUnsigned() {
        return this == UINT8 || this == UINT16 || this == UINT32 || this == UINT64;
    }

    /**
     * Tells whether the type is a floating-point type.
     *
     * @return true for {@code FLOAT32} and {@code FLOAT64}
     */
    public boolean isFloat() {
        return this == FLOAT32 || this == FLOAT64;
    }

    /**
     * Looks a type up by its number in the file.
     *
     * @param id a value type number, as read from a file (any int)
     * @return the type, or empty if the number is not a GGUF value type
     */
    public static Optional<GgufValueType> fromId(int id) {
        if (id < 0 || id >= BY_ID.length) {
            return Optional.empty();
        }
        return Optional.of(BY_ID[id]);
    }

    /**
     * Returns the smallest number of bytes one value of this type takes in a file.
     *
     * @return 8 for a string (its length), 12 for an array (element type and count), else the fixed
     *     size
     */
    int minEncodedSize() {
        return switch (this) {
            case STRING -> 8;
            case ARRAY -> 12;
            default -> fixedSize;
        };
    }
}
