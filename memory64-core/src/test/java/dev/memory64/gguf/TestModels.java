package dev.memory64.gguf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Small GGUF models for tests, built with the writer. */
final class TestModels {

    private TestModels() {}

    /** Every metadata type, nested arrays, a vocabulary and a few tensors over six layers. */
    static GgufWriter.Builder rich() {
        GgufWriter.Builder builder =
                GgufWriter.builder()
                        .addMetadata("general.architecture", GgufValue.string("llama"))
                        .addMetadata("general.name", GgufValue.string("tiny ü€"))
                        .addMetadata("llama.block_count", GgufValue.uint32(2))
                        .addMetadata("llama.context_length", GgufValue.uint64(4096))
                        .addMetadata("llama.embedding_length", GgufValue.int32(32));
        addEveryType(builder);
        builder.addMetadata(
                        "tokenizer.ggml.tokens",
                        GgufValue.stringArray(List.of("<s>", "</s>", "a", "", "😀")))
                .addMetadata(
                        "tokenizer.ggml.scores",
                        GgufValue.array(
                                GgufValueType.FLOAT32,
                                GgufValue.float32(0f),
                                GgufValue.float32(-1.5f),
                                GgufValue.float32(Float.MAX_VALUE)));
        return builder.addTensor("token_embd.weight", GgmlType.F32, new long[] {8, 5}, data(160, 1))
                .addTensor("blk.0.attn_q.weight", GgmlType.Q8_0, new long[] {32, 2}, data(68, 2))
                .addTensor("blk.0.attn_norm.weight", GgmlType.F32, new long[] {8}, data(32, 3))
                .addTensor("blk.1.ffn_up.weight", GgmlType.Q4_K, new long[] {256}, data(144, 4))
                .addTensor("output_norm.weight", GgmlType.F16, new long[] {8}, data(16, 5))
                .addTensor("output.weight", GgmlType.Q4_0, new long[] {32, 5}, data(90, 6));
    }

    /** One metadata entry of each scalar type at its extremes, and arrays of each type. */
    static void addEveryType(GgufWriter.Builder builder) {
        builder.addMetadata("t.uint8", GgufValue.uint8(255))
                .addMetadata("t.int8", GgufValue.int8(-128))
                .addMetadata("t.uint16", GgufValue.uint16(65535))
                .addMetadata("t.int16", GgufValue.int16(-32768))
                .addMetadata("t.uint32", GgufValue.uint32(0xFFFF_FFFFL))
                .addMetadata("t.int32", GgufValue.int32(Integer.MIN_VALUE))
                .addMetadata("t.float32", GgufValue.float32(-0.25f))
                .addMetadata("t.bool", GgufValue.bool(true))
                .addMetadata("t.string", GgufValue.string("hello, wörld"))
                .addMetadata("t.uint64", GgufValue.uint64(-1L))
                .addMetadata("t.int64", GgufValue.int64(Long.MIN_VALUE))
                .addMetadata("t.float64", GgufValue.float64(Math.PI))
                .addMetadata("t.empty_string", GgufValue.string(""))
                .addMetadata(
                        "t.array.uint8",
                        GgufValue.array(
                                GgufValueType.UINT8, GgufValue.uint8(0), GgufValue.uint8(255)))
                .addMetadata(
                        "t.array.int8",
                        GgufValue.array(
                                GgufValueType.INT8, GgufValue.int8(-128), GgufValue.int8(127)))
                .addMetadata(
                        "t.array.uint16",
                        GgufValue.array(GgufValueType.UINT16, GgufValue.uint16(65535)))
                .addMetadata(
                        "t.array.int16", GgufValue.array(GgufValueType.INT16, GgufValue.int16(-2)))
                .addMetadata(
                        "t.array.uint32",
                        GgufValue.array(GgufValueType.UINT32, GgufValue.uint32(0xFFFF_FFFFL)))
                .addMetadata(
                        "t.array.int32", GgufValue.array(GgufValueType.INT32, GgufValue.int32(-7)))
                .addMetadata(
                        "t.array.float32",
                        GgufValue.array(GgufValueType.FLOAT32, GgufValue.float32(1e-30f)))
                .addMetadata(
                        "t.array.bool",
                        GgufValue.array(
                                GgufValueType.BOOL, GgufValue.bool(false), GgufValue.bool(true)))
                .addMetadata("t.array.string", GgufValue.stringArray(List.of("x", "", "yz")))
                .addMetadata(
                        "t.array.uint64",
                        GgufValue.array(GgufValueType.UINT64, GgufValue.uint64(1L << 63)))
                .addMetadata(
                        "t.array.int64", GgufValue.array(GgufValueType.INT64, GgufValue.int64(-3)))
                .addMetadata(
                        "t.array.float64",
                        GgufValue.array(GgufValueType.FLOAT64, GgufValue.float64(-1e300)))
                .addMetadata("t.array.empty", GgufValue.array(GgufValueType.INT32, List.of()))
                .addMetadata(
                        "t.array.nested",
                        GgufValue.array(
                                GgufValueType.ARRAY,
                                GgufValue.array(
                                        GgufValueType.ARRAY,
                                        GgufValue.stringArray(List.of("deep")),
                                        GgufValue.array(GgufValueType.UINT8, GgufValue.uint8(3))),
                                GgufValue.array(GgufValueType.BOOL, GgufValue.bool(true)),
                                GgufValue.array(GgufValueType.STRING, List.of())));
    }

    /** The bytes of the {@link #rich} model's file, written under {@code dir} as {@code name}. */
    static byte[] richBytes(Path dir, String name) throws IOException {
        Path path = dir.resolve(name);
        rich().build().write(path);
        return Files.readAllBytes(path);
    }

    /**
     * A sparse llama model of 512 MiB F32 tensors ({@code [4096, 32768]}): {@code token_embd}, one
     * {@code blk.N.ffn_up} per block, {@code output}; holes but for the header.
     */
    static GgufWriter sparseLlama(int blocks) {
        long[] dims = {4096, 32768};
        GgufWriter.Builder builder =
                GgufWriter.builder()
                        .addMetadata("general.architecture", GgufValue.string("llama"))
                        .addMetadata("llama.block_count", GgufValue.uint32(blocks))
                        .addSparseTensor("token_embd.weight", GgmlType.F32, dims);
        for (int block = 0; block < blocks; block++) {
            builder.addSparseTensor("blk." + block + ".ffn_up.weight", GgmlType.F32, dims);
        }
        return builder.addSparseTensor("output.weight", GgmlType.F32, dims).build();
    }

    /** {@code size} bytes of a pattern that differs per {@code seed}. */
    static byte[] data(int size, int seed) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (seed * 31 + i * 7);
        }
        return bytes;
    }
}
