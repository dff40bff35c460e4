package dev.memory64.bench.support;

import dev.memory64.gguf.GgmlType;
import dev.memory64.gguf.GgufValue;
import dev.memory64.gguf.GgufWriter;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A llama model in a GGUF file, as the demo's sample model and the large stream's model write it:
 * its hyperparameters, and its tensors with llama.cpp's names and shapes, the matrices of one type
 * and the norms F32.
 */
public final class LlamaTensors {

    private static final int BUFFER = 4 << 20;

    private LlamaTensors() {}

    /** Adds one tensor to a model being written. */
    @FunctionalInterface
    public interface Adder {
        /**
         * Adds a tensor.
         *
         * @param name its name
         * @param type its type
         * @param dims its shape, innermost first
         */
        void tensor(String name, GgmlType type, long... dims);
    }

    /**
     * A writer holding a llama model's architecture, name and hyperparameters, in this order, for
     * more metadata and the tensors.
     *
     * @param name {@code general.name}
     * @param blocks the number of transformer blocks
     * @param context the context length
     * @param embedding the embedding length
     * @param feedForward the feed-forward length
     * @return the writer
     */
    public static GgufWriter.Builder builder(
            String name, int blocks, long context, long embedding, long feedForward) {
        return GgufWriter.builder()
                .addMetadata("general.architecture", GgufValue.string("llama"))
                .addMetadata("general.name", GgufValue.string(name))
                .addMetadata("llama.block_count", GgufValue.uint32(blocks))
                .addMetadata("llama.context_length", GgufValue.uint32(context))
                .addMetadata("llama.embedding_length", GgufValue.uint32(embedding))
                .addMetadata("llama.feed_forward_length", GgufValue.uint32(feedForward));
    }

    /**
     * Adds a llama model's tensors in llama.cpp's order: the token embedding, each block's
     * attention and feed-forward, the output norm and the output.
     *
     * @param add where the tensors go
     * @param matrices the type of the 2-D tensors
     * @param blocks the number of transformer blocks
     * @param embedding the embedding length
     * @param feedForward the feed-forward length
     * @param vocabulary the vocabulary size
     */
    public static void add(
            Adder add,
            GgmlType matrices,
            int blocks,
            long embedding,
            long feedForward,
            long vocabulary) {
        add.tensor("token_embd.weight", matrices, embedding, vocabulary);
        for (int i = 0; i < blocks; i++) {
            String p = "blk." + i + ".";
            add.tensor(p + "attn_norm.weight", GgmlType.F32, embedding);
            add.tensor(p + "attn_q.weight", matrices, embedding, embedding);
            add.tensor(p + "attn_k.weight", matrices, embedding, embedding);
            add.tensor(p + "attn_v.weight", matrices, embedding, embedding);
            add.tensor(p + "attn_output.weight", matrices, embedding, embedding);
            add.tensor(p + "ffn_norm.weight", GgmlType.F32, embedding);
            add.tensor(p + "ffn_gate.weight", matrices, embedding, feedForward);
            add.tensor(p + "ffn_up.weight", matrices, embedding, feedForward);
            add.tensor(p + "ffn_down.weight", matrices, feedForward, embedding);
        }
        add.tensor("output_norm.weight", GgmlType.F32, embedding);
        add.tensor("output.weight", matrices, embedding, vocabulary);
    }

    /**
     * An adder of tensors whose content is {@link PseudoRandomBytes#fill}ed from a seed derived
     * from the name, all through one direct buffer (the file is written by one thread, tensor after
     * tensor), so that writing does not leave a GC's worth of direct buffers behind.
     *
     * @param builder the model being written
     * @param written incremented by every byte written, for progress
     * @return the adder
     */
    public static Adder pseudoRandom(GgufWriter.Builder builder, AtomicLong written) {
        ByteBuffer[] buffer = new ByteBuffer[1];
        return (name, type, dims) -> {
            long size = type.byteSize(dims);
            long seed = PseudoRandomBytes.seed(name);
            builder.addTensor(
                    name,
                    type,
                    dims,
                    channel -> {
                        if (buffer[0] == null) {
                            buffer[0] = ByteBuffer.allocateDirect(BUFFER);
                        }
                        PseudoRandomBytes.fill(channel, seed, size, written, buffer[0]);
                    });
        };
    }
}
