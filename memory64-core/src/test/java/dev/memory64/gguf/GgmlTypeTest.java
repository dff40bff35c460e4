package dev.memory64.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GgmlTypeTest {

    /**
     * name -> {type number, block size, bytes per block}, as read in llama.cpp
     * (ggml-org/llama.cpp): gguf-py/gguf/constants.py at 0024aa7417efd50a7c2a79e049dfbbbceb0beaaf
     * (GGMLQuantizationType and GGML_QUANT_SIZES, NVFP4 (64, 4 + 32) and Q1_0 (128, 2 + 16)
     * included), and for Q2_0, newer than that constants.py, ggml/src/ggml-common.h at
     * 01243c587feceaa5d6a6c2305535ef2f549c48b8 ({@code QK2_0 64}, {@code block_q2_0} = ggml_half +
     * QK2_0 / 4) with GGML_TYPE_Q2_0 = 42 in ggml.h (src/llama-model-loader.cpp at
     * 00347649deb8a4cb47fa2a22007704174f9994e1 maps it).
     */
    private static final Map<String, int[]> GGML = new LinkedHashMap<>();

    static {
        GGML.put("F32", new int[] {0, 1, 4});
        GGML.put("F16", new int[] {1, 1, 2});
        GGML.put("Q4_0", new int[] {2, 32, 18});
        GGML.put("Q4_1", new int[] {3, 32, 20});
        GGML.put("Q5_0", new int[] {6, 32, 22});
        GGML.put("Q5_1", new int[] {7, 32, 24});
        GGML.put("Q8_0", new int[] {8, 32, 34});
        GGML.put("Q8_1", new int[] {9, 32, 36});
        GGML.put("Q2_K", new int[] {10, 256, 84});
        GGML.put("Q3_K", new int[] {11, 256, 110});
        GGML.put("Q4_K", new int[] {12, 256, 144});
        GGML.put("Q5_K", new int[] {13, 256, 176});
        GGML.put("Q6_K", new int[] {14, 256, 210});
        GGML.put("Q8_K", new int[] {15, 256, 292});
        GGML.put("IQ2_XXS", new int[] {16, 256, 66});
        GGML.put("IQ2_XS", new int[] {17, 256, 74});
        GGML.put("IQ3_XXS", new int[] {18, 256, 98});
        GGML.put("IQ1_S", new int[] {19, 256, 50});
        GGML.put("IQ4_NL", new int[] {20, 32, 18});
        GGML.put("IQ3_S", new int[] {21, 256, 110});
        GGML.put("IQ2_S", new int[] {22, 256, 82});
        GGML.put("IQ4_XS", new int[] {23, 256, 136});
        GGML.put("I8", new int[] {24, 1, 1});
        GGML.put("I16", new int[] {25, 1, 2});
        GGML.put("I32", new int[] {26, 1, 4});
        GGML.put("I64", new int[] {27, 1, 8});
        GGML.put("F64", new int[] {28, 1, 8});
        GGML.put("IQ1_M", new int[] {29, 256, 56});
        GGML.put("BF16", new int[] {30, 1, 2});
        GGML.put("TQ1_0", new int[] {34, 256, 54});
        GGML.put("TQ2_0", new int[] {35, 256, 66});
        GGML.put("MXFP4", new int[] {39, 32, 17});
        GGML.put("NVFP4", new int[] {40, 64, 4 + 32});
        GGML.put("Q1_0", new int[] {41, 128, 2 + 16});
        GGML.put("Q2_0", new int[] {42, 64, 2 + 16});
    }

    @Test
    void everyTypeHasGgmlsNumberAndBlockLayout() {
        assertEquals(
                GGML.keySet(),
                Arrays.stream(GgmlType.values())
                        .map(Enum::name)
                        .collect(Collectors.toCollection(LinkedHashSet::new)));
        for (GgmlType type : GgmlType.values()) {
            int[] expected = GGML.get(type.name());
            assertEquals(expected[0], type.id(), type + " id");
            assertEquals(expected[1], type.blockSize(), type + " block size");
            assertEquals(expected[2], type.bytesPerBlock(), type + " bytes per block");
            assertEquals(Optional.of(type), GgmlType.fromId(type.id()));
            assertEquals(expected[1] > 1, type.isQuantized());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 5, 31, 32, 33, 36, 37, 38, 43, 44, 1000, -1, Integer.MIN_VALUE})
    void removedAndUnknownTypeNumbersAreNotTypes(int id) {
        assertTrue(GgmlType.fromId(id).isEmpty());
    }

    @Test
    void byteSizeMatchesHandComputedValues() {
        // 4096 x 4096 Q4_0: 524288 blocks of 18 bytes.
        assertEquals(9_437_184L, GgmlType.Q4_0.byteSize(4096, 4096));
        // 4096 x 11008 Q4_K: 176128 super-blocks of 144 bytes.
        assertEquals(25_362_432L, GgmlType.Q4_K.byteSize(4096, 11008));
        // 32 x 3 x 2 Q8_0: 6 blocks of 34 bytes.
        assertEquals(204L, GgmlType.Q8_0.byteSize(32, 3, 2));
        // 256 x 2 TQ1_0: 2 blocks of 54 bytes.
        assertEquals(108L, GgmlType.TQ1_0.byteSize(256, 2));
        // 64 MXFP4: 2 blocks of 17 bytes.
        assertEquals(34L, GgmlType.MXFP4.byteSize(64));
        // 512 x 2 x 2 x 2 Q6_K: 16 blocks of 210 bytes.
        assertEquals(3360L, GgmlType.Q6_K.byteSize(512, 2, 2, 2));
        // 4096 x 2 NVFP4: 128 blocks of 36 bytes; 256 Q1_0: 2 blocks of 18; 128 Q2_0: 2 of 18.
        assertEquals(4608L, GgmlType.NVFP4.byteSize(4096, 2));
        assertEquals(36L, GgmlType.Q1_0.byteSize(256));
        assertEquals(36L, GgmlType.Q2_0.byteSize(128));
        assertEquals(20L, GgmlType.F16.byteSize(10));
        assertEquals(8L, GgmlType.F64.byteSize());
        assertEquals(3L, GgmlType.I8.byteSize(3));
    }

    @Test
    void byteSizeRejectsShapesGgmlCannotStore() {
        assertThrows(IllegalArgumentException.class, () -> GgmlType.Q4_0.byteSize(16, 2));
        assertThrows(IllegalArgumentException.class, () -> GgmlType.Q4_0.byteSize());
        assertThrows(IllegalArgumentException.class, () -> GgmlType.F32.byteSize(4, 0));
        assertThrows(IllegalArgumentException.class, () -> GgmlType.F32.byteSize(-1));
        assertThrows(IllegalArgumentException.class, () -> GgmlType.F32.byteSize(1, 1, 1, 1, 1));
        assertThrows(ArithmeticException.class, () -> GgmlType.F32.byteSize(1L << 32, 1L << 32));
        assertThrows(ArithmeticException.class, () -> GgmlType.F64.byteSize(1L << 62));
    }

    @Test
    void writerNamesTheTensorShapeAndTypeWhoseSizeOverflows() {
        GgufWriter.Builder builder = GgufWriter.builder();
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> builder.addSparseTensor("t", GgmlType.F32, new long[] {1L << 62}));
        assertEquals(
                "GGUF writer: tensor \"t\" of type F32 and shape [4611686018427387904]: its byte"
                        + " size overflows a long",
                e.getMessage());
        IllegalArgumentException row =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> builder.addSparseTensor("q", GgmlType.NVFP4, new long[] {32, 2}));
        assertTrue(
                row.getMessage()
                        .startsWith("GGUF writer: tensor \"q\" of type NVFP4 and shape [32, 2]: "),
                row.getMessage());
        assertEquals(0, builder.build().tensors().size());
    }

    @Test
    void newTypesRoundTripThroughAFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("new-types.gguf");
        GgufWriter.builder()
                .addSparseTensor("a", GgmlType.NVFP4, new long[] {128, 3})
                .addSparseTensor("b", GgmlType.Q1_0, new long[] {384})
                .addSparseTensor("c", GgmlType.Q2_0, new long[] {64, 5})
                .build()
                .write(file);
        GgufFile read = GgufFile.read(file);
        assertEquals(GgmlType.NVFP4, read.tensor("a").orElseThrow().type());
        assertEquals(6 * 36L, read.tensor("a").orElseThrow().byteSize());
        assertEquals(3 * 18L, read.tensor("b").orElseThrow().byteSize());
        assertEquals(5 * 18L, read.tensor("c").orElseThrow().byteSize());
    }

    @Test
    void byteSizeIsElementsOverBlockSizeTimesBytesPerBlock() {
        qt().forAll(
                        integers().between(0, GgmlType.values().length - 1),
                        longs().between(1, 1 << 20),
                        longs().between(1, 1 << 20))
                .checkAssert(
                        (index, blocks, rows) -> {
                            GgmlType type = GgmlType.values()[index];
                            long size = type.byteSize(blocks * type.blockSize(), rows);
                            assertEquals(blocks * rows * type.bytesPerBlock(), size);
                            assertFalse(size <= 0);
                        });
    }
}
