package dev.memory64.gguf;

import java.util.Optional;

/**
 * The tensor data types of ggml, with their stable type numbers as stored in GGUF files and their
 * block layout.
 *
 * <p>ggml stores a tensor as blocks: {@link #blockSize()} consecutive elements of the first
 * dimension take {@link #bytesPerBlock()} bytes. Plain types (F32, F16, I8, ...) have blocks of one
 * element. The numbers and layouts match ggml's {@code enum ggml_type} (ggml.h), its block structs
 * ({@code ggml-common.h}) and gguf-py's {@code GGML_QUANT_SIZES}, as of llama.cpp with NVFP4 (40),
 * Q1_0 (41) and Q2_0 (42). Numbers 4 and 5 (the removed Q4_2 and Q4_3), 31-33 (Q4_0_4_4, Q4_0_4_8,
 * Q4_0_8_8) and 36-38 (IQ4_NL_4_4, ...) are no longer valid in GGUF files, and types added to ggml
 * after Q2_0 are not known here: {@link #fromId(int)} returns empty for all of them, and a file
 * using one fails to read with an error naming the tensor and the number.
 */
public enum GgmlType {
    /** 32-bit IEEE float. */
    F32(0, 1, 4),
    /** 16-bit IEEE float. */
    F16(1, 1, 2),
    /** 4-bit quantization, one fp16 scale per 32 elements. */
    Q4_0(2, 32, 18),
    /** 4-bit quantization, fp16 scale and minimum per 32 elements. */
    Q4_1(3, 32, 20),
    /** 5-bit quantization, one fp16 scale per 32 elements. */
    Q5_0(6, 32, 22),
    /** 5-bit quantization, fp16 scale and minimum per 32 elements. */
    Q5_1(7, 32, 24),
    /** 8-bit quantization, one fp16 scale per 32 elements. */
    Q8_0(8, 32, 34),
    /** 8-bit quantization, fp16 scale and sum per 32 elements. */
    Q8_1(9, 32, 36),
    /** 2-bit k-quant, super-blocks of 256 elements. */
    Q2_K(10, 256, 84),
    /** 3-bit k-quant, super-blocks of 256 elements. */
    Q3_K(11, 256, 110),
    /** 4-bit k-quant, super-blocks of 256 elements. */
    Q4_K(12, 256, 144),
    /** 5-bit k-quant, super-blocks of 256 elements. */
    Q5_K(13, 256, 176),
    /** 6-bit k-quant, super-blocks of 256 elements. */
    Q6_K(14, 256, 210),
    /** 8-bit k-quant (intermediate type), super-blocks of 256 elements. */
    Q8_K(15, 256, 292),
    /** 2.0625 bits per weight i-quant. */
    IQ2_XXS(16, 256, 66),
    /** 2.3125 bits per weight i-quant. */
    IQ2_XS(17, 256, 74),
    /** 3.0625 bits per weight i-quant. */
    IQ3_XXS(18, 256, 98),
    /** 1.5625 bits per weight i-quant. */
    IQ1_S(19, 256, 50),
    /** 4.5 bits per weight non-linear quant, blocks of 32. */
    IQ4_NL(20, 32, 18),
    /** 3.4375 bits per weight i-quant. */
    IQ3_S(21, 256, 110),
    /** 2.5625 bits per weight i-quant. */
    IQ2_S(22, 256, 82),
    /** 4.25 bits per weight non-linear quant, super-blocks of 256. */
    IQ4_XS(23, 256, 136),
    /** 8-bit signed integer. */
    I8(24, 1, 1),
    /** 16-bit signed integer. */
    I16(25, 1, 2),
    /** 32-bit signed integer. */
    I32(26, 1, 4),
    /** 64-bit signed integer. */
    I64(27, 1, 8),
    /** 64-bit IEEE float. */
    F64(28, 1, 8),
    /** 1.75 bits per weight i-quant. */
    IQ1_M(29, 256, 56),
    /** bfloat16. */
    BF16(30, 1, 2),
    /** Ternary quant, 1.6875 bits per weight. */
    TQ1_0(34, 256, 54),
    /** Ternary quant, 2.0625 bits per weight. */
    TQ2_0(35, 256, 66),
    /** Microscaling FP4: an E8M0 scale byte and 32 4-bit E2M1 values. */
    MXFP4(39, 32, 17),
    /** NVIDIA FP4: four UE4M3 scale bytes (one per 16 values) and 64 4-bit E2M1 values. */
    NVFP4(40, 64, 36),
    /** 1-bit quantization: an fp16 scale and one sign bit per value, blocks of 128. */
    Q1_0(41, 128, 18),
    /** 2-bit quantization: an fp16 scale and two bits per value, blocks of 64. */
    Q2_0(42, 64, 18);

