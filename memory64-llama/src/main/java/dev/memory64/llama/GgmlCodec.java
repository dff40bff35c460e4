package dev.memory64.llama;

import dev.memory64.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.Set;

/**
 * Quantises floats into one of ggml's tensor types and dequantises them back, block by block, with
 * ggml's block layouts ({@code ggml-common.h}).
 *
 * <p>Dequantisation gives the same floats, bit for bit, as gguf-py's {@code quants.py} (llama.cpp's
 * Python reference): every product and difference is taken in {@code float} in the order it takes
 * them. Quantisation to F16, BF16, Q8_0, Q4_0 and Q5_0 gives the same bytes as {@code quants.py};
 * {@code quants.py} has no quantiser for Q4_K, Q5_K and Q6_K, and this one's for those types is a
 * simple one (a scale and a minimum per sub-block from its range, not ggml's iterative search): its
 * blocks are valid and read the same everywhere, only its error is larger than ggml's.
 *
 * <pre>{@code
 * GgmlCodec q8 = GgmlCodec.of(GgmlType.Q8_0);
 * byte[] blocks = q8.quantize(weights);        // weights.length a multiple of 32
 * float[] back = q8.dequantize(blocks);
 * }</pre>
 *
 * <p>Codecs are stateless and safe for use by many threads.
 */
public interface GgmlCodec {

    /**
     * Returns the codec of a type.
     *
     * @param type one of {@link #supportedTypes()}
     * @return its codec
     * @throws IllegalArgumentException if the type is not supported
     * @throws NullPointerException if {@code type} is null
     */
    static GgmlCodec of(GgmlType type) {
        return Codecs.of(Objects.requireNonNull(type, "type"));
    }

    /**
     * Returns the types this codec family reads and writes: F32, F16, BF16, Q8_0, Q4_0, Q5_0, Q4_K,
     * Q5_K and Q6_K.
     *
     * @return the supported types
     */
    static Set<GgmlType> supportedTypes() {
        return Codecs.SUPPORTED;
    }

    /**
     * Returns the type this codec reads and writes.
     *
     * @return the type
     */
    GgmlType type();

    /**
     * Dequantises {@code count} elements (whole blocks) starting at a block boundary.
     *
     * @param src the blocks
     * @param srcOffset the byte offset of the first block in {@code src}
     * @param dst where the floats go
     * @param dstIndex the index of the first float in {@code dst}
     * @param count how many elements, a multiple of the type's block size
     * @throws IllegalArgumentException if {@code count} is not a multiple of the block size
     * @throws IndexOutOfBoundsException if a range lies outside {@code src} or {@code dst}
     */
    void dequantize(MemorySegment src, long srcOffset, float[] dst, int dstIndex, int count);

    /**
     * Quantises {@code count} elements (whole blocks) into blocks.
     *
     * @param src the floats
     * @param srcIndex the index of the first float
     * @param count how many elements, a multiple of the type's block size
     * @param dst where the blocks go ({@code count / blockSize * bytesPerBlock} bytes)
     * @param dstOffset the byte offset of the first block in {@code dst}
     * @throws IllegalArgumentException if {@code count} is not a multiple of the block size
     * @throws IndexOutOfBoundsException if a range lies outside {@code src} or {@code dst}
     * @throws UnsupportedOperationException if {@code dst} is read-only
     */
    void quantize(float[] src, int srcIndex, int count, MemorySegment dst, long dstOffset);

    /**
     * Dequantises a whole byte array of blocks.
     *
     * @param blocks whole blocks of this type
     * @return the floats, {@code blocks.length / bytesPerBlock * blockSize} of them
     * @throws IllegalArgumentException if the length is not a multiple of the bytes per block
     */
    default float[] dequantize(byte[] blocks) {
        GgmlType type = type();
        if (blocks.length % type.bytesPerBlock() != 0) {
            throw new IllegalArgumentException(
                    "dequantize "
                            + type
                            + ": "
                            + blocks.length
                            + " bytes are not whole blocks of "
                            + type.bytesPerBlock());
        }
        float[] out = new float[blocks.length / type.bytesPerBlock() * type.blockSize()];
        dequantize(MemorySegment.ofArray(blocks), 0, out, 0, out.length);
        return out;
    }

    /**
     * Quantises a whole float array.
     *
     * @param values the floats, a multiple of the block size
     * @return the blocks
     * @throws IllegalArgumentException if the length is not a multiple of the block size
     */
    default byte[] quantize(float[] values) {
        if (values.length == 0) {
            return new byte[0];
        }
        byte[] out = new byte[Math.toIntExact(type().byteSize(values.length))];
        quantize(values, 0, values.length, MemorySegment.ofArray(out), 0);
        return out;
    }
}
