package dev.memory64.llama;

import dev.memory64.gguf.GgufValue;
import dev.memory64.gguf.GgufValueType;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Builds the GGUF tokenizer metadata of a Hugging Face byte-level BPE tokenizer ({@code
 * tokenizer.json}, and {@code tokenizer_config.json} for the special ids) as llama.cpp's {@code
 * convert_hf_to_gguf.py} writes it for Llama 3: {@code tokenizer.ggml.model = gpt2}, {@code
 * tokenizer.ggml.pre = llama-bpe}, {@code tokenizer.ggml.tokens} (the vocabulary's byte-level text,
 * id by id), {@code tokenizer.ggml.token_type} (NORMAL 1; an added token CONTROL 3 if it is special
 * or looks it, {@code <|…|>}, else USER_DEFINED 4; a gap in the ids {@code [PADn]} UNUSED 5),
 * {@code tokenizer.ggml.merges} ({@code "left right"} in rank order), {@code
 * tokenizer.ggml.bos_token_id} / {@code eos_token_id}, and where the configuration has them {@code
 * tokenizer.ggml.add_bos_token} and {@code tokenizer.chat_template}. The guest's BPE tokenizer
 * ({@code guests/c/bpe.h}) reads exactly these.
 *
 * <p>Only the Llama 3 pre-tokenizer is recognised (a {@code Split} by {@link
 * #LLAMA3_PRE_TOKENIZER_REGEX} then a {@code ByteLevel} without its own regex); llama.cpp tells
 * pre-tokenizers apart by hashing a test string's encoding, which needs the tokenizer library this
 * converter does without.
 *
 * <p>A Llama 2 (SentencePiece) tokenizer, a BPE with {@code byte_fallback} whose spaces are U+2581
 * with one prepended (a normalizer {@code Prepend} + {@code Replace}, or a {@code Metaspace}
 * pre-tokenizer), gives {@code tokenizer.ggml.model = llama} as llama.cpp's own converter does:
 * {@code tokens}, {@code scores}, {@code token_type} (a {@code <0xHH>} piece BYTE 6, the {@code
 * unk_token} UNKNOWN 2) and {@code unknown_token_id}. A {@code tokenizer.json} has merge ranks, not
 * SentencePiece's scores, so the scores are derived from them: the token the merge of rank r makes
 * scores {@code -r} (its first merge's), a token no merge makes {@link #NO_MERGE_SCORE}. The guest
 * (and llama.cpp) merge the adjacent pair whose merged token scores highest, which is then the pair
 * of the lowest rank, as Hugging Face's BPE merges, wherever every split of a token into two tokens
 * is a merge (as Hugging Face's converter from SentencePiece writes them).
 */
public final class HfTokenizerConverter {
    /** The Llama 3 pre-tokenizer's regex, as {@code tokenizer.json} spells it. */
    public static final String LLAMA3_PRE_TOKENIZER_REGEX =
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}|"
                    + " ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    /** llama.cpp's token types ({@code gguf.TokenType}). */
    static final int NORMAL = 1;

    static final int UNKNOWN = 2;
    static final int CONTROL = 3;
    static final int USER_DEFINED = 4;
    static final int UNUSED = 5;
    static final int BYTE = 6;

    /**
     * The score of a token no merge makes, in a SentencePiece vocabulary: below the guest's
     * starting best score, so that it is never merged into.
     */
    static final float NO_MERGE_SCORE = -1e10f;

    /** SentencePiece's space, U+2581. */
    private static final String SPACE = "\u2581";

    private static final Pattern BYTE_PIECE = Pattern.compile("<0x[0-9A-F]{2}>");

    private HfTokenizerConverter() {}

    /**
     * Returns the tokenizer metadata of a {@code tokenizer.json} alone: no special ids.
     *
     * @param tokenizerJson the tokenizer's {@code tokenizer.json}
     * @return the {@code tokenizer.*} keys, in llama.cpp's order
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if it is not valid JSON or not a Llama 3 byte-level BPE
     *     tokenizer
     */
    public static Map<String, GgufValue> metadata(Path tokenizerJson) throws IOException {
        return build(read(tokenizerJson), Map.of());
    }

    /**
     * Returns the tokenizer metadata of a {@code tokenizer.json} with its {@code
     * tokenizer_config.json} ({@code bos_token}, {@code eos_token}, {@code add_bos_token}, {@code
     * chat_template}).
     *
     * @param tokenizerJson the tokenizer's {@code tokenizer.json}
     * @param tokenizerConfig its {@code tokenizer_config.json}
     * @return the {@code tokenizer.*} keys, in llama.cpp's order
     * @throws IOException if a file cannot be read
     * @throws IllegalArgumentException if a file is not valid JSON, the tokenizer is not a Llama 3
     *     byte-level BPE tokenizer, or a special token of the configuration is not in it
     */
    public static Map<String, GgufValue> metadata(Path tokenizerJson, Path tokenizerConfig)
            throws IOException {
        return build(read(tokenizerJson), read(tokenizerConfig));
    }

    /**
     * Returns the tokenizer metadata of a {@code tokenizer.json}, with its {@code
     * tokenizer_config.json} if there is one, read as bytes (a remote checkpoint's).
     *
     * @param tokenizerName where the tokenizer was read, for messages
     * @param tokenizerJson its bytes
     * @param configName where the configuration was read, for messages; null if there is none
     * @param tokenizerConfig its bytes; null if there is none
     * @return the {@code tokenizer.*} keys, in llama.cpp's order
     * @throws IOException if a file is not UTF-8
     * @throws IllegalArgumentException as {@link #metadata(Path, Path)}
     */
    static Map<String, GgufValue> metadata(
            String tokenizerName, byte[] tokenizerJson, String configName, byte[] tokenizerConfig)
            throws IOException {
        return build(
                parse(tokenizerName, decode(tokenizerJson)),
                tokenizerConfig == null ? Map.of() : parse(configName, decode(tokenizerConfig)));
    }

    private static String decode(byte[] bytes) throws IOException {
        // Strict, as Files.readString is for a local file: malformed UTF-8 is an error.
        return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
    }

    private static Map<String, Object> read(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        return parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
    }

    private static Map<String, Object> parse(String name, String text) {
        try {
            return object(Json.parse(text), name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, GgufValue> build(
            Map<String, Object> tokenizer, Map<String, Object> config) {
        Map<String, Object> model = object(tokenizer.get("model"), "model");
        if (!"BPE".equals(model.get("type"))) {
            throw new IllegalArgumentException(
                    "tokenizer.json: model.type " + model.get("type") + " is not BPE");
        }
        boolean sentencePiece = Boolean.TRUE.equals(model.get("byte_fallback"));
        if (sentencePiece) {
            requireSentencePieceNormalizer(tokenizer);
        } else {
            requireLlama3PreTokenizer(tokenizer.get("pre_tokenizer"));
        }
        Object unk = model.get("unk_token");
        Vocab vocab = vocab(tokenizer, model, sentencePiece && unk instanceof String u ? u : null);
        List<String> merges = merges(model);

        Map<String, GgufValue> m = new LinkedHashMap<>();
        if (sentencePiece) {
            m.put("tokenizer.ggml.model", GgufValue.string("llama"));
            m.put("tokenizer.ggml.tokens", GgufValue.stringArray(vocab.tokens()));
            m.put(
                    "tokenizer.ggml.scores",
                    GgufValue.array(GgufValueType.FLOAT32, scores(vocab, merges)));
            m.put("tokenizer.ggml.token_type", GgufValue.array(GgufValueType.INT32, vocab.types()));
            if (unk instanceof String u && vocab.ids().containsKey(u)) {
                m.put("tokenizer.ggml.unknown_token_id", GgufValue.uint32(vocab.ids().get(u)));
            }
        } else {
            m.put("tokenizer.ggml.model", GgufValue.string("gpt2"));
            m.put("tokenizer.ggml.pre", GgufValue.string("llama-bpe"));
            m.put("tokenizer.ggml.tokens", GgufValue.stringArray(vocab.tokens()));
            m.put("tokenizer.ggml.token_type", GgufValue.array(GgufValueType.INT32, vocab.types()));
            m.put("tokenizer.ggml.merges", GgufValue.stringArray(merges));
        }
        specialId(config, "bos_token", vocab.ids())
                .ifPresent(id -> m.put("tokenizer.ggml.bos_token_id", GgufValue.uint32(id)));
        specialId(config, "eos_token", vocab.ids())
                .ifPresent(id -> m.put("tokenizer.ggml.eos_token_id", GgufValue.uint32(id)));
        if (config.get("add_bos_token") instanceof Boolean add) {
            m.put("tokenizer.ggml.add_bos_token", GgufValue.bool(add));
        }
        if (config.get("chat_template") instanceof String template) {
            m.put("tokenizer.chat_template", GgufValue.string(template));
        }
        return m;
    }

    /** The tokens by id (a gap filled as {@code [PADn]}), their types, and each text's first id. */
    private record Vocab(List<String> tokens, List<GgufValue> types, Map<String, Integer> ids) {}

    /**
     * Reads {@code model.vocab} then {@code added_tokens}. In a SentencePiece vocabulary ({@code
     * unk} not null) a {@code <0xHH>} piece is a BYTE token and the unknown token UNKNOWN.
     */
    private static Vocab vocab(
            Map<String, Object> tokenizer, Map<String, Object> model, String unk) {
        Map<Integer, String> byId = new HashMap<>();
        Map<Integer, Integer> types = new HashMap<>();
        int size = 0;
        for (Map.Entry<String, Object> e : object(model.get("vocab"), "model.vocab").entrySet()) {
            int id = id(e.getValue(), "model.vocab \"" + e.getKey() + "\"");
            if (byId.put(id, e.getKey()) != null) {
                throw new IllegalArgumentException("tokenizer.json: id " + id + " twice in vocab");
            }
            types.put(id, unk == null ? NORMAL : sentencePieceType(e.getKey(), unk, NORMAL));
            size = Math.max(size, id + 1);
        }
        for (Object o : list(tokenizer.get("added_tokens"), "added_tokens")) {
            Map<String, Object> added = object(o, "added_tokens[]");
            int id = id(added.get("id"), "added_tokens[].id");
            String content = string(added.get("content"), "added_tokens[].content");
            byId.put(id, content);
            boolean special = Boolean.TRUE.equals(added.get("special"));
            int type =
                    special || (content.startsWith("<|") && content.endsWith("|>"))
                            ? CONTROL
                            : USER_DEFINED;
            types.put(id, unk == null ? type : sentencePieceType(content, unk, type));
            size = Math.max(size, id + 1);
        }
        List<String> tokens = new ArrayList<>(size);
        List<GgufValue> tokenTypes = new ArrayList<>(size);
        Map<String, Integer> ids = new HashMap<>();
        for (int id = 0; id < size; id++) {
            String text = byId.get(id);
            int type = types.getOrDefault(id, UNUSED);
            if (text == null) {
                text = "[PAD" + id + "]";
            }
            tokens.add(text);
            tokenTypes.add(GgufValue.int32(type));
            ids.putIfAbsent(text, id);
        }
        return new Vocab(tokens, tokenTypes, ids);
    }

    private static int sentencePieceType(String text, String unk, int otherwise) {
        if (text.equals(unk)) {
            return UNKNOWN;
        }
        return BYTE_PIECE.matcher(text).matches() ? BYTE : otherwise;
    }

    /** {@code model.merges} as {@code "left right"}, in rank order. */
    private static List<String> merges(Map<String, Object> model) {
        List<String> merges = new ArrayList<>();
        for (Object o : list(model.get("merges"), "model.merges")) {
            if (o instanceof String s) {
                if (s.indexOf(' ') <= 0 || s.indexOf(' ') != s.lastIndexOf(' ')) {
                    throw new IllegalArgumentException(
                            "tokenizer.json: merge \"" + s + "\" is not two pieces");
                }
                merges.add(s);
            } else {
                List<Object> pair = list(o, "model.merges[]");
                String left = pair.size() == 2 ? string(pair.get(0), "merge") : "";
                String right = pair.size() == 2 ? string(pair.get(1), "merge") : "";
                if (left.isEmpty() || right.isEmpty() || (left + right).indexOf(' ') >= 0) {
                    throw new IllegalArgumentException(
                            "tokenizer.json: merge " + pair + " is not two pieces");
                }
                merges.add(left + " " + right);
            }
        }
        return merges;
    }

    /**
     * SentencePiece scores from merge ranks: the token a merge of rank r makes scores {@code -r}
     * (its first merge's), every other token {@link #NO_MERGE_SCORE}. The guest's merging, of the
     * adjacent pair whose merged token scores highest, then merges in HF's rank order.
     */
    private static List<GgufValue> scores(Vocab vocab, List<String> merges) {
        float[] scores = new float[vocab.tokens().size()];
        Arrays.fill(scores, NO_MERGE_SCORE);
        boolean[] merged = new boolean[scores.length];
        for (int rank = 0; rank < merges.size(); rank++) {
            String merge = merges.get(rank);
            String text = merge.replace(" ", "");
            Integer id = vocab.ids().get(text);
            if (id == null) {
                throw new IllegalArgumentException(
                        "tokenizer.json: merge \"" + merge + "\" makes no token of the vocabulary");
            }
            if (!merged[id]) {
                merged[id] = true;
                scores[id] = -rank;
            }
        }
        List<GgufValue> values = new ArrayList<>(scores.length);
        for (float score : scores) {
            values.add(GgufValue.float32(score));
        }
        return values;
    }

    /**
     * The SentencePiece form of Hugging Face's Llama 2 tokenizer: spaces become U+2581 and one is
     * prepended, by a normalizer {@code Sequence[Prepend, Replace]} (no pre-tokenizer), or by a
     * {@code Metaspace} pre-tokenizer that prepends (no normalizer).
     */
    private static void requireSentencePieceNormalizer(Map<String, Object> tokenizer) {
        Object normalizer = tokenizer.get("normalizer");
        Object pre = tokenizer.get("pre_tokenizer");
        boolean absentNormalizer = normalizer == null || normalizer == Json.NULL;
        boolean absentPre = pre == null || pre == Json.NULL;
        if (!absentNormalizer && absentPre) {
            boolean prepend = false;
            boolean replace = false;
            for (Map<String, Object> step : steps(normalizer, "normalizer", "normalizers")) {
                if ("Prepend".equals(step.get("type")) && SPACE.equals(step.get("prepend"))) {
                    prepend = true;
                } else if ("Replace".equals(step.get("type"))
                        && step.get("pattern") instanceof Map<?, ?> pattern
                        && " ".equals(pattern.get("String"))
                        && SPACE.equals(step.get("content"))) {
                    replace = true;
                } else {
                    throw new IllegalArgumentException(
                            "tokenizer.json: normalizer step "
                                    + step.get("type")
                                    + " is not Llama 2's");
                }
            }
            if (prepend && replace) {
                return;
            }
        } else if (absentNormalizer && !absentPre) {
            Map<String, Object> p = object(pre, "pre_tokenizer");
            Object scheme = p.get("prepend_scheme");
            if ("Metaspace".equals(p.get("type"))
                    && SPACE.equals(p.get("replacement"))
                    && !Boolean.TRUE.equals(p.get("split"))
                    && ("first".equals(scheme)
                            || "always".equals(scheme)
                            || (scheme == null
                                    && Boolean.TRUE.equals(p.get("add_prefix_space"))))) {
                return;
            }
        }
        throw new IllegalArgumentException(
                "tokenizer.json: a byte_fallback BPE whose spaces are not Llama 2's (a normalizer"
                        + " Prepend \"\u2581\" and Replace \" \" by \"\u2581\", or a"
                        + " Metaspace pre-tokenizer that prepends, not split)");
    }

    private static void requireLlama3PreTokenizer(Object pre) {
        boolean split = false;
        boolean byteLevel = false;
        for (Map<String, Object> step : steps(pre, "pre_tokenizer", "pretokenizers")) {
            Object type = step.get("type");
            if ("Split".equals(type)
                    && step.get("pattern") instanceof Map<?, ?> pattern
                    && LLAMA3_PRE_TOKENIZER_REGEX.equals(pattern.get("Regex"))
                    && "Isolated".equals(step.get("behavior"))
                    && !Boolean.TRUE.equals(step.get("invert"))) {
                split = true;
            } else if ("ByteLevel".equals(type) && Boolean.FALSE.equals(step.get("use_regex"))) {
                byteLevel = !Boolean.TRUE.equals(step.get("add_prefix_space"));
            } else {
                throw new IllegalArgumentException(
                        "tokenizer.json: pre-tokenizer step " + type + " is not Llama 3's");
            }
        }
        if (!split || !byteLevel) {
            throw new IllegalArgumentException(
                    "tokenizer.json: the pre-tokenizer is not Llama 3's (a Split by its regex,"
                            + " then a ByteLevel without regex or prefix space)");
        }
    }

    /** The steps of a normalizer or pre-tokenizer: a Sequence's, or the one it is. */
    private static List<Map<String, Object>> steps(Object o, String what, String sequenceKey) {
        Map<String, Object> m = object(o, what);
        if (!"Sequence".equals(m.get("type"))) {
            return List.of(m);
        }
        List<Map<String, Object>> steps = new ArrayList<>();
        for (Object step : list(m.get(sequenceKey), what + "." + sequenceKey)) {
            steps.add(object(step, what + " step"));
        }
        return steps;
    }

    private static Optional<Integer> specialId(
            Map<String, Object> config, String key, Map<String, Integer> ids) {
        Object o = config.get(key);
        if (o instanceof Map<?, ?> added) {
            o = added.get("content");
        }
        if (o == null || o == Json.NULL) {
            return Optional.empty();
        }
        String text = string(o, "tokenizer_config.json " + key);
        Integer id = ids.get(text);
        if (id == null) {
            throw new IllegalArgumentException(
                    "tokenizer_config.json: " + key + " \"" + text + "\" is not a token");
        }
        return Optional.of(id);
    }

    private static int id(Object o, String what) {
        if (o instanceof Long l && l >= 0 && l < Integer.MAX_VALUE) {
            return (int) (long) l;
        }
        throw new IllegalArgumentException(
                "tokenizer.json: " + what + " is not a token id: " + describe(o));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object o, String what) {
        if (o instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        throw new IllegalArgumentException(what + " is not a JSON object: " + describe(o));
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o, String what) {
        if (o instanceof List<?> l) {
            return (List<Object>) l;
        }
        throw new IllegalArgumentException(what + " is not a JSON array: " + describe(o));
    }

    private static String string(Object o, String what) {
        if (o instanceof String s) {
            return s;
        }
        throw new IllegalArgumentException(what + " is not a JSON string: " + describe(o));
    }

    private static String describe(Object o) {
        return o == null
                ? "absent"
                : o == Json.NULL
                        ? "null"
                        : o instanceof BigDecimal d ? d.toPlainString() : o.getClass().getName();
    }
}
