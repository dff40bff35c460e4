package dev.memory64.llama;

import dev.memory64.gguf.GgmlType;
import dev.memory64.gguf.GgufValue;
import dev.memory64.gguf.GgufValueType;
import dev.memory64.gguf.GgufWriter;
import dev.memory64.safetensors.SafetensorsDtype;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Converts a llama2.c checkpoint ({@code run.c}'s format: a header of seven int32, then float32
 * weights) and its tokenizer ({@code tokenizer.bin}) into a GGUF model that llama.cpp loads, with
 * the keys, tensor names and order, and vocabulary that llama.cpp's own converter ({@code
 * convert-llama2c-to-ggml}) writes; optionally with the 2-D weights quantised.
 *
 * <p>Two choices differ from llama.cpp's converter or need saying:
 *
 * <ul>
 *   <li>{@code llama.context_length} is the checkpoint's {@code seq_len}; llama.cpp's converter
 *       writes its {@code --ctx} option (128 by default) whatever the checkpoint says.
 *   <li>A checkpoint with a shared classifier (a positive {@code vocab_size}) still gets an {@code
 *       output.weight}, a copy of the token embedding, as llama.cpp's converter writes it: the
 *       model then has the same tensors as llama.cpp's file, and a reader never has to know that
 *       the head is tied. (The synthetic models test tied heads.)
 * </ul>
 *
 * <p>With a quantised type, every 2-D tensor takes it and the 1-D norm vectors stay F32 (as
 * llama.cpp quantises); a tensor whose rows are not a multiple of the type's block size falls back
 * to Q8_0 if they are a multiple of 32 (llama.cpp's own fallback for the K-quants is Q5_0, Q5_1 or
 * Q8_0), else to F16. Tensors stream from the mapped checkpoint one row at a time: the heap holds
 * the vocabulary and one row, whatever the model's size.
 */
public final class Llama2cConverter {

    /** The key whose value this converter takes from the checkpoint, unlike llama.cpp's. */
    public static final String KEY_CONTEXT_LENGTH = "llama.context_length";

    static final int UNKNOWN_ID = 0;
    static final int BOS_ID = 1;
    static final int EOS_ID = 2;
    private static final long NULL_TOKEN = 0xFFFFFFFFL;

    /** "ak42": the first word of llama2.c's newer export formats (version 1 and later). */
    private static final int EXPORT_MAGIC = 0x616b3432;

    /** llama.cpp's token types. */
    static final int TYPE_NORMAL = 1;

    static final int TYPE_UNKNOWN = 2;
    static final int TYPE_CONTROL = 3;
    static final int TYPE_BYTE = 6;

