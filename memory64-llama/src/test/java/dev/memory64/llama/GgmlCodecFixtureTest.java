package dev.memory64.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.memory64.gguf.GgmlType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The codecs against llama.cpp's reference, gguf-py's {@code quants.py}: the fixtures in {@code
 * src/test/resources/quants/} (see its README for how they were made).
 */
class GgmlCodecFixtureTest {

    static final Path FIXTURES = Path.of("src", "test", "resources", "quants");

    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q5_0", "Q4_K", "Q5_K", "Q6_K"})
    void dequantizesBitForBitAsQuantsPy(GgmlType type) throws IOException {
        byte[] quantized = Files.readAllBytes(FIXTURES.resolve(type + ".quant.bin"));
        int[] expected = floatBits(Files.readAllBytes(FIXTURES.resolve(type + ".dequant.f32")));

        float[] actual = GgmlCodec.of(type).dequantize(quantized);

        assertEquals(512, expected.length);
        assertArrayEquals(expected, bits(actual), type + " dequantized floats differ");
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q5_0"})
    void quantizesToTheSameBytesAsQuantsPy(GgmlType type) throws IOException {
        float[] input = floats(Files.readAllBytes(FIXTURES.resolve(type + ".input.f32")));
        byte[] expected = Files.readAllBytes(FIXTURES.resolve(type + ".quant.bin"));

        byte[] actual = GgmlCodec.of(type).quantize(input);

        assertEquals(512, input.length);
        assertArrayEquals(expected, actual, type + " quantized bytes differ");
    }

    static int[] floatBits(byte[] bytes) {
        int[] out = new int[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(out);
        return out;
    }

    static float[] floats(byte[] bytes) {
        float[] out = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    static int[] bits(float[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Float.floatToRawIntBits(values[i]);
        }
        return out;
    }
}
