package dev.memory64.safetensors;

/**
 * The element types of safetensors, every one that the reference implementation ({@code
 * huggingface/safetensors}, its {@code Dtype}) defines, with their width in bits and the number
 * that the store's tensor table and the guest ABI's tensor record carry for them.
 *
 * <p>The numbers are GGML's where GGML has the type ({@link #F32} 0, {@link #F16} 1, {@link #BF16}
 * 30, {@link #I8} to {@link #I64} 24 to 27, {@link #F64} 28), so that a guest's type table serves
 * GGUF and safetensors alike; the types GGML lacks are numbered from 256 up, past any GGML number.
 */
public enum SafetensorsDtype {
    /** A boolean, one byte. */
    BOOL(8, 256),
    /** A 4-bit float (E2M1), two to a byte. */
    F4(4, 266),
    /** A 6-bit float, 2 exponent and 3 mantissa bits, packed. */
    F6_E2M3(6, 264),
    /** A 6-bit float, 3 exponent and 2 mantissa bits, packed. */
    F6_E3M2(6, 265),
    /** An unsigned 8-bit integer. */
    U8(8, 257),
    /** A signed 8-bit integer. */
    I8(8, 24),
    /** An 8-bit float, 5 exponent and 2 mantissa bits. */
    F8_E5M2(8, 262),
    /** An 8-bit float, 4 exponent and 3 mantissa bits. */
    F8_E4M3(8, 261),
    /** An 8-bit exponent-only scale (E8M0). */
    F8_E8M0(8, 263),
    /** A signed 16-bit integer. */
    I16(16, 25),
    /** An unsigned 16-bit integer. */
    U16(16, 258),
    /** An IEEE 754 binary16. */
    F16(16, 1),
    /** A bfloat16. */
    BF16(16, 30),
    /** A signed 32-bit integer. */
    I32(32, 26),
    /** An unsigned 32-bit integer. */
    U32(32, 259),
    /** An IEEE 754 binary32. */
    F32(32, 0),
    /** A complex number of two binary32 parts. */
    C64(64, 267),
    /** An IEEE 754 binary64. */
    F64(64, 28),
    /** A signed 64-bit integer. */
    I64(64, 27),
    /** An unsigned 64-bit integer. */
    U64(64, 260);

    private static final SafetensorsDtype[] VALUES = values();

    private final int bits;
    private final int typeId;

    SafetensorsDtype(int bits, int typeId) {
        this.bits = bits;
        this.typeId = typeId;
    }

    /**
     * Returns the width of one element.
     *
     * @return the bits, 4 to 64
     */
    public int bits() {
        return bits;
    }

    /**
     * Returns the number the store's tensor table ({@link dev.memory64.TensorInfo#type()}) and the
     * ABI's tensor record carry for this type.
     *
     * @return GGML's number where GGML has the type, else 256 or more
     */
    public int typeId() {
        return typeId;
    }

    /**
     * Returns the type a header names.
     *
     * @param name the name as the header spells it, e.g. {@code "BF16"}
     * @return the type, or null if the reference implementation defines no type of that name
     */
    public static SafetensorsDtype byName(String name) {
        for (SafetensorsDtype type : VALUES) {
            if (type.name().equals(name)) {
                return type;
            }
        }
        return null;
    }

    /**
     * Returns the type a store's tensor table numbers {@code typeId}.
     *
     * @param typeId a number {@link #typeId()} returns
     * @return the type, or null if none has that number
     */
    public static SafetensorsDtype byTypeId(int typeId) {
        for (SafetensorsDtype type : VALUES) {
            if (type.typeId == typeId) {
                return type;
            }
        }
        return null;
    }

    /**
     * Returns the bytes {@code elements} elements take, as the reference computes it: the bits must
     * fill whole bytes.
     *
     * @param elements the element count, not negative
     * @return the size in bytes, or -1 if the bits do not end on a byte boundary
     * @throws ArithmeticException if the size overflows a {@code long}
     */
    public long byteSize(long elements) {
        long totalBits = Math.multiplyExact(elements, (long) bits);
        return totalBits % 8 == 0 ? totalBits / 8 : -1;
    }
}