    private static final GgmlType[] BY_ID = new GgmlType[43];

    static {
        for (GgmlType type : values()) {
            BY_ID[type.id] = type;
        }
    }

    private final int id;
    private final int blockSize;
    private final int bytesPerBlock;

    GgmlType(int id, int blockSize, int bytesPerBlock) {
        this.id = id;
        this.blockSize = blockSize;
        this.bytesPerBlock = bytesPerBlock;
    }

    /**
     * Returns the type's stable ggml number, the value of a tensor info's {@code type} field.
     *
     * @return the type number
     */
    public int id() {
        return id;
    }

    /**
     * Returns how many elements one block holds.
     *
     * @return the block size in elements (1 for plain types)
     */
    public int blockSize() {
        return blockSize;
    }

    /**
     * Returns how many bytes one block takes.
     *
     * @return the bytes per block
     */
    public int bytesPerBlock() {
        return bytesPerBlock;
    }

    /**
     * Tells whether the type is quantized, that is stores more than one element per block.
     *
     * @return true if {@link #blockSize()} is greater than 1
     */
    public boolean isQuantized() {
        return blockSize > 1;
    }

    /**
     * Looks a type up by its ggml number.
     *
     * @param id a type number, as read from a file (any int)
     * @return the type, or empty for a number that is not (or no longer) a GGUF tensor type
     */
    public static Optional<GgmlType> fromId(int id) {
        if (id < 0 || id >= BY_ID.length) {
            return Optional.empty();
        }
        return Optional.ofNullable(BY_ID[id]);
    }

    /**
     * Returns the number of bytes a tensor of this type and shape takes: {@code (element count /
     * blockSize()) * bytesPerBlock()}.
     *
     * @param dims the tensor's dimensions, {@code ne[0]} first (at most 4; none means one element)
     * @return the tensor's size in bytes
     * @throws IllegalArgumentException if there are more than 4 dimensions, a dimension is not
     *     positive, or {@code dims[0]} is not a multiple of {@link #blockSize()}
     * @throws ArithmeticException if the element count or the byte size overflows a {@code long}
     */
    public long byteSize(long... dims) {
        if (dims.length > GgufTensor.MAX_DIMS) {
            throw tooManyDims(dims.length);
        }
        long elements = 1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] <= 0) {
                throw notPositive(i, dims[i]);
            }
            elements = Math.multiplyExact(elements, dims[i]);
        }
        long rowElements = dims.length == 0 ? 1 : dims[0];
        if (rowElements % blockSize != 0) {
            throw partialBlock(rowElements);
        }
        return Math.multiplyExact(elements / blockSize, (long) bytesPerBlock);
    }

    // The refusals of byteSize, out of the method a model's open calls per tensor (small, it
    // compiles sooner and faster on a cold JVM).

    private IllegalArgumentException tooManyDims(int n) {
        return refused(": " + n + " dimensions, at most 4 allowed");
    }

    private IllegalArgumentException notPositive(int i, long dim) {
        return refused(": dims[" + i + "]=" + Long.toUnsignedString(dim) + " is not positive");
    }

    private IllegalArgumentException partialBlock(long rowElements) {
        return refused(
                ": dims[0]=" + rowElements + " is not a multiple of the block size " + blockSize);
    }

    private IllegalArgumentException refused(String why) {
        return new IllegalArgumentException("byteSize of " + this + why);
    }
}
