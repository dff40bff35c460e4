package dev.memory64.llama;

import dev.memory64.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * The {@link GgmlCodec}s, one small class per type. Each reads and writes one block at a time; the
 * block layouts are ggml's ({@code ggml-common.h}): a K-quant super-block of 256 elements splits
 * into sub-blocks of 32 (Q4_K, Q5_K) or 16 (Q6_K) elements with 6- or 8-bit scales.
 */
final class Codecs {

    static final Set<GgmlType> SUPPORTED =
            Collections.unmodifiableSet(
                    EnumSet.of(
                            GgmlType.F32,
                            GgmlType.F16,
                            GgmlType.BF16,
                            GgmlType.Q8_0,
                            GgmlType.Q4_0,
                            GgmlType.Q5_0,
                            GgmlType.Q4_K,
                            GgmlType.Q5_K,
                            GgmlType.Q6_K));

    private static final ValueLayout.OfShort I16 =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Codecs() {}

    static GgmlCodec of(GgmlType type) {
        return switch (type) {
            case F32 -> new F32Codec();
            case F16 -> new F16Codec();
            case BF16 -> new Bf16Codec();
            case Q8_0 -> new Q80Codec();
            case Q4_0 -> new LegacyQuantCodec(GgmlType.Q4_0, false);
            case Q5_0 -> new LegacyQuantCodec(GgmlType.Q5_0, true);
            case Q4_K -> new KQuantCodec(GgmlType.Q4_K, false);
            case Q5_K -> new KQuantCodec(GgmlType.Q5_K, true);
            case Q6_K -> new Q6KCodec();
            default ->
                    throw new IllegalArgumentException(
                            "GgmlCodec: type "
                                    + type
                                    + " is not supported; supported: "
                                    + SUPPORTED);
        };
    }

    /** The walk over whole blocks that every codec shares; a subclass codes one block. */
    private abstract static class BlockCodec implements GgmlCodec {
        private final GgmlType type;

        BlockCodec(GgmlType type) {
            this.type = type;
        }

        @Override
        public final GgmlType type() {
            return type;
        }

        @Override
        public final void dequantize(
                MemorySegment src, long srcOffset, float[] dst, int dstIndex, int count) {
            Objects.requireNonNull(src, "src");
            int blocks = blocks(count, dstIndex, dst.length, src, srcOffset);
            for (int b = 0; b < blocks; b++) {
                decode(
                        src,
                        srcOffset + (long) b * type.bytesPerBlock(),
                        dst,
                        dstIndex + b * type.blockSize());
            }
        }

        @Override
        public final void quantize(
                float[] src, int srcIndex, int count, MemorySegment dst, long dstOffset) {
            Objects.requireNonNull(dst, "dst");
            int blocks = blocks(count, srcIndex, src.length, dst, dstOffset);
            for (int b = 0; b < blocks; b++) {
                encode(
                        src,
                        srcIndex + b * type.blockSize(),
                        dst,
                        dstOffset + (long) b * type.bytesPerBlock());
            }
        }

        /**
         * The whole blocks of {@code count} values, checked against the floats' range from {@code
         * index} in an array of {@code length} and the blocks' bytes from {@code offset} in {@code
         * segment}.
         */
        private int blocks(int count, int index, int length, MemorySegment segment, long offset) {
            int blocks = blocks(count);
            Objects.checkFromIndexSize(index, count, length);
            Objects.checkFromIndexSize(
                    offset, (long) blocks * type.bytesPerBlock(), segment.byteSize());
            return blocks;
        }

        private int blocks(int count) {
            if (count < 0 || count % type.blockSize() != 0) {
                throw new IllegalArgumentException(
                        type
                                + ": count="
                                + count
                                + " is not a non-negative multiple of the block size "
                                + type.blockSize());
            }
            return count / type.blockSize();
        }

        abstract void decode(MemorySegment src, long at, float[] dst, int index);

