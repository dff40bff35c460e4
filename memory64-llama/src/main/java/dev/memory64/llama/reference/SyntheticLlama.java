package dev.memory64.llama.reference;

import dev.memory64.gguf.GgmlType;
import dev.memory64.gguf.GgufValue;
import dev.memory64.gguf.GgufValueType;
import dev.memory64.gguf.GgufWriter;
import dev.memory64.llama.GgmlCodec;
import dev.memory64.llama.Llama2cConverter;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * A llama-architecture GGUF model of seeded random weights, for tests and measurements: any shape,
 * grouped-query attention ({@code kvHeads < heads}), a separate output head or tied embeddings (no
 * {@code output.weight}), the adjacent-pair or the NeoX RoPE layout, every weight type {@link
 * GgmlCodec} writes, one file or a split set whose blocks straddle its files.
 *
 * <p>Tensors, names and metadata keys are those of llama.cpp ({@code token_embd.weight}, {@code
 * blk.N.attn_q.weight}, …, {@code llama.block_count}, …, {@code tokenizer.ggml.*}); the 2-D weights
 * take {@link #type()}, or the Q4_K_M / Q5_K_M mix ({@link #tensorType(String, long...)}), norms
 * stay F32. A NeoX model is written with {@code general.architecture = qwen2} (its keys {@code
 * qwen2.*}), since llama.cpp chooses the RoPE layout by architecture ({@link
 * LlamaHyperparameters#NEOX_ARCHITECTURES}): a llama model under qwen2's name, without the
 * attention biases a real Qwen2 has.
 *
 * <p>Weights: each tensor from its own generator, seeded by {@link #seed()} and its name, so a
 * tensor's values do not depend on the others; matrices normal with standard deviation {@code
 * 1/sqrt(in)} (activations stay near unit size through the blocks), the token embedding and the
 * head {@code 2/sqrt(dim)} (logits spread over a few units, so that the argmax is seldom a near
 * tie, and a tied head does not just repeat the input token, whose embedding is then a small part
 * of the residual), norms {@code 1 + 0.1 N(0,1)}. {@link #sparse()} writes every tensor as a hole
 * instead (zeros, no disk space): for large shapes whose values do not matter. The vocabulary:
 * {@code <unk>}, {@code <s>}, {@code </s>}, the 256 byte tokens, then printable ASCII characters
 * and short letter pieces, SentencePiece-style ({@code tokenizer.ggml.model = llama}).
 *
 * <pre>{@code
 * SyntheticLlama model = SyntheticLlama.of(256, 512, 3, 8, 2, 400).withType(GgmlType.Q4_K);
 * Path file = model.write(dir.resolve("q4k.gguf"));
 * List<Path> parts = model.withRopeNeox(true).writeSplit(dir, "neox", 3);
 * }</pre>
 *
 * @param dim the embedding width
 * @param hiddenDim the feed-forward width
 * @param layers the number of blocks
 * @param heads the attention heads
 * @param kvHeads the key/value heads
 * @param vocabSize the vocabulary's size, at least 259 (specials and bytes)
 * @param contextLength {@code ARCH.context_length}
 * @param type the 2-D weights' type
 * @param tiedEmbeddings whether the head is the token embedding (no {@code output.weight})
 * @param ropeNeox whether RoPE rotates in the NeoX layout (architecture {@code qwen2})
 * @param seed the seed of every weight
 * @param sparse whether tensors are written as holes (zeros) instead of random values
 * @param kQuantMix with {@link #type()} Q4_K or Q5_K, whether to mix in Q6_K as llama.cpp's Q4_K_M
 *     and Q5_K_M do ({@link #tensorType(String, long...)})
 */
public record SyntheticLlama(
        int dim,
        int hiddenDim,
        int layers,
        int heads,
        int kvHeads,
        int vocabSize,
        int contextLength,
        GgmlType type,
        boolean tiedEmbeddings,
        boolean ropeNeox,
        long seed,
        boolean sparse,
        boolean kQuantMix) {

    /** The RMSNorm epsilon written ({@code ARCH.attention.layer_norm_rms_epsilon}). */
    public static final float RMS_EPSILON = 1e-5f;

    /** The RoPE base written ({@code ARCH.rope.freq_base}). */
    public static final float ROPE_BASE = 10000f;

    private static final int SPECIALS = 3;

    /**
     * Checks the shape.
     *
     * @throws IllegalArgumentException if the shape is invalid (as {@link LlamaHyperparameters}
     *     checks it), the vocabulary has fewer than 259 tokens, or the type is not one {@link
     *     GgmlCodec} writes
     */
    public SyntheticLlama {
        new LlamaHyperparameters(
                "llama",
                dim,
                hiddenDim,
                layers,
                heads,
                kvHeads,
                vocabSize,
                contextLength,
                heads > 0 ? dim / heads : 0,
                ROPE_BASE,
                ropeNeox,
                RMS_EPSILON);
        if (vocabSize < SPECIALS + 256) {
            throw new IllegalArgumentException(
                    "synthetic llama: vocabulary of "
                            + vocabSize
                            + " tokens; it needs at least 259 (3 specials, 256 bytes)");
        }
        GgmlCodec.of(type);
        if (kQuantMix && type != GgmlType.Q4_K && type != GgmlType.Q5_K) {
            throw new IllegalArgumentException(
                    "synthetic llama: the K-quant mix (Q4_K_M, Q5_K_M) needs type Q4_K or Q5_K, not "
                            + type);
        }
    }

    /**
     * A model of this shape: context 256, F32, a separate head, adjacent-pair RoPE, seed 1, real
     * values.
     *
     * @param dim the embedding width
     * @param hiddenDim the feed-forward width
     * @param layers the number of blocks
     * @param heads the attention heads
     * @param kvHeads the key/value heads
     * @param vocabSize the vocabulary's size, at least 259
     * @return the model
     * @throws IllegalArgumentException if the shape is invalid
     */
    public static SyntheticLlama of(
            int dim, int hiddenDim, int layers, int heads, int kvHeads, int vocabSize) {
        return new SyntheticLlama(
                dim,
                hiddenDim,
                layers,
                heads,
                kvHeads,
                vocabSize,
                256,
                GgmlType.F32,
                false,
                false,
                1,
                false,
                false);
    }

    /**
     * Returns a copy with another weight type.
     *
     * @param newType the 2-D weights' type
     * @return the copy
     * @throws IllegalArgumentException if {@link GgmlCodec} does not write the type, or the K-quant
     *     mix is on and the type is not Q4_K or Q5_K
     */
    public SyntheticLlama withType(GgmlType newType) {
        return copy(c -> c.type = newType);
    }

    /**
     * Returns a copy with or without tied embeddings.
     *
     * @param tied whether the head is the token embedding
     * @return the copy
     */
    public SyntheticLlama withTiedEmbeddings(boolean tied) {
        return copy(c -> c.tiedEmbeddings = tied);
    }

    /**
     * Returns a copy with the NeoX or the adjacent-pair RoPE layout.
     *
     * @param neox whether the NeoX layout
     * @return the copy
     */
    public SyntheticLlama withRopeNeox(boolean neox) {
        return copy(c -> c.ropeNeox = neox);
    }

    /**
     * Returns a copy with another seed.
     *
     * @param newSeed the seed
     * @return the copy
     */
    public SyntheticLlama withSeed(long newSeed) {
        return copy(c -> c.seed = newSeed);
    }

    /**
     * Returns a copy with another context length.
     *
     * @param length {@code ARCH.context_length}
     * @return the copy
     * @throws IllegalArgumentException if the length is not positive
     */
    public SyntheticLlama withContextLength(int length) {
        return copy(c -> c.contextLength = length);
    }

    /**
     * Returns a copy whose tensors are holes (zeros) or random values.
     *
     * @param holes whether tensors are written sparse
     * @return the copy
     */
    public SyntheticLlama withSparse(boolean holes) {
        return copy(c -> c.sparse = holes);
    }

    /**
     * Returns a copy with or without the K-quant mix: Q6_K for the head and, in the blocks
     * llama.cpp gives more bits, {@code attn_v} and {@code ffn_down}, as its Q4_K_M and Q5_K_M
     * files have them.
     *
     * @param mix whether to mix ({@link #type()} must be Q4_K or Q5_K)
     * @return the copy
     * @throws IllegalArgumentException if mixing and the type is not Q4_K or Q5_K
     */
    public SyntheticLlama withKQuantMix(boolean mix) {
        return copy(c -> c.kQuantMix = mix);
    }

    /** A record's components, mutable: what a wither changes in a copy. */
    private static final class Components {
        int dim;
        int hiddenDim;
        int layers;
        int heads;
        int kvHeads;
        int vocabSize;
        int contextLength;
        GgmlType type;
        boolean tiedEmbeddings;
        boolean ropeNeox;
        long seed;
        boolean sparse;
        boolean kQuantMix;
    }

    /** A copy with what {@code change} sets, checked by the canonical constructor. */
    private SyntheticLlama copy(Consumer<Components> change) {
        Components c = new Components();
        c.dim = dim;
        c.hiddenDim = hiddenDim;
        c.layers = layers;
        c.heads = heads;
        c.kvHeads = kvHeads;
        c.vocabSize = vocabSize;
        c.contextLength = contextLength;
        c.type = type;
        c.tiedEmbeddings = tiedEmbeddings;
        c.ropeNeox = ropeNeox;
        c.seed = seed;
        c.sparse = sparse;
        c.kQuantMix = kQuantMix;
        change.accept(c);
        return new SyntheticLlama(
                c.dim,
                c.hiddenDim,
                c.layers,
                c.heads,
                c.kvHeads,
                c.vocabSize,
                c.contextLength,
                c.type,
                c.tiedEmbeddings,
                c.ropeNeox,
                c.seed,
                c.sparse,
                c.kQuantMix);
    }

    /**
     * Returns {@code general.architecture}: {@code qwen2} for the NeoX layout, else {@code llama}.
     *
     * @return the architecture
     */
    public String architecture() {
        return ropeNeox ? "qwen2" : "llama";
    }

    /**
     * Returns the hyperparameters a reader finds in the file.
     *
     * @return them
     */
    public LlamaHyperparameters hyperparameters() {
        return LlamaHyperparameters.of(metadata());
    }

    /**
     * Returns the metadata written (into the first part of a split set), in order.
     *
     * @return the key/value pairs
     */
    public Map<String, GgufValue> metadata() {
        String a = architecture();
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put("general.architecture", GgufValue.string(a));
        m.put(
                "general.name",
                GgufValue.string(
                        String.format(
                                Locale.ROOT,
                                "synthetic %s %dx%d %s seed %d",
                                a,
                                layers,
                                dim,
                                type,
                                seed)));
        m.put(a + ".context_length", GgufValue.uint32(contextLength));
        m.put(a + ".embedding_length", GgufValue.uint32(dim));
        m.put(a + ".feed_forward_length", GgufValue.uint32(hiddenDim));
        m.put(a + ".attention.head_count", GgufValue.uint32(heads));
        m.put(a + ".attention.head_count_kv", GgufValue.uint32(kvHeads));
        m.put(a + ".block_count", GgufValue.uint32(layers));
        m.put(a + ".rope.dimension_count", GgufValue.uint32(dim / heads));
        m.put(a + ".rope.freq_base", GgufValue.float32(ROPE_BASE));
        m.put(a + ".attention.layer_norm_rms_epsilon", GgufValue.float32(RMS_EPSILON));
        List<String> tokens = new ArrayList<>(vocabSize);
        List<GgufValue> scores = new ArrayList<>(vocabSize);
        List<GgufValue> types = new ArrayList<>(vocabSize);
        for (int id = 0; id < vocabSize; id++) {
            tokens.add(piece(id).replace(' ', '\u2581'));
            scores.add(GgufValue.float32(id < SPECIALS + 256 ? 0 : -id));
            types.add(
                    GgufValue.int32(id == 0 ? 2 : id < SPECIALS ? 3 : id < SPECIALS + 256 ? 6 : 1));
        }
        m.put("tokenizer.ggml.model", GgufValue.string("llama"));
        m.put("tokenizer.ggml.tokens", GgufValue.stringArray(tokens));
        m.put("tokenizer.ggml.scores", GgufValue.array(GgufValueType.FLOAT32, scores));
        m.put("tokenizer.ggml.token_type", GgufValue.array(GgufValueType.INT32, types));
        m.put("tokenizer.ggml.unknown_token_id", GgufValue.uint32(0));
        m.put("tokenizer.ggml.bos_token_id", GgufValue.uint32(1));
        m.put("tokenizer.ggml.eos_token_id", GgufValue.uint32(2));
        return m;
    }

    /** The text of token {@code id}, spaces as spaces. */
    private static String piece(int id) {
        if (id == 0) {
            return "<unk>";
        } else if (id == 1) {
            return "<s>";
        } else if (id == 2) {
            return "</s>";
        } else if (id < SPECIALS + 256) {
            return String.format(Locale.ROOT, "<0x%02X>", id - SPECIALS);
        }
        int i = id - SPECIALS - 256;
        if (i < 95) {
            return String.valueOf((char) (' ' + i)); // printable ASCII, space first
        }
        i -= 95;
        if (i < 26) {
            return " " + (char) ('a' + i);
        }
        i -= 26;
        if (i < 26 * 26) {
            return "" + (char) ('a' + i / 26) + (char) ('a' + i % 26);
        }
        i -= 26 * 26;
        if (i < 26 * 26) {
            return " " + (char) ('a' + i / 26) + (char) ('a' + i % 26);
        }
        return " w" + id;
    }

    /** A tensor to write: its name, shape and its values' standard deviation and mean. */
    private record Spec(String name, long[] dims, double deviation, double mean) {}

    /** The tensors in llama.cpp's order: embedding, final norm, head, then block by block. */
    private List<Spec> specs() {
        long d = dim;
        long kv = (long) dim / heads * kvHeads;
        long h = hiddenDim;
        double in = 1 / Math.sqrt(d);
        List<Spec> specs = new ArrayList<>();
        specs.add(new Spec("token_embd.weight", new long[] {d, vocabSize}, 2 * in, 0));
        specs.add(new Spec("output_norm.weight", new long[] {d}, 0.1, 1));
        if (!tiedEmbeddings) {
            specs.add(new Spec("output.weight", new long[] {d, vocabSize}, 2 * in, 0));
        }
        for (int i = 0; i < layers; i++) {
            String p = "blk." + i + ".";
            specs.add(new Spec(p + "attn_q.weight", new long[] {d, d}, in, 0));
            specs.add(new Spec(p + "attn_k.weight", new long[] {d, kv}, in, 0));
            specs.add(new Spec(p + "attn_v.weight", new long[] {d, kv}, in, 0));
            specs.add(new Spec(p + "attn_output.weight", new long[] {d, d}, in, 0));
            specs.add(new Spec(p + "attn_norm.weight", new long[] {d}, 0.1, 1));
            specs.add(new Spec(p + "ffn_gate.weight", new long[] {d, h}, in, 0));
            specs.add(new Spec(p + "ffn_down.weight", new long[] {h, d}, 1 / Math.sqrt(h), 0));
            specs.add(new Spec(p + "ffn_up.weight", new long[] {d, h}, in, 0));
            specs.add(new Spec(p + "ffn_norm.weight", new long[] {d}, 0.1, 1));
        }
        return specs;
    }

    /**
     * Returns the type a tensor is written in: F32 for a vector; for a matrix {@link #type()}, or
     * with {@link #kQuantMix()} Q6_K for {@code output.weight} and for {@code attn_v} and {@code
     * ffn_down} in the blocks llama.cpp's Q4_K_M and Q5_K_M give more bits (its {@code
     * use_more_bits}: the first and last eighth of the blocks and every third between); where a row
     * is not whole blocks of that type, Q8_0 or F16 ({@link Llama2cConverter#tensorType}).
     *
     * @param name the tensor's name
     * @param dims the tensor's dimensions, {@code ne[0]} first
     * @return its type
     */
    public GgmlType tensorType(String name, long... dims) {
        GgmlType base = type;
        if (kQuantMix && dims.length > 1) {
            int block = -1;
            if (name.startsWith("blk.")
                    && (name.endsWith(".attn_v.weight") || name.endsWith(".ffn_down.weight"))) {
                block = Integer.parseInt(name.substring(4, name.indexOf('.', 4)));
            }
            if (name.equals("output.weight") || (block >= 0 && moreBits(block, layers))) {
                base = GgmlType.Q6_K;
            }
        }
        return Llama2cConverter.tensorType(base, dims);
    }

    private static boolean moreBits(int block, int blocks) {
        return block < blocks / 8 || block >= 7 * blocks / 8 || (block - blocks / 8) % 3 == 2;
    }

    /**
     * Writes the model into one file.
     *
     * @param file the GGUF file (replaced if it exists)
     * @return {@code file}
     * @throws IOException if it cannot be written
     */
    public Path write(Path file) throws IOException {
        GgufWriter.Builder builder = GgufWriter.builder();
        metadata().forEach(builder::addMetadata);
        for (Spec spec : specs()) {
            add(builder, spec);
        }
        builder.build().write(file);
        return file;
    }

    /**
     * Writes the model as a split set of {@code parts} files, as llama.cpp's {@code gguf-split}
     * names and marks them ({@code PREFIX-0000K-of-0000N.gguf}; {@code split.no}, {@code
     * split.count}, {@code split.tensors.count}; the metadata in the first part): the tensors, in
     * order, cut into parts of {@code ceil(tensors / parts)}, so that a block's nine tensors
     * straddle two files wherever a cut falls inside it.
     *
     * @param dir the directory
     * @param prefix the parts' file name prefix
     * @param parts how many files, from 1 to the number of tensors
     * @return the parts' paths, in order
     * @throws IllegalArgumentException if {@code parts} is out of range
     * @throws IOException if a file cannot be written
     */
    public List<Path> writeSplit(Path dir, String prefix, int parts) throws IOException {
        List<Spec> specs = specs();
        int perPart = (specs.size() + parts - 1) / Math.max(parts, 1);
        if (parts < 1 || parts > specs.size() || (long) perPart * (parts - 1) >= specs.size()) {
            throw new IllegalArgumentException(
                    "synthetic llama: "
                            + parts
                            + " parts for "
                            + specs.size()
                            + " tensors; each part needs at least one");
        }
        List<Path> paths = new ArrayList<>();
        for (int part = 0; part < parts; part++) {
            GgufWriter.Builder builder = GgufWriter.builder();
            if (part == 0) {
                metadata().forEach(builder::addMetadata);
            }
            builder.addMetadata("split.no", GgufValue.uint16(part))
                    .addMetadata("split.count", GgufValue.uint16(parts))
                    .addMetadata("split.tensors.count", GgufValue.int32(specs.size()));
            for (Spec spec :
                    specs.subList(part * perPart, Math.min(specs.size(), (part + 1) * perPart))) {
                add(builder, spec);
            }
            Path path =
                    dir.resolve(
                            String.format(
                                    Locale.ROOT, "%s-%05d-of-%05d.gguf", prefix, part + 1, parts));
            builder.build().write(path);
            paths.add(path);
        }
        return List.copyOf(paths);
    }

    private void add(GgufWriter.Builder builder, Spec spec) {
        GgmlType tensorType = tensorType(spec.name(), spec.dims());
        if (sparse) {
            builder.addSparseTensor(spec.name(), tensorType, spec.dims());
            return;
        }
        builder.addTensor(
                spec.name(), tensorType, spec.dims(), channel -> rows(spec, tensorType, channel));
    }

    /** Draws the tensor's values row by row from its own generator and writes them encoded. */
    private void rows(Spec spec, GgmlType tensorType, WritableByteChannel channel)
            throws IOException {
        SplittableRandom random =
                new SplittableRandom(seed * 0x9E3779B97F4A7C15L + spec.name().hashCode());
        int row = Math.toIntExact(spec.dims()[0]);
        long rows = spec.dims().length > 1 ? spec.dims()[1] : 1;
        GgmlCodec codec = GgmlCodec.of(tensorType);
        float[] values = new float[row];
        byte[] encoded = new byte[Math.toIntExact(tensorType.byteSize(row))];
        ByteBuffer buffer = ByteBuffer.wrap(encoded);
        MemorySegment target = MemorySegment.ofArray(encoded);
        for (long r = 0; r < rows; r++) {
            for (int i = 0; i < row; i++) {
                values[i] = (float) (spec.mean() + spec.deviation() * random.nextGaussian());
            }
            codec.quantize(values, 0, row, target, 0);
            buffer.clear();
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        }
    }
}
