package dev.memory64.llama;

import dev.memory64.gguf.GgmlType;
import dev.memory64.llama.Llama2cConverter.Config;
import dev.memory64.llama.Llama2cConverter.Role;
import dev.memory64.llama.Llama2cConverter.Tensor;
import dev.memory64.llama.Llama2cConverter.Vocabulary;
import dev.memory64.safetensors.SafetensorsDtype;
import dev.memory64.safetensors.SafetensorsWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.PrettyPrinter;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.util.DefaultPrettyPrinter;

/**
 * Converts a llama2.c checkpoint and its tokenizer into a Hugging Face llama checkpoint, the
 * directory {@code save_pretrained} writes for a {@code LlamaForCausalLM}: {@value #MODEL_FILE}
 * (written by the project's {@link SafetensorsWriter}), {@value #CONFIG_FILE} and {@value
 * #TOKENIZER_FILE}. {@link Llama#open(Path...)} runs the result; {@code
 * ./scripts/convert-llama2c.sh --hf} is the command line ({@link Llama2cConverter#main}).
 *
 * <ul>
 *   <li>Tensors under Hugging Face's names ({@code model.embed_tokens.weight}, {@code
 *       model.layers.N.self_attn.q_proj.weight} ..., {@code model.norm.weight}), each of the chosen
 *       dtype (F32, F16 or BF16, rounded to nearest even as torch rounds), norms included, as a
 *       model cast with {@code .to(dtype)} saves them. A shared classifier writes no {@code
 *       lm_head.weight}: the config says {@code tie_word_embeddings}.
 *   <li>The query and key rows in Hugging Face's order: llama2.c (like Meta's checkpoints and
 *       llama.cpp) rotates adjacent pairs {@code (x[2i], x[2i+1])} of each head, Hugging Face's
 *       llama rotates halves {@code (x[i], x[i + head_size/2])}, so within each head row {@code j *
 *       head_size/2 + i} of the written tensor is row {@code 2i + j} of the checkpoint (the inverse
 *       of {@code permute} in llama.cpp's {@code convert_hf_to_gguf.py}).
 *   <li>The tokenizer as Hugging Face gives a Llama 2 (SentencePiece BPE with byte fallback) one:
 *       the vocabulary with spaces as U+2581, {@code <unk>}, {@code <s>} and {@code </s>} as added
 *       special tokens, a normalizer that prepends U+2581 and replaces spaces by it, and as merges
 *       every split of a token into two tokens, ordered by the merged token's llama2.c score
 *       (highest first; ties by the merged token's id, then the two parts' ids), as Hugging Face's
 *       converter from SentencePiece orders them.
 * </ul>
 *
 * <p>The converted tensors are held off-heap until the file is written: the model's size at the
 * chosen dtype.
 */
public final class HfCheckpointConverter {

    /** The checkpoint's weights. */
    public static final String MODEL_FILE = "model.safetensors";

    /** The model's hyperparameters. */
    public static final String CONFIG_FILE = "config.json";

    /** The tokenizer. */
    public static final String TOKENIZER_FILE = "tokenizer.json";

    private static final ValueLayout.OfFloat F32 =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final String SPACE = "\u2581";

    /** The dtypes a checkpoint is written in. */
    static final Set<SafetensorsDtype> DTYPES =
            Set.of(SafetensorsDtype.F32, SafetensorsDtype.F16, SafetensorsDtype.BF16);

    private HfCheckpointConverter() {}

