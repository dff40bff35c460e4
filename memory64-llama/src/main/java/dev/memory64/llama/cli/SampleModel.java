package dev.memory64.llama.cli;

import dev.memory64.gguf.GgmlType;
import dev.memory64.gguf.GgufValue;
import dev.memory64.gguf.GgufValueType;
import dev.memory64.gguf.GgufWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The sample model {@code scripts/generate.sh} runs where stories260K is absent: a small llama
 * model (2 blocks, width 64, 4 heads over 2 KV heads, feed-forward 172) with a SentencePiece-style
 * vocabulary of the special tokens, the 256 byte tokens, a space and the printable ASCII
 * characters, and random F32 weights from a fixed seed. It runs the whole inference path, but its
 * weights are random: it writes nonsense.
 */
final class SampleModel {
    static final int BLOCKS = 2;
    static final int DIM = 64;
    static final int HIDDEN = 172;
    static final int HEADS = 4;
    static final int KV_HEADS = 2;
    static final int CONTEXT = 256;

    private SampleModel() {}

    /** Writes the model to file (through a temporary file beside it, moved into place). */
    static void write(Path file) throws IOException {
        List<String> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        List<GgufValue> scores = new ArrayList<>();
        List<GgufValue> types = new ArrayList<>();
        scores.add(GgufValue.float32(0));
        scores.add(GgufValue.float32(0));
        scores.add(GgufValue.float32(0));
        types.add(GgufValue.int32(2)); // unknown
        types.add(GgufValue.int32(3)); // control
        types.add(GgufValue.int32(3));
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format(Locale.ROOT, "<0x%02X>", b));
            scores.add(GgufValue.float32(0));
            types.add(GgufValue.int32(6)); // byte
        }
        tokens.add("\u2581");
        scores.add(GgufValue.float32(-1));
        types.add(GgufValue.int32(1));
        for (char c = '!'; c <= '~'; c++) {
            tokens.add(String.valueOf(c));
            scores.add(GgufValue.float32(-2));
            types.add(GgufValue.int32(1)); // normal
        }
        int vocab = tokens.size();
        int kv = DIM / HEADS * KV_HEADS;
        SplittableRandom random = new SplittableRandom(0x5EED);
        GgufWriter.Builder gguf =
                GgufWriter.builder()
                        .addMetadata("general.architecture", GgufValue.string("llama"))
                        .addMetadata("general.name", GgufValue.string("memory64 sample (random)"))
                        .addMetadata("llama.block_count", GgufValue.uint32(BLOCKS))
                        .addMetadata("llama.context_length", GgufValue.uint32(CONTEXT))
                        .addMetadata("llama.embedding_length", GgufValue.uint32(DIM))
                        .addMetadata("llama.feed_forward_length", GgufValue.uint32(HIDDEN))
                        .addMetadata("llama.attention.head_count", GgufValue.uint32(HEADS))
                        .addMetadata("llama.attention.head_count_kv", GgufValue.uint32(KV_HEADS))
                        .addMetadata(
                                "llama.attention.layer_norm_rms_epsilon", GgufValue.float32(1e-5f))
                        .addMetadata("tokenizer.ggml.model", GgufValue.string("llama"))
                        .addMetadata("tokenizer.ggml.tokens", GgufValue.stringArray(tokens))
                        .addMetadata(
                                "tokenizer.ggml.scores",
                                GgufValue.array(GgufValueType.FLOAT32, scores))
                        .addMetadata(
                                "tokenizer.ggml.token_type",
                                GgufValue.array(GgufValueType.INT32, types))
                        .addMetadata("tokenizer.ggml.bos_token_id", GgufValue.uint32(1))
                        .addMetadata("tokenizer.ggml.eos_token_id", GgufValue.uint32(2));
        matrix(gguf, "token_embd.weight", DIM, vocab, random);
        for (int l = 0; l < BLOCKS; l++) {
            String blk = "blk." + l + ".";
            ones(gguf, blk + "attn_norm.weight", DIM);
            matrix(gguf, blk + "attn_q.weight", DIM, DIM, random);
            matrix(gguf, blk + "attn_k.weight", DIM, kv, random);
            matrix(gguf, blk + "attn_v.weight", DIM, kv, random);
            matrix(gguf, blk + "attn_output.weight", DIM, DIM, random);
            ones(gguf, blk + "ffn_norm.weight", DIM);
            matrix(gguf, blk + "ffn_gate.weight", DIM, HIDDEN, random);
            matrix(gguf, blk + "ffn_down.weight", HIDDEN, DIM, random);
            matrix(gguf, blk + "ffn_up.weight", DIM, HIDDEN, random);
        }
        ones(gguf, "output_norm.weight", DIM);
        Path temporary = Files.createTempFile(file.toAbsolutePath().getParent(), "sample", ".tmp");
        try {
            gguf.build().write(temporary);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    private static void matrix(
            GgufWriter.Builder gguf, String name, int cols, int rows, SplittableRandom random) {
        ByteBuffer data = ByteBuffer.allocate(cols * rows * 4).order(ByteOrder.LITTLE_ENDIAN);
        float scale = (float) (1 / Math.sqrt(cols));
        while (data.hasRemaining()) {
            data.putFloat((float) (random.nextDouble(-1, 1) * scale));
        }
        gguf.addTensor(name, GgmlType.F32, new long[] {cols, rows}, data.array());
    }

    private static void ones(GgufWriter.Builder gguf, String name, int size) {
        ByteBuffer data = ByteBuffer.allocate(size * 4).order(ByteOrder.LITTLE_ENDIAN);
        while (data.hasRemaining()) {
            data.putFloat(1);
        }
        gguf.addTensor(name, GgmlType.F32, new long[] {size}, data.array());
    }
}