    private static final Pattern BYTE_TOKEN =
            Pattern.compile("<0x[0-9A-Fa-f]{1,2}.*", Pattern.DOTALL);
    private static final ValueLayout.OfInt I32 =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * A llama2.c checkpoint's header.
     *
     * @param dim the embedding width
     * @param hiddenDim the feed-forward width
     * @param layers the number of transformer blocks
     * @param heads the attention heads
     * @param kvHeads the key/value heads
     * @param vocabSize the vocabulary size (the header's absolute value)
     * @param seqLen the maximum sequence length
     * @param sharedClassifier whether the classifier is the token embedding (a positive {@code
     *     vocab_size} in the header)
     */
    public record Config(
            int dim,
            int hiddenDim,
            int layers,
            int heads,
            int kvHeads,
            int vocabSize,
            int seqLen,
            boolean sharedClassifier) {

        /** The header's size in bytes. */
        public static final int HEADER_BYTES = 28;

        /**
         * Checks the shape.
         *
         * @throws IllegalArgumentException if a width or count is not positive, {@code dim} is not
         *     a multiple of {@code heads}, or {@code heads} not a multiple of {@code kvHeads}
         */
        public Config {
            if (dim <= 0
                    || hiddenDim <= 0
                    || layers <= 0
                    || heads <= 0
                    || kvHeads <= 0
                    || vocabSize <= 0
                    || seqLen <= 0
                    || dim % heads != 0
                    || heads % kvHeads != 0) {
                throw new IllegalArgumentException(
                        "llama2.c header "
                                + describe(
                                        dim, hiddenDim, layers, heads, kvHeads, vocabSize, seqLen)
                                + ": each must be positive, dim a multiple of n_heads, n_heads"
                                + " of n_kv_heads");
            }
        }

        private static String describe(
                int dim, int hiddenDim, int layers, int heads, int kvHeads, int vocab, int seqLen) {
            return "dim="
                    + dim
                    + " hidden_dim="
                    + hiddenDim
                    + " n_layers="
                    + layers
                    + " n_heads="
                    + heads
                    + " n_kv_heads="
                    + kvHeads
                    + " vocab_size="
                    + vocab
                    + " seq_len="
                    + seqLen;
        }

        /**
         * Returns the header as llama2.c names its fields.
         *
         * @return {@code dim=64 hidden_dim=172 ... seq_len=512}, and whether the classifier is
         *     shared
         */
        @Override
        public String toString() {
            return describe(dim, hiddenDim, layers, heads, kvHeads, vocabSize, seqLen)
                    + (sharedClassifier ? " (shared classifier)" : " (separate classifier)");
        }

        /**
         * Reads a header.
         *
         * @param checkpoint the checkpoint's bytes, at least {@link #HEADER_BYTES}
         * @return the header
         * @throws IllegalArgumentException if the header is invalid or the segment too short
         */
        public static Config read(MemorySegment checkpoint) {
            if (checkpoint.byteSize() < HEADER_BYTES) {
                throw new IllegalArgumentException(
                        "llama2.c checkpoint: "
                                + checkpoint.byteSize()
                                + " bytes, shorter than its "
                                + HEADER_BYTES
                                + "-byte header");
            }
            int vocab = checkpoint.get(I32, 20);
            return new Config(
                    checkpoint.get(I32, 0),
                    checkpoint.get(I32, 4),
                    checkpoint.get(I32, 8),
                    checkpoint.get(I32, 12),
                    checkpoint.get(I32, 16),
                    vocab == Integer.MIN_VALUE ? 0 : Math.abs(vocab),
                    checkpoint.get(I32, 24),
                    vocab > 0);
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
         * @return {@code dim * kvHeads / heads}
         */
        public int kvDim() {
            return headSize() * kvHeads;
        }

        /**
         * Returns the checkpoint's size in bytes that this header implies.
         *
         * @return the header, every weight, the RoPE tables and (if not shared) the classifier
         * @throws ArithmeticException if it overflows a {@code long}
         */
        public long fileSize() {
            return Math.addExact(HEADER_BYTES, Math.multiplyExact(4L, floatCount()));
        }

        private long floatCount() {
            long d = dim;
            long perLayer =
                    Math.addExact(
                            Math.addExact(2 * d, 2 * d * d + 2 * d * kvDim()), 3 * d * hiddenDim);
            long count = Math.addExact(vocabSize * d, Math.multiplyExact(layers, perLayer));
            count = Math.addExact(count, d + (long) seqLen * headSize());
            return sharedClassifier ? count : Math.addExact(count, vocabSize * d);
        }
    }

    /**
     * A vocabulary as llama.cpp's converter builds it from a llama2.c tokenizer: {@code <unk>},
     * {@code <s>}, {@code </s>} at ids 0 to 2, spaces written as U+2581.
     *
     * @param tokens the token strings
     * @param scores their scores
     * @param types their llama.cpp token types (1 normal, 2 unknown, 3 control, 6 byte)
     */
    public record Vocabulary(List<String> tokens, float[] scores, int[] types) {

        /**
         * Checks that the three lists have one entry per token.
         *
         * @throws IllegalArgumentException if their lengths differ
         */
        public Vocabulary {
            tokens = List.copyOf(tokens);
            if (scores.length != tokens.size() || types.length != tokens.size()) {
                throw new IllegalArgumentException(
                        "vocabulary: "
                                + tokens.size()
                                + " tokens, "
                                + scores.length
                                + " scores, "
                                + types.length
                                + " types");
            }
        }

        /**
         * Reads a llama2.c tokenizer file: int32 max token length, then per token float32 score,
         * int32 length, the UTF-8 bytes.
         *
         * @param file the tokenizer
         * @param vocabSize how many tokens to read (the checkpoint's)
         * @return the vocabulary
         * @throws IOException if the file cannot be read, is too short, or holds a token that is
         *     not UTF-8
         */
        public static Vocabulary read(Path file, int vocabSize) throws IOException {
            ByteBuffer in =
                    ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
            List<String> tokens = new ArrayList<>(vocabSize);
            float[] scores = new float[vocabSize];
            int[] types = new int[vocabSize];
            try {
                in.getInt(); // max token length, unused
                for (int id = 0; id < vocabSize; id++) {
                    scores[id] = in.getFloat();
                    int length = in.getInt();
                    if (length < 0 || length > in.remaining()) {
                        throw new IOException(
                                "llama2.c tokenizer "
                                        + file
                                        + ": token "
                                        + id
                                        + " has length "
                                        + length
                                        + ", "
                                        + in.remaining()
                                        + " bytes left");
                    }
                    byte[] bytes = new byte[length];
                    in.get(bytes);
                    String text = utf8(bytes, file, id);
                    int type;
                    if (id == UNKNOWN_ID) {
                        text = "<unk>";
                        type = TYPE_UNKNOWN;
                    } else if (id == BOS_ID) {
                        text = "<s>";
                        type = TYPE_CONTROL;
                    } else if (id == EOS_ID) {
                        text = "</s>";
                        type = TYPE_CONTROL;
                    } else if (text.isEmpty()) {
                        type = TYPE_CONTROL;
                    } else if (BYTE_TOKEN.matcher(text).matches()) {
                        type = TYPE_BYTE;
                    } else {
                        type = TYPE_NORMAL;
                    }
                    tokens.add(text.replace(" ", "\u2581"));
                    types[id] = type;
                }
            } catch (java.nio.BufferUnderflowException e) {
                throw new IOException(
                        "llama2.c tokenizer " + file + ": ends before its " + vocabSize + " tokens",
                        e);
            }
            return new Vocabulary(tokens, scores, types);
        }

        private static String utf8(byte[] bytes, Path file, int id) throws IOException {
            try {
                // A new decoder reports malformed input (unlike new String, which replaces it).
                return StandardCharsets.UTF_8
                        .newDecoder()
                        .decode(ByteBuffer.wrap(bytes))
                        .toString();
            } catch (CharacterCodingException e) {
                throw new IOException(
                        "llama2.c tokenizer " + file + ": token " + id + " is not UTF-8", e);
            }
        }
    }

    private Llama2cConverter() {}

    /**
     * Converts a checkpoint and its tokenizer into a GGUF file.
     *
     * @param checkpoint the llama2.c checkpoint
     * @param tokenizer the llama2.c tokenizer
     * @param out the GGUF file to write (replaced if it exists)
     * @param type the type of the 2-D weights: one of {@link GgmlCodec#supportedTypes()}; F32 for
     *     llama.cpp converter's own output
     * @return the checkpoint's header
     * @throws IOException if a file cannot be read or written, the checkpoint's header is invalid
     *     or its size does not match the header, or the tokenizer is too short (the message names
     *     the file and the values)
     * @throws IllegalArgumentException if the type is not supported
     */
    public static Config convert(Path checkpoint, Path tokenizer, Path out, GgmlType type)
            throws IOException {
        Objects.requireNonNull(out, "out");
        GgmlCodec.of(type);
        return mapped(
                checkpoint,
                (config, weights) -> {
                    Vocabulary vocabulary = Vocabulary.read(tokenizer, config.vocabSize());
                    writer(config, vocabulary, weights, type).write(out);
                    return config;
                });
    }

    /** What to do with a checkpoint mapped and checked against its header. */
    @FunctionalInterface
    interface MappedCheckpoint {
        Config use(Config config, MemorySegment weights) throws IOException;
    }

    /**
     * Maps a checkpoint read-only, checks its header and its size against the header, and hands
     * both to {@code user} while the mapping lives.
     */
    static Config mapped(Path checkpoint, MappedCheckpoint user) throws IOException {
        try (Arena arena = Arena.ofConfined();
                FileChannel channel = FileChannel.open(checkpoint, StandardOpenOption.READ)) {
            MemorySegment weights =
                    channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            if (weights.byteSize() >= 8 && weights.get(I32, 0) == EXPORT_MAGIC) {
                throw new IOException(
                        "llama2.c checkpoint "
                                + checkpoint
                                + ": a version "
                                + weights.get(I32, 4)
                                + " export (magic \"ak42\"); run.c and this converter read the"
                                + " legacy format (llama2.c's export.py --version 0)");
            }
            Config config;
            long expectedSize;
            try {
                config = Config.read(weights);
                expectedSize = config.fileSize();
            } catch (IllegalArgumentException | ArithmeticException e) {
                throw new IOException(
                        "llama2.c checkpoint " + checkpoint + ": " + e.getMessage(), e);
            }
            if (weights.byteSize() != expectedSize) {
                throw new IOException(
                        "llama2.c checkpoint "
                                + checkpoint
                                + ": "
                                + weights.byteSize()
                                + " bytes, but its header "
                                + config
                                + " implies "
                                + expectedSize);
            }
            return user.use(config, weights);
        }
    }

    /**
     * Lays out the GGUF file of a checkpoint: metadata and tensors, whose data streams from {@code
     * weights} when the writer writes.
     *
     * @param config the checkpoint's header
     * @param vocabulary its vocabulary
     * @param weights the checkpoint's bytes (header included), alive until the file is written
     * @param type the type of the 2-D weights
     * @return the writer
     * @throws IllegalArgumentException if the vocabulary's size is not the header's or the type is
     *     not supported
     */
    public static GgufWriter writer(
            Config config, Vocabulary vocabulary, MemorySegment weights, GgmlType type) {
        GgmlCodec.of(type);
        if (vocabulary.tokens().size() != config.vocabSize()) {
            throw new IllegalArgumentException(
                    "vocabulary of "
                            + vocabulary.tokens().size()
                            + " tokens for a checkpoint of "
                            + config.vocabSize());
        }
        GgufWriter.Builder b = GgufWriter.builder();
        addMetadata(b, config, vocabulary);

        Tensors t = new Tensors(b, weights, type);
        for (Tensor tensor : tensors(config)) {
            t.add(tensor.ggufName(), tensor.offset(), tensor.dims());
        }
        return b.build();
    }

    /** What a checkpoint's array is: its names in llama.cpp's and in Hugging Face's llama. */
    enum Role {
        EMBEDDING("token_embd.weight", "model.embed_tokens.weight"),
        OUTPUT_NORM("output_norm.weight", "model.norm.weight"),
        OUTPUT("output.weight", "lm_head.weight"),
        Q("attn_q.weight", "self_attn.q_proj.weight"),
        K("attn_k.weight", "self_attn.k_proj.weight"),
        V("attn_v.weight", "self_attn.v_proj.weight"),
        O("attn_output.weight", "self_attn.o_proj.weight"),
        ATTN_NORM("attn_norm.weight", "input_layernorm.weight"),
        GATE("ffn_gate.weight", "mlp.gate_proj.weight"),
        DOWN("ffn_down.weight", "mlp.down_proj.weight"),
        UP("ffn_up.weight", "mlp.up_proj.weight"),
        FFN_NORM("ffn_norm.weight", "post_attention_layernorm.weight");

        private final String gguf;
        private final String hf;

        Role(String gguf, String hf) {
            this.gguf = gguf;
            this.hf = hf;
        }
    }

    /**
     * One float32 array of a checkpoint.
     *
     * @param role what it is
     * @param block its block, or -1 outside the blocks
     * @param offset its offset in the checkpoint, in bytes
     * @param dims its dimensions, {@code ne[0]} (a row's length) first
     */
    record Tensor(Role role, int block, long offset, long... dims) {
        /** Its name in llama.cpp's GGUF: {@code blk.N.attn_q.weight}. */
        String ggufName() {
            return block < 0 ? role.gguf : "blk." + block + "." + role.gguf;
        }

        /** Its name in Hugging Face's LlamaForCausalLM: {@code model.layers.N.self_attn...}. */
        String hfName() {
            return block < 0 ? role.hf : "model.layers." + block + "." + role.hf;
        }
    }

    /**
     * Returns the arrays of a checkpoint in the order llama.cpp's converter writes them: the token
     * embedding, the final norm, the classifier (the embedding's bytes when it is shared), then
     * each block's.
     */
    static List<Tensor> tensors(Config config) {
        long d = config.dim();
        long kv = config.kvDim();
        long h = config.hiddenDim();
        int n = config.layers();
        Offsets at = new Offsets(Config.HEADER_BYTES);
        long embedding = at.next(config.vocabSize() * d);
        long rmsAtt = at.next(n * d);
        long wq = at.next(n * d * d);
        long wk = at.next(n * kv * d);
        long wv = at.next(n * kv * d);
        long wo = at.next(n * d * d);
        long rmsFfn = at.next(n * d);
        long w1 = at.next(n * h * d);
        long w2 = at.next(n * d * h);
        long w3 = at.next(n * h * d);
        long rmsFinal = at.next(d);
        at.next((long) config.seqLen() * config.headSize()); // the old RoPE tables
        long classifier = config.sharedClassifier() ? embedding : at.end();

        List<Tensor> list = new ArrayList<>(3 + 9 * n);
        list.add(new Tensor(Role.EMBEDDING, -1, embedding, d, config.vocabSize()));
        list.add(new Tensor(Role.OUTPUT_NORM, -1, rmsFinal, d));
        list.add(new Tensor(Role.OUTPUT, -1, classifier, d, config.vocabSize()));
        for (int i = 0; i < n; i++) {
            list.add(new Tensor(Role.Q, i, wq + 4 * i * d * d, d, d));
            list.add(new Tensor(Role.K, i, wk + 4 * i * kv * d, d, kv));
            list.add(new Tensor(Role.V, i, wv + 4 * i * kv * d, d, kv));
            list.add(new Tensor(Role.O, i, wo + 4 * i * d * d, d, d));
            list.add(new Tensor(Role.ATTN_NORM, i, rmsAtt + 4 * i * d, d));
            list.add(new Tensor(Role.GATE, i, w1 + 4 * i * h * d, d, h));
            list.add(new Tensor(Role.DOWN, i, w2 + 4 * i * d * h, h, d));
            list.add(new Tensor(Role.UP, i, w3 + 4 * i * h * d, d, h));
            list.add(new Tensor(Role.FFN_NORM, i, rmsFfn + 4 * i * d, d));
        }
        return list;
    }

    /** The file offsets of consecutive float32 arrays. */
    private static final class Offsets {
        private long end;

        Offsets(long start) {
            this.end = start;
        }

        /** The offset of the next array, of {@code floats} floats. */
        long next(long floats) {
            long offset = end;
            end += 4 * floats;
            return offset;
        }

        /** The offset after the last array. */
        long end() {
            return end;
        }
    }

    /** The keys, in the order llama.cpp's converter writes them. */
    private static void addMetadata(GgufWriter.Builder b, Config config, Vocabulary vocabulary) {
        int size = vocabulary.tokens().size();
        List<GgufValue> scores = new ArrayList<>(size);
        List<GgufValue> types = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            scores.add(GgufValue.float32(vocabulary.scores()[i]));
            types.add(GgufValue.int32(vocabulary.types()[i]));
        }
        b.addMetadata("tokenizer.ggml.tokens", GgufValue.stringArray(vocabulary.tokens()))
                .addMetadata(
                        "tokenizer.ggml.scores", GgufValue.array(GgufValueType.FLOAT32, scores))
                .addMetadata(
                        "tokenizer.ggml.token_type", GgufValue.array(GgufValueType.INT32, types))
                .addMetadata("tokenizer.ggml.model", GgufValue.string("llama"))
                .addMetadata("general.architecture", GgufValue.string("llama"))
                .addMetadata("general.name", GgufValue.string("llama"))
                .addMetadata("tokenizer.ggml.unknown_token_id", GgufValue.uint32(UNKNOWN_ID))
                .addMetadata("tokenizer.ggml.bos_token_id", GgufValue.uint32(BOS_ID))
                .addMetadata("tokenizer.ggml.eos_token_id", GgufValue.uint32(EOS_ID))
                // llama.cpp's spelling.
                .addMetadata("tokenizer.ggml.seperator_token_id", GgufValue.uint32(NULL_TOKEN))
                .addMetadata("tokenizer.ggml.padding_token_id", GgufValue.uint32(NULL_TOKEN))
                .addMetadata(KEY_CONTEXT_LENGTH, GgufValue.uint32(config.seqLen()))
                .addMetadata("llama.embedding_length", GgufValue.uint32(config.dim()))
                .addMetadata("llama.feed_forward_length", GgufValue.uint32(config.hiddenDim()))
                .addMetadata("llama.attention.head_count", GgufValue.uint32(config.heads()))
                .addMetadata("llama.attention.head_count_kv", GgufValue.uint32(config.kvHeads()))
                .addMetadata("llama.block_count", GgufValue.uint32(config.layers()))
                .addMetadata("llama.rope.dimension_count", GgufValue.uint32(config.headSize()))
                .addMetadata("llama.attention.layer_norm_rms_epsilon", GgufValue.float32(1e-5f));
    }

    /**
     * Returns the type a tensor of this shape gets when the model's weights are {@code type}: 1-D
     * tensors stay F32; rows that are not whole blocks fall back to Q8_0, else F16.
     *
     * @param type the model's weight type
     * @param dims the tensor's dimensions, {@code ne[0]} first
     * @return the tensor's type
     */
    public static GgmlType tensorType(GgmlType type, long... dims) {
        if (dims.length < 2) {
            return GgmlType.F32;
        }
        if (dims[0] % type.blockSize() == 0) {
            return type;
        }
        return dims[0] % GgmlType.Q8_0.blockSize() == 0 ? GgmlType.Q8_0 : GgmlType.F16;
    }

    /** Adds tensors whose float32 rows stream from the checkpoint, quantised row by row. */
    private record Tensors(GgufWriter.Builder builder, MemorySegment weights, GgmlType type) {
        void add(String name, long offset, long... dims) {
            GgmlType tensorType = tensorType(type, dims);
            long elements = 1;
            for (long dim : dims) {
                elements *= dim;
            }
            MemorySegment floats = weights.asSlice(offset, 4 * elements);
            int row = Math.toIntExact(dims[0]);
            builder.addTensor(
                    name, tensorType, dims, channel -> rows(floats, row, tensorType, channel));
        }

        private static void rows(
                MemorySegment floats, int row, GgmlType type, WritableByteChannel channel)
                throws IOException {
            GgmlCodec codec = GgmlCodec.of(type);
            long rows = floats.byteSize() / (4L * row);
            float[] values = new float[row];
            byte[] encoded = new byte[Math.toIntExact(type.byteSize(row))];
            ByteBuffer buffer = ByteBuffer.wrap(encoded);
            MemorySegment target = MemorySegment.ofArray(encoded);
            for (long r = 0; r < rows; r++) {
                MemorySegment.copy(floats, F32, r * 4 * row, values, 0, row);
                codec.quantize(values, 0, row, target, 0);
                buffer.clear();
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            }
        }
    }

    /**
     * The command line: {@code CHECKPOINT TOKENIZER OUT.gguf [--type f32|f16|bf16|q8_0|...]
     * [--verbose]}, or with {@code --hf} a Hugging Face checkpoint ({@link HfCheckpointConverter})
     * into the directory {@code OUT} in {@code f32}, {@code f16} or {@code bf16}. Silent on success
     * unless {@code --verbose}, which prints one line with the model's shape and the file written;
     * exits 2 on bad usage, 1 on a failure, with the reason on standard error.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> positional = new ArrayList<>();
        GgmlType type = GgmlType.F32;
        boolean verbose = false;
        boolean hf = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--type") && i + 1 == args.length) {
                err.println("convert-llama2c: --type needs a value\n" + usage());
                return 2;
            } else if (args[i].equals("-v") || args[i].equals("--verbose")) {
                verbose = true;
            } else if (args[i].equals("--hf")) {
                hf = true;
            } else if (args[i].equals("--type")) {
                String name = args[++i].toUpperCase(Locale.ROOT);
                try {
                    type = GgmlType.valueOf(name);
                } catch (IllegalArgumentException e) {
                    type = null;
                }
                if (type == null || !GgmlCodec.supportedTypes().contains(type)) {
                    err.println(
                            "convert-llama2c: unknown --type "
                                    + args[i]
                                    + "; one of "
                                    + typeNames());
                    return 2;
                }
            } else if (args[i].equals("-h") || args[i].equals("--help")) {
                out.println(usage());
                return 0;
            } else if (args[i].startsWith("--")) {
                err.println("convert-llama2c: unknown option " + args[i] + "\n" + usage());
                return 2;
            } else {
                positional.add(args[i]);
            }
        }
        if (positional.size() != 3) {
            err.println(usage());
            return 2;
        }
        SafetensorsDtype dtype = hf ? SafetensorsDtype.byName(type.name()) : null;
        if (hf && (dtype == null || !HfCheckpointConverter.DTYPES.contains(dtype))) {
            err.println("convert-llama2c: --hf writes f32, f16 or bf16, not " + type);
            return 2;
        }
        Path target = Path.of(positional.get(2));
        try {
            Path checkpoint = Path.of(positional.get(0));
            Path tokenizer = Path.of(positional.get(1));
            Config config =
                    hf
                            ? HfCheckpointConverter.convert(checkpoint, tokenizer, target, dtype)
                            : convert(checkpoint, tokenizer, target, type);
            if (!verbose) {
                return 0;
            }
            Path written = hf ? target.resolve(HfCheckpointConverter.MODEL_FILE) : target;
            out.println(
                    "convert-llama2c: wrote "
                            + written
                            + " ("
                            + Files.size(written)
                            + " bytes, "
                            + type
                            + "): dim "
                            + config.dim()
                            + ", hidden "
                            + config.hiddenDim()
                            + ", "
                            + config.layers()
                            + " blocks, "
                            + config.heads()
                            + " heads, "
                            + config.kvHeads()
                            + " kv heads, vocabulary "
                            + config.vocabSize()
                            + ", context "
                            + config.seqLen()
                            + (config.sharedClassifier() ? ", shared classifier" : ""));
            return 0;
        } catch (NoSuchFileException e) {
            err.println("convert-llama2c: no such file: " + e.getFile());
            return 1;
        } catch (IOException | RuntimeException e) {
            err.println("convert-llama2c: " + e.getMessage());
            return 1;
        }
    }

    private static String usage() {
        return "usage: convert-llama2c.sh CHECKPOINT TOKENIZER OUT.gguf [--type "
                + typeNames()
                + "] (default f32) [--verbose]\n"
                + "       convert-llama2c.sh --hf CHECKPOINT TOKENIZER OUT_DIR [--type"
                + " f32|f16|bf16] [--verbose]";
    }

    private static String typeNames() {
        return GgmlCodec.supportedTypes().stream()
                .map(t -> t.name().toLowerCase(Locale.ROOT))
                .collect(java.util.stream.Collectors.joining("|"));
    }
}