    /**
     * Converts a checkpoint and its tokenizer into a Hugging Face checkpoint directory.
     *
     * @param checkpoint the llama2.c checkpoint
     * @param tokenizer the llama2.c tokenizer
     * @param directory where {@value #MODEL_FILE}, {@value #CONFIG_FILE} and {@value
     *     #TOKENIZER_FILE} go (created if absent; the files replaced if they exist)
     * @param dtype the tensors' type: F32, F16 or BF16
     * @return the checkpoint's header
     * @throws IOException if a file cannot be read or written, the checkpoint's header is invalid
     *     or its size does not match the header, the tokenizer is too short or holds a piece twice
     *     (the message names the file and the values)
     * @throws IllegalArgumentException if the dtype is not F32, F16 or BF16
     */
    public static Config convert(
            Path checkpoint, Path tokenizer, Path directory, SafetensorsDtype dtype)
            throws IOException {
        Objects.requireNonNull(directory, "directory");
        GgmlCodec codec = GgmlCodec.of(ggmlType(dtype));
        return Llama2cConverter.mapped(
                checkpoint,
                (config, weights) -> {
                    if (config.headSize() % 2 != 0) {
                        throw new IOException(
                                "llama2.c checkpoint "
                                        + checkpoint
                                        + ": head size "
                                        + config.headSize()
                                        + " is odd, so it has no RoPE pairs");
                    }
                    Vocabulary vocabulary = Vocabulary.read(tokenizer, config.vocabSize());
                    byte[] tokenizerJson = tokenizerJson(vocabulary, tokenizer);
                    Files.createDirectories(directory);
                    try (Arena arena = Arena.ofConfined()) {
                        SafetensorsWriter writer =
                                SafetensorsWriter.create().putMetadata("format", "pt");
                        for (Tensor t : Llama2cConverter.tensors(config)) {
                            if (t.role() != Role.OUTPUT || !config.sharedClassifier()) {
                                writer.add(
                                        t.hfName(),
                                        dtype,
                                        shape(t),
                                        rows(t, config, weights, codec, arena));
                            }
                        }
                        writer.write(directory.resolve(MODEL_FILE));
                    }
                    Files.write(directory.resolve(CONFIG_FILE), configJson(config, dtype));
                    Files.write(directory.resolve(TOKENIZER_FILE), tokenizerJson);
                    return config;
                });
    }

    private static GgmlType ggmlType(SafetensorsDtype dtype) {
        return switch (Objects.requireNonNull(dtype, "dtype")) {
            case F32 -> GgmlType.F32;
            case F16 -> GgmlType.F16;
            case BF16 -> GgmlType.BF16;
            default ->
                    throw new IllegalArgumentException(
                            "dtype " + dtype + ": a checkpoint is written in F32, F16 or BF16");
        };
    }

    /** A tensor's shape as safetensors gives it, outermost first: {@code [rows, cols]}. */
    private static long[] shape(Tensor t) {
        long[] dims = t.dims();
        return dims.length == 1 ? new long[] {dims[0]} : new long[] {dims[1], dims[0]};
    }

    /** The tensor's rows at the dtype, the query's and key's in Hugging Face's order. */
    private static MemorySegment rows(
            Tensor t, Config config, MemorySegment weights, GgmlCodec codec, Arena arena) {
        int cols = Math.toIntExact(t.dims()[0]);
        long rows = t.dims().length == 1 ? 1 : t.dims()[1];
        long rowBytes = codec.type().byteSize(cols);
        int heads = t.role() == Role.Q ? config.heads() : t.role() == Role.K ? config.kvHeads() : 0;
        MemorySegment out = arena.allocate(Math.multiplyExact(rows, rowBytes));
        float[] values = new float[cols];
        for (long r = 0; r < rows; r++) {
            long source = heads == 0 ? r : interleavedRow(r, config.headSize());
            MemorySegment.copy(weights, F32, t.offset() + source * 4 * cols, values, 0, cols);
            codec.quantize(values, 0, cols, out, r * rowBytes);
        }
        return out;
    }

    /**
     * The row of a head-interleaved (llama2.c, GGUF) query or key that is row {@code row} of
     * Hugging Face's: within a head, row {@code j * half + i} is row {@code 2i + j}.
     */
    static long interleavedRow(long row, int headSize) {
        int half = headSize / 2;
        long head = row / headSize;
        int within = (int) (row % headSize);
        return head * headSize + 2L * (within % half) + within / half;
    }

    /** config.json as {@code LlamaConfig} writes it, for the keys a llama model has. */
    private static byte[] configJson(Config config, SafetensorsDtype dtype) {
        return json(
                json -> {
                    json.writeStartObject();
                    json.writeName("architectures");
                    json.writeStartArray();
                    json.writeString("LlamaForCausalLM");
                    json.writeEndArray();
                    json.writeStringProperty("model_type", "llama");
                    json.writeNumberProperty("hidden_size", config.dim());
                    json.writeNumberProperty("intermediate_size", config.hiddenDim());
                    json.writeNumberProperty("num_hidden_layers", config.layers());
                    json.writeNumberProperty("num_attention_heads", config.heads());
                    json.writeNumberProperty("num_key_value_heads", config.kvHeads());
                    json.writeNumberProperty("head_dim", config.headSize());
                    json.writeNumberProperty("vocab_size", config.vocabSize());
                    json.writeNumberProperty("max_position_embeddings", config.seqLen());
                    json.writeNumberProperty("rms_norm_eps", 1e-5);
                    json.writeNumberProperty("rope_theta", 10000.0);
                    json.writeNullProperty("rope_scaling");
                    json.writeStringProperty("hidden_act", "silu");
                    json.writeBooleanProperty("attention_bias", false);
                    json.writeBooleanProperty("mlp_bias", false);
                    json.writeBooleanProperty("tie_word_embeddings", config.sharedClassifier());
                    json.writeStringProperty("torch_dtype", torchDtype(dtype));
                    json.writeNumberProperty("bos_token_id", Llama2cConverter.BOS_ID);
                    json.writeNumberProperty("eos_token_id", Llama2cConverter.EOS_ID);
                    json.writeBooleanProperty("use_cache", true);
                    json.writeEndObject();
                });
    }