        abstract void encode(float[] src, int index, MemorySegment dst, long at);

        @Override
        public String toString() {
            return "GgmlCodec[" + type + "]";
        }
    }

    // ---- shared block helpers ----

    static float half(MemorySegment src, long at) {
        return Float.float16ToFloat(src.get(I16, at));
    }

    static void putHalf(MemorySegment dst, long at, float value) {
        dst.set(I16, at, Float.floatToFloat16(value));
    }

    /** The float a value becomes once stored as fp16 (the scale a decoder will see). */
    static float roundTripHalf(float value) {
        return Float.float16ToFloat(Float.floatToFloat16(value));
    }

    static int u8(MemorySegment src, long at) {
        return src.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
    }

    static void putU8(MemorySegment dst, long at, int value) {
        dst.set(ValueLayout.JAVA_BYTE, at, (byte) value);
    }

    /** C's {@code roundf}: halves away from zero, exact for every float. */
    static float roundAway(float x) {
        float a = Math.abs(x);
        float floored = (float) Math.floor(a);
        float b = floored + (float) Math.floor(2 * (a - floored));
        return Math.copySign(b, x);
    }

    /** The first element of largest magnitude, with its sign. */
    private static float signedAbsMax(float[] src, int index, int n) {
        float best = 0;
        float bestAbs = -1;
        for (int i = 0; i < n; i++) {
            float v = src[index + i];
            if (Math.abs(v) > bestAbs) {
                bestAbs = Math.abs(v);
                best = v;
            }
        }
        return best;
    }

    // ---- plain types ----

    private static final class F32Codec extends BlockCodec {
        F32Codec() {
            super(GgmlType.F32);
        }

        @Override
        void decode(MemorySegment src, long at, float[] dst, int index) {
            dst[index] = src.get(F32, at);
        }

        @Override
        void encode(float[] src, int index, MemorySegment dst, long at) {
            dst.set(F32, at, src[index]);
        }
    }

    private static final class F16Codec extends BlockCodec {
        F16Codec() {
            super(GgmlType.F16);
        }

        @Override
        void decode(MemorySegment src, long at, float[] dst, int index) {
            dst[index] = half(src, at);
        }

        @Override
        void encode(float[] src, int index, MemorySegment dst, long at) {
            putHalf(dst, at, src[index]);
        }
    }

    private static final class Bf16Codec extends BlockCodec {
        Bf16Codec() {
            super(GgmlType.BF16);
        }

        @Override
        void decode(MemorySegment src, long at, float[] dst, int index) {
            dst[index] = Float.intBitsToFloat(src.get(I16, at) << 16);
        }

