package dev.memory64.llama;

import dev.memory64.gguf.GgmlType;

/** The largest error of each type's round trip, for the tests of the converter and the writer. */
public final class QuantTolerance {

    private QuantTolerance() {}

    /**
     * The largest error of a type as a fraction of the largest magnitude in its block of 32: half a
     * rounding step of F16's and BF16's mantissas; for Q8_0 half a step of amax / 127 plus the
     * rounding of its fp16 scale; for Q4_0 and Q5_0, whose scale is the signed maximum over -8 or
     * -16, one whole step for the value of the other sign clamped at +7 or +15; for the K-quants a
     * step of their sub-block's range (at most 2 amax) over 15, 31 or 62 levels, plus 5% for their
     * 6- or 8-bit scales (GgmlCodecTest checks these bounds on their own).
     *
     * @param type the type
     * @return the bound, a fraction of the block's largest magnitude
     */
    public static double of(GgmlType type) {
        return switch (type) {
            case F32 -> 0;
            case F16 -> 0x1p-11;
            case BF16 -> 0x1p-8;
            case Q8_0 -> 0.5 / 127 + 0x1p-10;
            case Q4_0 -> 1.0 / 8 * 1.01;
            case Q5_0 -> 1.0 / 16 * 1.01;
            case Q4_K -> 2.0 / 15 * 1.05;
            case Q5_K -> 2.0 / 31 * 1.05;
            case Q6_K -> 2.0 / 62 * 1.05;
            default -> throw new IllegalArgumentException(type.toString());
        };
    }

    /**
     * Returns the first element, block of 32 by block, that lies further from its source than the
     * type's bound, as a message; or null if none does.
     *
     * @param type the type
     * @param source the values quantised
     * @param back what the blocks read back as
     * @return null, or what is wrong
     */
    public static String firstViolation(GgmlType type, float[] source, float[] back) {
        if (source.length != back.length) {
            return source.length + " values came back as " + back.length;
        }
        for (int block = 0; block < source.length / 32; block++) {
            float amax = 0;
            for (int i = block * 32; i < block * 32 + 32; i++) {
                amax = Math.max(amax, Math.abs(source[i]));
            }
            for (int i = block * 32; i < block * 32 + 32; i++) {
                if (Math.abs(source[i] - back[i]) > of(type) * amax) {
                    return type + " element " + i + ": " + source[i] + " read back as " + back[i];
                }
            }
        }
        return null;
    }
}