    private static String torchDtype(SafetensorsDtype dtype) {
        return switch (dtype) {
            case F16 -> "float16";
            case BF16 -> "bfloat16";
            default -> "float32";
        };
    }

    /** One merge: the merged token and its two parts, by id. */
    private record Merge(int token, int left, int right) {}

    /** tokenizer.json as Hugging Face's converter writes it for a Llama 2 tokenizer. */
    private static byte[] tokenizerJson(Vocabulary vocabulary, Path file) throws IOException {
        List<String> tokens = vocabulary.tokens();
        Map<String, Integer> ids = new HashMap<>();
        for (int id = 0; id < tokens.size(); id++) {
            Integer before = ids.putIfAbsent(tokens.get(id), id);
            if (before != null) {
                throw new IOException(
                        "llama2.c tokenizer "
                                + file
                                + ": tokens "
                                + before
                                + " and "
                                + id
                                + " are both \""
                                + tokens.get(id)
                                + "\", which tokenizer.json's vocabulary cannot hold");
            }
        }
        List<Merge> merges = merges(vocabulary, ids);
        float[] scores = vocabulary.scores();
        merges.sort(
                Comparator.comparingDouble((Merge m) -> -scores[m.token()])
                        .thenComparingInt(Merge::token)
                        .thenComparingInt(Merge::left)
                        .thenComparingInt(Merge::right));
        int[] types = vocabulary.types();
        return json(
                json -> {
                    json.writeStartObject();
                    json.writeStringProperty("version", "1.0");
                    json.writeNullProperty("truncation");
                    json.writeNullProperty("padding");
                    json.writeName("added_tokens");
                    json.writeStartArray();
                    for (int id = 0; id < tokens.size(); id++) {
                        if (types[id] == Llama2cConverter.TYPE_CONTROL
                                || types[id] == Llama2cConverter.TYPE_UNKNOWN) {
                            json.writeStartObject();
                            json.writeNumberProperty("id", id);
                            json.writeStringProperty("content", tokens.get(id));
                            json.writeBooleanProperty("single_word", false);
                            json.writeBooleanProperty("lstrip", false);
                            json.writeBooleanProperty("rstrip", false);
                            json.writeBooleanProperty("normalized", false);
                            json.writeBooleanProperty("special", true);
                            json.writeEndObject();
                        }
                    }
                    json.writeEndArray();
                    json.writeName("normalizer");
                    json.writeStartObject();
                    json.writeStringProperty("type", "Sequence");
                    json.writeName("normalizers");
                    json.writeStartArray();
                    json.writeStartObject();
                    json.writeStringProperty("type", "Prepend");
                    json.writeStringProperty("prepend", SPACE);
                    json.writeEndObject();
                    replace(json, " ", SPACE);
                    json.writeEndArray();
                    json.writeEndObject();
                    json.writeNullProperty("pre_tokenizer");
                    postProcessor(json, tokens.get(Llama2cConverter.BOS_ID));
                    json.writeName("decoder");
                    json.writeStartObject();
                    json.writeStringProperty("type", "Sequence");
                    json.writeName("decoders");
                    json.writeStartArray();
                    replace(json, SPACE, " ");
                    json.writeStartObject();
                    json.writeStringProperty("type", "ByteFallback");
                    json.writeEndObject();
                    json.writeStartObject();
                    json.writeStringProperty("type", "Fuse");
                    json.writeEndObject();
                    json.writeStartObject();
                    json.writeStringProperty("type", "Strip");
                    json.writeStringProperty("content", " ");
                    json.writeNumberProperty("start", 1);
                    json.writeNumberProperty("stop", 0);
                    json.writeEndObject();
                    json.writeEndArray();
                    json.writeEndObject();
                    json.writeName("model");
                    json.writeStartObject();
                    json.writeStringProperty("type", "BPE");
                    json.writeNullProperty("dropout");
                    json.writeStringProperty("unk_token", tokens.get(Llama2cConverter.UNKNOWN_ID));
                    json.writeNullProperty("continuing_subword_prefix");
                    json.writeNullProperty("end_of_word_suffix");
                    json.writeBooleanProperty("fuse_unk", true);
                    json.writeBooleanProperty("byte_fallback", true);
                    json.writeBooleanProperty("ignore_merges", false);
                    json.writeName("vocab");
                    json.writeStartObject();
                    for (int id = 0; id < tokens.size(); id++) {
                        json.writeNumberProperty(tokens.get(id), id);
                    }
                    json.writeEndObject();
                    json.writeName("merges");
                    json.writeStartArray();
                    for (Merge m : merges) {
                        json.writeString(tokens.get(m.left()) + " " + tokens.get(m.right()));
                    }
                    json.writeEndArray();
                    json.writeEndObject();
                    json.writeEndObject();
                });
    }