        @Override
        void encode(float[] src, int index, MemorySegment dst, long at) {
            int bits = Float.floatToRawIntBits(src[index]);
            int rounded;
            if ((bits & 0x7fffffff) > 0x7f800000) {
                rounded = (bits >>> 16) | 64; // a NaN stays a NaN, made quiet
            } else {
                // Round to nearest, ties to even, as ggml_compute_fp32_to_bf16.
                rounded = (int) (((bits & 0xffffffffL) + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
            }
            dst.set(I16, at, (short) rounded);
        }
    }

    // ---- blocks of 32 with one fp16 scale ----

    /** Q8_0: fp16 d, 32 int8; x = d * q. */
    private static final class Q80Codec extends BlockCodec {
        Q80Codec() {
            super(GgmlType.Q8_0);
        }

        @Override
        void decode(MemorySegment src, long at, float[] dst, int index) {
            float d = half(src, at);
            for (int j = 0; j < 32; j++) {
                dst[index + j] = src.get(ValueLayout.JAVA_BYTE, at + 2 + j) * d;
            }
        }

        @Override
        void encode(float[] src, int index, MemorySegment dst, long at) {
            float amax = 0;
            for (int j = 0; j < 32; j++) {
                amax = Math.max(amax, Math.abs(src[index + j]));
            }
            float d = amax / 127;
            float id = d == 0 ? 0 : 1 / d;
            putHalf(dst, at, d);
            for (int j = 0; j < 32; j++) {
                putU8(dst, at + 2 + j, (int) roundAway(src[index + j] * id));
            }
        }
    }

    /**
     * A 4-bit codec, or its 5-bit twin whose fifth bits stand before the nibbles: Q4_0 and Q5_0,
     * Q4_K and Q5_K.
     */
    private abstract static class NibbleCodec extends BlockCodec {
        /** Whether the type has fifth bits (Q5_0, Q5_K). */
        final boolean fifthBit;

        /** Where the nibbles start in a block. */
        final int nibbles;

        NibbleCodec(GgmlType type, boolean fifthBit, int nibbles) {
            super(type);
            this.fifthBit = fifthBit;
            this.nibbles = nibbles;
        }
    }

    /**
     * Q4_0 and Q5_0. Q4_0: fp16 d, 16 bytes of nibbles (low: elements 0-15, high: 16-31); x = d *
     * (q - 8). Q5_0: fp16 d, a u32 of fifth bits (bit j for element j), then the nibbles as Q4_0; x
     * = d * (q - 16).
     */
    private static final class LegacyQuantCodec extends NibbleCodec {
        private final int zero;

        LegacyQuantCodec(GgmlType type, boolean fifthBit) {
            super(type, fifthBit, fifthBit ? 6 : 2);
            this.zero = fifthBit ? 16 : 8;
        }

        @Override
        void decode(MemorySegment src, long at, float[] dst, int index) {
            float d = half(src, at);
            int qh = fifthBit ? src.get(I32, at + 2) : 0;
            for (int j = 0; j < 16; j++) {
                int b = u8(src, at + nibbles + j);
                int lo = (b & 0x0F) | (((qh >>> j) & 1) << 4);
                int hi = (b >> 4) | (((qh >>> (j + 16)) & 1) << 4);
                dst[index + j] = d * (lo - zero);
                dst[index + j + 16] = d * (hi - zero);
            }
        }

        @Override
        void encode(float[] src, int index, MemorySegment dst, long at) {
            float max = signedAbsMax(src, index, 32);
            float d = max / -zero;
            float id = d == 0 ? 0 : 1 / d;
            putHalf(dst, at, d);
            int qh = 0;
            int[] q = new int[32];
            for (int j = 0; j < 32; j++) {
                // zero + 0.5f is exact: 8.5 or 16.5, as ggml rounds.
                q[j] = Math.min(2 * zero - 1, (int) (src[index + j] * id + (zero + 0.5f)));
                qh |= ((q[j] >> 4) & 1) << j;
            }
            if (fifthBit) {
                dst.set(I32, at + 2, qh);
            }
            for (int j = 0; j < 16; j++) {
                putU8(dst, at + nibbles + j, (q[j] & 0x0F) | ((q[j + 16] & 0x0F) << 4));
            }
        }
    }

    // ---- K-quants: super-blocks of 256 ----

    /**
     * The 6-bit scales and minimums of Q4_K and Q5_K, 8 of each in 12 bytes: bytes 0-3 hold scales
     * 0-3 in their low 6 bits, bytes 4-7 minimums 0-3; scales and minimums 4-7 keep their low 4
     * bits in bytes 8-11 (scale low, minimum high) and their top 2 bits in the top bits of bytes
     * 0-3 and 4-7.
     */
    static int scale6(MemorySegment src, long scales, int j) {
        if (j < 4) {
            return u8(src, scales + j) & 63;
        }
        return (u8(src, scales + j + 4) & 0x0F) | ((u8(src, scales + j - 4) >> 6) << 4);
    }

    static int min6(MemorySegment src, long scales, int j) {
        if (j < 4) {
            return u8(src, scales + j + 4) & 63;
        }
        return (u8(src, scales + j + 4) >> 4) | ((u8(src, scales + j) >> 6) << 4);
    }

    static void putScales6(MemorySegment dst, long scales, int[] sc, int[] m) {
        for (int j = 0; j < 4; j++) {
            putU8(dst, scales + j, sc[j] | ((sc[j + 4] >> 4) << 6));
            putU8(dst, scales + j + 4, m[j] | ((m[j + 4] >> 4) << 6));
            putU8(dst, scales + j + 8, (sc[j + 4] & 0x0F) | ((m[j + 4] & 0x0F) << 4));
        }
    }

    /**
     * The simple asymmetric K-quantiser of Q4_K and Q5_K: per sub-block of 32 a step from its range
     * (with 0 inside it) and its minimum, both 6-bit multiples of the super-block's fp16 scales.
     * Fills {@code q} with the levels, 0 to {@code levels}.
     */
    static void encodeAsymmetric(
            float[] src, int index, int levels, MemorySegment dst, long at, int[] q) {
        float[] steps = new float[8];
        float[] mins = new float[8];
        float maxStep = 0;
        float maxMin = 0;
        for (int s = 0; s < 8; s++) {
            float lo = 0;
            float hi = 0;
            for (int l = 0; l < 32; l++) {
                float v = src[index + s * 32 + l];
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            steps[s] = (hi - lo) / levels;
            mins[s] = -lo;
            maxStep = Math.max(maxStep, steps[s]);
            maxMin = Math.max(maxMin, mins[s]);
        }
        float d = roundTripHalf(maxStep / 63);
        float dmin = roundTripHalf(maxMin / 63);
        putHalf(dst, at, d);
        putHalf(dst, at + 2, dmin);
        int[] sc = new int[8];
        int[] m = new int[8];
        for (int s = 0; s < 8; s++) {
            // Round the step up, so that the range still fits in the levels.
            sc[s] = d == 0 ? 0 : Math.min(63, (int) Math.ceil(steps[s] / d));
            m[s] = dmin == 0 ? 0 : Math.min(63, (int) roundAway(mins[s] / dmin));
            float step = d * sc[s];
            float offset = dmin * m[s];
            for (int l = 0; l < 32; l++) {
                int level =
                        step == 0 ? 0 : (int) roundAway((src[index + s * 32 + l] + offset) / step);
                q[s * 32 + l] = Math.max(0, Math.min(levels, level));
            }
        }
        putScales6(dst, at + 4, sc, m);
    }

    /**
     * Q4_K and Q5_K. Q4_K: fp16 d, fp16 dmin, 12 bytes of scales, 128 bytes of nibbles: byte {@code
     * 32c + l} holds element {@code 64c + l} low and {@code 64c + 32 + l} high; x = d * sc * q -
     * dmin * m. Q5_K: the same with 32 bytes of fifth bits before the nibbles: bit {@code s} of
     * byte {@code l} belongs to element {@code 32s + l}.
     */
    private static final class KQuantCodec extends NibbleCodec {
        KQuantCodec(GgmlType type, boolean fifthBit) {
            super(type, fifthBit, fifthBit ? 48 : 16);
        }

        @Override
        void decode(MemorySegment src, long at, float[] dst, int index) {
            float d = half(src, at);
            float dmin = half(src, at + 2);
            for (int s = 0; s < 8; s++) {
                float step = d * scale6(src, at + 4, s);
                float offset = dmin * min6(src, at + 4, s);
                int shift = (s & 1) * 4;
                long qs = at + nibbles + (s >> 1) * 32;
                for (int l = 0; l < 32; l++) {
                    int q = (u8(src, qs + l) >> shift) & 0x0F;
                    if (fifthBit) {
                        q |= ((u8(src, at + 16 + l) >> s) & 1) << 4;
                    }
                    dst[index + s * 32 + l] = step * q - offset;
                }
            }
        }

        @Override
        void encode(float[] src, int index, MemorySegment dst, long at) {
            int[] q = new int[256];
            encodeAsymmetric(src, index, fifthBit ? 31 : 15, dst, at, q);
            if (fifthBit) {
                for (int l = 0; l < 32; l++) {
                    int bits = 0;
                    for (int s = 0; s < 8; s++) {
                        bits |= ((q[s * 32 + l] >> 4) & 1) << s;
                    }
                    putU8(dst, at + 16 + l, bits);
                }
            }
            for (int c = 0; c < 4; c++) {
                for (int l = 0; l < 32; l++) {
                    int lo = q[c * 64 + l] & 0x0F;
                    int hi = q[c * 64 + 32 + l] & 0x0F;
                    putU8(dst, at + nibbles + c * 32 + l, lo | (hi << 4));
                }
            }
        }
    }

    /**
     * Q6_K: 128 bytes of low nibbles, 64 bytes of high 2-bit pairs, 16 int8 scales (one per 16
     * elements), fp16 d; x = d * scale * (q - 32). In each half {@code h} of 128 elements, low
     * nibble byte {@code 64h + k} holds elements {@code 128h + k} (low) and {@code 128h + 64 + k}
     * (high); high-bits byte {@code 32h + l} holds elements {@code 128h + 32i + l}, i = 0..3, at
     * bits {@code 2i}.
     */
    private static final class Q6KCodec extends BlockCodec {
        Q6KCodec() {
            super(GgmlType.Q6_K);
        }

        @Override
        void decode(MemorySegment src, long at, float[] dst, int index) {
            float d = half(src, at + 208);
            for (int e = 0; e < 256; e++) {
                int h = e >> 7;
                int within = e & 127;
                int lo = (u8(src, at + h * 64 + (within & 63)) >> ((within >> 6) * 4)) & 0x0F;
                int hi = (u8(src, at + 128 + h * 32 + (within & 31)) >> ((within >> 5) * 2)) & 3;
                float scale = d * src.get(ValueLayout.JAVA_BYTE, at + 192 + (e >> 4));
                dst[index + e] = scale * ((lo | (hi << 4)) - 32);
            }
        }

        @Override
        void encode(float[] src, int index, MemorySegment dst, long at) {
            float[] steps = new float[16];
            float maxStep = 0;
            for (int s = 0; s < 16; s++) {
                float amax = 0;
                for (int l = 0; l < 16; l++) {
                    amax = Math.max(amax, Math.abs(src[index + s * 16 + l]));
                }
                steps[s] = amax / 31;
                maxStep = Math.max(maxStep, steps[s]);
            }
            float d = roundTripHalf(maxStep / 127);
            putHalf(dst, at + 208, d);
            int[] q = new int[256];
            for (int s = 0; s < 16; s++) {
                int sc = d == 0 ? 0 : Math.min(127, (int) Math.ceil(steps[s] / d));
                dst.set(ValueLayout.JAVA_BYTE, at + 192 + s, (byte) sc);
                float step = d * sc;
                for (int l = 0; l < 16; l++) {
                    int level = step == 0 ? 0 : (int) roundAway(src[index + s * 16 + l] / step);
                    q[s * 16 + l] = Math.max(-32, Math.min(31, level)) + 32;
                }
            }
            for (int h = 0; h < 2; h++) {
                for (int k = 0; k < 64; k++) {
                    int lo = q[h * 128 + k] & 0x0F;
                    int hi = q[h * 128 + 64 + k] & 0x0F;
                    putU8(dst, at + h * 64 + k, lo | (hi << 4));
                }
                for (int l = 0; l < 32; l++) {
                    int bits = 0;
                    for (int i = 0; i < 4; i++) {
                        bits |= ((q[h * 128 + 32 * i + l] >> 4) & 3) << (2 * i);
                    }
                    putU8(dst, at + 128 + h * 32 + l, bits);
                }
            }
        }
    }
}
