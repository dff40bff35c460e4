package dev.memory64.llama.reference;

import dev.memory64.gguf.GgufValue;
import java.util.Map;
import java.util.Set;

/**
 * A llama-architecture model's hyperparameters, read from GGUF metadata as llama.cpp reads them:
 * keys under the model's {@code general.architecture} ({@code llama.block_count}, {@code
 * qwen2.embedding_length}, …), defaults where llama.cpp has them.
 *
 * <p>GGUF has no key for the RoPE layout: llama.cpp chooses it by architecture ({@code
 * llama_model_rope_type} in its {@code llama-model.cpp}). Adjacent pairs ({@code x[2i], x[2i+1]},
 * llama.cpp's "normal" rope, as llama2.c's {@code run.c}) for {@code llama} and its kin; the NeoX
 * layout ({@code x[i], x[i + n/2]}) for the architectures in {@link #NEOX_ARCHITECTURES}. The
 * synthetic models ({@link SyntheticLlama}) mark a NeoX model with {@code general.architecture =
 * qwen2}, as the inference guest reads it.
 *
 * @param architecture {@code general.architecture}
 * @param dim {@code ARCH.embedding_length}
 * @param hiddenDim {@code ARCH.feed_forward_length}
 * @param layers {@code ARCH.block_count}
 * @param heads {@code ARCH.attention.head_count}
 * @param kvHeads {@code ARCH.attention.head_count_kv} (default: {@code heads})
 * @param vocabSize the length of {@code tokenizer.ggml.tokens}
 * @param contextLength {@code ARCH.context_length} (default 2048)
 * @param ropeDimensions {@code ARCH.rope.dimension_count}: the leading dimensions of each head that
 *     RoPE rotates (default: the head size)
 * @param ropeBase {@code ARCH.rope.freq_base} (default 10000)
 * @param ropeNeox whether RoPE rotates in the NeoX layout (by architecture)
 * @param rmsEpsilon {@code ARCH.attention.layer_norm_rms_epsilon} (default 1e-5 as a float32)
 */
public record LlamaHyperparameters(
        String architecture,
        int dim,
        int hiddenDim,
        int layers,
        int heads,
        int kvHeads,
        int vocabSize,
        int contextLength,
        int ropeDimensions,
        double ropeBase,
        boolean ropeNeox,
        double rmsEpsilon) {

    /**
     * The architectures whose RoPE is the NeoX layout in llama.cpp (among those that share llama's
     * tensor names closely enough to matter here); the inference guest uses the same list.
     */
    public static final Set<String> NEOX_ARCHITECTURES =
            Set.of(
                    "qwen2",
                    "qwen2moe",
                    "qwen3",
                    "qwen3moe",
                    "phi2",
                    "phi3",
                    "gptneox",
                    "stablelm",
                    "falcon",
                    "gemma",
                    "gemma2",
                    "gemma3",
                    "starcoder2",
                    "olmo2");

    /**
     * Checks the shape.
     *
     * @throws IllegalArgumentException if a width or count is not positive, {@code dim} is not a
     *     multiple of {@code heads}, {@code heads} not a multiple of {@code kvHeads}, or {@code
     *     ropeDimensions} odd or larger than a head
     */
    public LlamaHyperparameters {
        if (dim <= 0
                || hiddenDim <= 0
                || layers <= 0
                || heads <= 0
                || kvHeads <= 0
                || vocabSize <= 0
                || contextLength <= 0
                || dim % heads != 0
                || heads % kvHeads != 0
                || ropeDimensions < 0
                || ropeDimensions % 2 != 0
                || ropeDimensions > dim / heads) {
            throw new IllegalArgumentException(
                    "llama hyperparameters "
                            + architecture
                            + ": dim="
                            + dim
                            + " hidden="
                            + hiddenDim
                            + " layers="
                            + layers
                            + " heads="
                            + heads
                            + " kv_heads="
                            + kvHeads
                            + " vocab="
                            + vocabSize
                            + " context="
                            + contextLength
                            + " rope_dims="
                            + ropeDimensions
                            + ": widths and counts must be positive, dim a multiple of heads,"
                            + " heads of kv_heads, rope_dims even and at most a head");
        }
    }

    /**
     * Reads them from a GGUF model's metadata.
     *
     * @param metadata the model's key/value pairs (a split model's first part)
     * @return the hyperparameters
     * @throws IllegalArgumentException if a required key is missing or has the wrong type, or the
     *     shape is invalid
     */
    public static LlamaHyperparameters of(Map<String, GgufValue> metadata) {
        String arch = string(metadata, "general.architecture");
        int heads = integer(metadata, arch + ".attention.head_count", -1);
        int dim = integer(metadata, arch + ".embedding_length", -1);
        GgufValue tokens = metadata.get("tokenizer.ggml.tokens");
        if (tokens == null) {
            throw new IllegalArgumentException("GGUF metadata: no tokenizer.ggml.tokens");
        }
        return new LlamaHyperparameters(
                arch,
                dim,
                integer(metadata, arch + ".feed_forward_length", -1),
                integer(metadata, arch + ".block_count", -1),
                heads,
                integer(metadata, arch + ".attention.head_count_kv", heads),
                tokens.asArray().size(),
                integer(metadata, arch + ".context_length", 2048),
                integer(metadata, arch + ".rope.dimension_count", heads > 0 ? dim / heads : 0),
                real(metadata, arch + ".rope.freq_base", 10000),
                NEOX_ARCHITECTURES.contains(arch),
                real(metadata, arch + ".attention.layer_norm_rms_epsilon", 1e-5f));
    }

    /**
     * Returns the width of one attention head.
     *
     * @return {@code dim / heads}
     */
    public int headSize() {
        return dim / heads;
    }

    /**
     * Returns the width of the keys and values.
     *
     * @return {@code headSize() * kvHeads}
     */
    public int kvDim() {
        return headSize() * kvHeads;
    }

    private static String string(Map<String, GgufValue> metadata, String key) {
        GgufValue value = metadata.get(key);
        if (value == null) {
            throw new IllegalArgumentException("GGUF metadata: no " + key);
        }
        return value.asString();
    }

    private static int integer(Map<String, GgufValue> metadata, String key, int fallback) {
        GgufValue value = metadata.get(key);
        if (value == null) {
            if (fallback < 0) {
                throw new IllegalArgumentException("GGUF metadata: no " + key);
            }
            return fallback;
        }
        long v = value.asLong();
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("GGUF metadata: " + key + " = " + v);
        }
        return (int) v;
    }

    private static double real(Map<String, GgufValue> metadata, String key, double fallback) {
        GgufValue value = metadata.get(key);
        return value == null ? fallback : value.asDouble();
    }
}