    /**
     * Every split of a normal token into two tokens that are not special, as Hugging Face's
     * converter from SentencePiece lists them.
     */
    private static List<Merge> merges(Vocabulary vocabulary, Map<String, Integer> ids) {
        List<String> tokens = vocabulary.tokens();
        int[] types = vocabulary.types();
        List<Merge> merges = new ArrayList<>();
        for (int id = 0; id < tokens.size(); id++) {
            String text = tokens.get(id);
            if (types[id] != Llama2cConverter.TYPE_NORMAL) {
                continue;
            }
            for (int at = text.offsetByCodePoints(0, 1);
                    at < text.length();
                    at = text.offsetByCodePoints(at, 1)) {
                Integer left = ids.get(text.substring(0, at));
                Integer right = ids.get(text.substring(at));
                if (left != null && right != null && isPart(types[left]) && isPart(types[right])) {
                    merges.add(new Merge(id, left, right));
                }
            }
        }
        return merges;
    }

    private static boolean isPart(int type) {
        return type == Llama2cConverter.TYPE_NORMAL || type == Llama2cConverter.TYPE_BYTE;
    }

    private static void replace(JsonGenerator json, String pattern, String content) {
        json.writeStartObject();
        json.writeStringProperty("type", "Replace");
        json.writeName("pattern");
        json.writeStartObject();
        json.writeStringProperty("String", pattern);
        json.writeEndObject();
        json.writeStringProperty("content", content);
        json.writeEndObject();
    }

    /** A BOS before each sequence, as Llama 2's {@code TemplateProcessing} adds it. */
    private static void postProcessor(JsonGenerator json, String bos) {
        json.writeName("post_processor");
        json.writeStartObject();
        json.writeStringProperty("type", "TemplateProcessing");
        json.writeName("single");
        json.writeStartArray();
        piece(json, "SpecialToken", bos, 0);
        piece(json, "Sequence", "A", 0);
        json.writeEndArray();
        json.writeName("pair");
        json.writeStartArray();
        piece(json, "SpecialToken", bos, 0);
        piece(json, "Sequence", "A", 0);
        piece(json, "SpecialToken", bos, 1);
        piece(json, "Sequence", "B", 1);
        json.writeEndArray();
        json.writeName("special_tokens");
        json.writeStartObject();
        json.writeName(bos);
        json.writeStartObject();
        json.writeStringProperty("id", bos);
        json.writeName("ids");
        json.writeStartArray();
        json.writeNumber(Llama2cConverter.BOS_ID);
        json.writeEndArray();
        json.writeName("tokens");
        json.writeStartArray();
        json.writeString(bos);
        json.writeEndArray();
        json.writeEndObject();
        json.writeEndObject();
        json.writeEndObject();
    }

    /** A template piece: {@code {"SpecialToken": {"id": ..., "type_id": ...}}} or a Sequence. */
    private static void piece(JsonGenerator json, String kind, String id, int typeId) {
        json.writeStartObject();
        json.writeName(kind);
        json.writeStartObject();
        json.writeStringProperty("id", id);
        json.writeNumberProperty("type_id", typeId);
        json.writeEndObject();
        json.writeEndObject();
    }

    /** What writes one JSON document. */
    @FunctionalInterface
    private interface JsonContent {
        void write(JsonGenerator json);
    }

    /** A document indented as Hugging Face's files are, UTF-8 with characters unescaped. */
    private static byte[] json(JsonContent content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator json = new JsonFactory().createGenerator(new Indented(), out)) {
            content.write(json);
        }
        out.write('\n');
        return out.toByteArray();
    }

    /** A write context whose generators indent. */
    private static final class Indented extends ObjectWriteContext.Base {
        @Override
        public PrettyPrinter getPrettyPrinter() {
            return new DefaultPrettyPrinter();
        }

        @Override
        public boolean hasPrettyPrinter() {
            return true;
        }
    }
}
