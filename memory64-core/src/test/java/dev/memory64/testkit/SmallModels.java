package dev.memory64.testkit;

import dev.memory64.gguf.GgmlType;
import dev.memory64.gguf.GgufValue;
import dev.memory64.gguf.GgufWriter;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Small llama-shaped GGUF models with real tensor bytes, for the tests of every module that need a
 * model with the usual layers: {@code token_embd}, four blocks of a Q8_0 {@code ffn_up} and an F32
 * {@code attn_norm}, and an F16 {@code output}.
 */
public final class SmallModels {

    private SmallModels() {}

    /**
     * A builder of a four-block llama model, ready to write or to extend.
     *
     * @param rows the rows of {@code token_embd} and {@code output} (256 columns each)
     * @param ffnRows the rows of each block's {@code ffn_up} (256 columns)
     * @return the builder
     */
    public static GgufWriter.Builder llama(int rows, int ffnRows) {
        GgufWriter.Builder builder =
                GgufWriter.builder()
                        .addMetadata("general.architecture", GgufValue.string("llama"))
                        .addMetadata("llama.block_count", GgufValue.uint32(4))
                        .addTensor(
                                "token_embd.weight",
                                GgmlType.F32,
                                new long[] {256, rows},
                                bytes(256 * rows * 4, 1));
        for (int b = 0; b < 4; b++) {
            builder.addTensor(
                            "blk." + b + ".ffn_up.weight",
                            GgmlType.Q8_0,
                            new long[] {256, ffnRows},
                            bytes(34 * 8 * ffnRows, 10 + b))
                    .addTensor(
                            "blk." + b + ".attn_norm.weight",
                            GgmlType.F32,
                            new long[] {256},
                            bytes(1024, 20 + b));
        }
        return builder.addTensor(
                "output.weight", GgmlType.F16, new long[] {256, rows}, bytes(256 * rows * 2, 30));
    }

    /**
     * Writes {@link #llama} of these sizes to a file.
     *
     * @param file the file
     * @param rows the rows of {@code token_embd} and {@code output}
     * @param ffnRows the rows of each block's {@code ffn_up}
     * @return the file
     * @throws IOException if it cannot be written
     */
    public static Path write(Path file, int rows, int ffnRows) throws IOException {
        llama(rows, ffnRows).build().write(file);
        return file;
    }

    /**
     * Deterministic bytes that differ by seed and by position.
     *
     * @param size how many bytes
     * @param seed what sets this array apart from another of the same size
     * @return the bytes
     */
    public static byte[] bytes(int size, int seed) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (seed * 31 + i * 7 + (i >>> 7));
        }
        return bytes;
    }
}
