package dev.memory64.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memory64.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** The codecs' own rules: error bounds of the quantisers, offsets, refusals. */
class GgmlCodecTest {

    /**
     * Every element comes back within one quantisation step of its sub-block (the step the
     * quantiser chose: range / levels, rounded up to a 6- or 8-bit multiple of an fp16 scale, so at
     * most a few percent above the ideal), and the root mean square error is about a third of a
     * step, as rounding to the nearest level gives.
     */
    @ParameterizedTest
    @CsvSource({"Q4_K, 32, 15, true", "Q5_K, 32, 31, true", "Q6_K, 16, 62, false"})
    void kQuantsComeBackWithinOneStep(GgmlType type, int subBlock, int levels, boolean withZero) {
        float[] x = gaussian(4096, 7, 1.0f);
        for (int i = 256; i < 512; i++) {
            x[i] *= 1e-3f; // a super-block of small values
        }
        for (int i = 512; i < 768; i++) {
            x[i] = Math.abs(x[i]) + 2; // a positive super-block: its minimum is not below zero
        }
        float[] y = GgmlCodec.of(type).dequantize(GgmlCodec.of(type).quantize(x));
        double squared = 0;
        double steps = 0;
        for (int s = 0; s < x.length / subBlock; s++) {
            float lo = withZero ? 0 : Float.MAX_VALUE;
            float hi = withZero ? 0 : -Float.MAX_VALUE;
            float amax = 0;
            for (int l = 0; l < subBlock; l++) {
                float v = x[s * subBlock + l];
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
                amax = Math.max(amax, Math.abs(v));
            }
            float step = withZero ? (hi - lo) / levels : 2 * amax / levels;
            for (int l = 0; l < subBlock; l++) {
                int i = s * subBlock + l;
                double error = Math.abs(x[i] - y[i]);
                assertTrue(
                        error <= 1.05 * step + 1e-6,
                        type + " element " + i + ": " + x[i] + " came back as " + y[i]);
                squared += error * error;
                steps += (double) step * step;
            }
        }
        double relativeRms = Math.sqrt(squared / steps);
        assertTrue(relativeRms < 0.45, type + " rms error " + relativeRms + " steps");
        assertTrue(relativeRms > 0.1, type + " rms error " + relativeRms + " steps: too good");
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q5_0", "Q4_K", "Q5_K", "Q6_K"})
    void quantizingItsOwnOutputAgainChangesLittle(GgmlType type) {
        GgmlCodec codec = GgmlCodec.of(type);
        float[] once = codec.dequantize(codec.quantize(gaussian(1024, 3, 0.05f)));
        float[] twice = codec.dequantize(codec.quantize(once));
        float amax = 0;
        for (float v : once) {
            amax = Math.max(amax, Math.abs(v));
        }
        for (int i = 0; i < once.length; i++) {
            assertTrue(
                    Math.abs(once[i] - twice[i]) <= amax / 8,
                    type + " element " + i + ": " + once[i] + " then " + twice[i]);
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q5_0", "Q4_K", "Q5_K", "Q6_K"})
    void codesAtOffsetsInsideLargerBuffers(GgmlType type) {
        GgmlCodec codec = GgmlCodec.of(type);
        int n = 2 * 256;
        float[] x = gaussian(n, 11, 1);
        byte[] alone = codec.quantize(x);
        float[] padded = new float[n + 7];
        System.arraycopy(x, 0, padded, 5, n);
        MemorySegment segment = MemorySegment.ofArray(new byte[alone.length + 13]);
        codec.quantize(padded, 5, n, segment, 13);
        assertArrayEquals(
                alone, segment.asSlice(13).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        float[] out = new float[n + 3];
        codec.dequantize(segment, 13, out, 3, n);
        float[] expected = codec.dequantize(alone);
        for (int i = 0; i < n; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(out[3 + i]));
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"Q8_0", "Q4_0", "Q5_0", "Q4_K", "Q5_K", "Q6_K"})
    void rejectsPartialBlocksAndRangesOutside(GgmlType type) {
        GgmlCodec codec = GgmlCodec.of(type);
        int block = type.blockSize();
        assertThrows(IllegalArgumentException.class, () -> codec.quantize(new float[block + 1]));
        assertThrows(IllegalArgumentException.class, () -> codec.dequantize(new byte[1]));
        MemorySegment small = MemorySegment.ofArray(new byte[type.bytesPerBlock() - 1]);
        assertThrows(
                IndexOutOfBoundsException.class,
                () -> codec.dequantize(small, 0, new float[block], 0, block));
        assertThrows(
                IndexOutOfBoundsException.class,
                () -> codec.quantize(new float[block], 1, block, small, 0));
    }

    @Test
    void refusesUnsupportedTypes() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> GgmlCodec.of(GgmlType.Q2_K));
        assertTrue(e.getMessage().contains("Q2_K"), e.getMessage());
        assertEquals(9, GgmlCodec.supportedTypes().size());
        for (GgmlType type : GgmlCodec.supportedTypes()) {
            assertEquals(type, GgmlCodec.of(type).type());
        }
    }

    static float[] gaussian(int n, long seed, float scale) {
        Random random = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextGaussian() * scale;
        }
        return x;
    }
}
