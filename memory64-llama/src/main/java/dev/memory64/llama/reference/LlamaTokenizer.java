package dev.memory64.llama.reference;

import dev.memory64.gguf.GgufValue;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The SentencePiece-style tokenizer of llama2.c's {@code run.c} ({@code tokenizer.ggml.model =
 * llama}), over a GGUF vocabulary: encodes text into token ids and decodes ids into the bytes
 * {@code run.c} prints. A reference for tests, not a fast tokenizer.
 *
 * <p>Encoding: a BOS if asked, a leading space piece before non-empty text, each UTF-8 character as
 * its token or, when the vocabulary lacks it, as its bytes' tokens ({@code <0xHH>}, id byte + 3),
 * then repeatedly the leftmost adjacent pair whose concatenation is a token with the highest score
 * is merged into it, until no pair is a token; an EOS if asked. Decoding: one leading space is
 * dropped after a BOS, {@code <0xHH>} becomes the raw byte, and a piece of one byte that is neither
 * printable ASCII nor whitespace prints as nothing ({@code run.c}'s {@code safe_printf}). A control
 * token (such as BOS or EOS) decodes to nothing: the GGUF holds {@code </s>} where {@code run.c}'s
 * {@code tokenizer.bin} held {@code "\n</s>\n"}.
 *
 * <p>GGUF writes a piece's spaces as U+2581 ({@code ▁}); this class reads them as spaces.
 */
public final class LlamaTokenizer {

    private static final int TYPE_CONTROL = 3;

    private final String[] pieces;
    private final float[] scores;
    private final int[] types;
    private final Map<String, Integer> ids;
    private final int bos;
    private final int eos;

    /**
     * Creates a tokenizer from a vocabulary.
     *
     * @param pieces the tokens' texts, with spaces as spaces (not U+2581)
     * @param scores their merge scores
     * @param types their llama.cpp token types (3 is control), or null for none
     * @param bos the BOS id
     * @param eos the EOS id
     * @throws IllegalArgumentException if the lengths differ or an id is outside the vocabulary
     */
    public LlamaTokenizer(List<String> pieces, float[] scores, int[] types, int bos, int eos) {
        this.pieces = pieces.toArray(String[]::new);
        this.scores = scores.clone();
        this.types = types == null ? new int[this.pieces.length] : types.clone();
        if (this.scores.length != this.pieces.length
                || this.types.length != this.pieces.length
                || bos < 0
                || bos >= this.pieces.length
                || eos < 0
                || eos >= this.pieces.length) {
            throw new IllegalArgumentException(
                    "tokenizer: "
                            + this.pieces.length
                            + " pieces, "
                            + this.scores.length
                            + " scores, "
                            + this.types.length
                            + " types, bos "
                            + bos
                            + ", eos "
                            + eos);
        }
        this.bos = bos;
        this.eos = eos;
        this.ids = new HashMap<>();
        for (int id = 0; id < this.pieces.length; id++) {
            ids.putIfAbsent(Objects.requireNonNull(this.pieces[id], "piece"), id);
        }
    }

    /**
     * Reads the vocabulary of a GGUF model: {@code tokenizer.ggml.tokens}, {@code scores}, {@code
     * token_type}, {@code bos_token_id} (default 1), {@code eos_token_id} (default 2).
     *
     * @param metadata the model's key/value pairs
     * @return the tokenizer
     * @throws IllegalArgumentException if {@code tokenizer.ggml.model} is not {@code llama} or a
     *     key is missing or of the wrong type
     */
    public static LlamaTokenizer of(Map<String, GgufValue> metadata) {
        GgufValue model = metadata.get("tokenizer.ggml.model");
        if (model == null || !model.asString().equals("llama")) {
            throw new IllegalArgumentException(
                    "tokenizer.ggml.model is " + model + ", not the SentencePiece-style \"llama\"");
        }
        GgufValue tokens = metadata.get("tokenizer.ggml.tokens");
        GgufValue scoreValues = metadata.get("tokenizer.ggml.scores");
        if (tokens == null || scoreValues == null) {
            throw new IllegalArgumentException("no tokenizer.ggml.tokens or tokenizer.ggml.scores");
        }
        List<String> pieces = new ArrayList<>();
        for (String token : tokens.asArray().strings()) {
            pieces.add(token.replace('\u2581', ' '));
        }
        List<GgufValue> s = scoreValues.asArray().elements();
        float[] scores = new float[s.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = (float) s.get(i).asDouble();
        }
        int[] types = null;
        GgufValue typeValues = metadata.get("tokenizer.ggml.token_type");
        if (typeValues != null) {
            List<GgufValue> t = typeValues.asArray().elements();
            types = new int[t.size()];
            for (int i = 0; i < types.length; i++) {
                types[i] = (int) t.get(i).asLong();
            }
        }
        return new LlamaTokenizer(
                pieces,
                scores,
                types,
                id(metadata, "bos_token_id", 1),
                id(metadata, "eos_token_id", 2));
    }

    private static int id(Map<String, GgufValue> metadata, String key, int fallback) {
        GgufValue value = metadata.get("tokenizer.ggml." + key);
        return value == null ? fallback : Math.toIntExact(value.asLong());
    }

    /**
     * Returns the vocabulary's size.
     *
     * @return the number of tokens
     */
    public int size() {
        return pieces.length;
    }

    /**
     * Returns the BOS id.
     *
     * @return the id
     */
    public int bos() {
        return bos;
    }

    /**
     * Returns the EOS id.
     *
     * @return the id
     */
    public int eos() {
        return eos;
    }

    /**
     * Returns a token's text, spaces as spaces.
     *
     * @param id the token
     * @return its piece
     * @throws IndexOutOfBoundsException if the id is outside the vocabulary
     */
    public String piece(int id) {
        return pieces[id];
    }

    /**
     * Encodes text as {@code run.c}'s {@code encode} does.
     *
     * @param text the text
     * @param withBos whether to start with a BOS
     * @param withEos whether to end with an EOS
     * @return the token ids
     */
    public int[] encode(String text, boolean withBos, boolean withEos) {
        List<Integer> tokens = new ArrayList<>();
        if (withBos) {
            tokens.add(bos);
        }
        if (!text.isEmpty()) {
            Integer space = ids.get(" ");
            if (space != null) {
                tokens.add(space);
            }
        }
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            String character = new String(Character.toChars(codePoint));
            i += Character.charCount(codePoint);
            Integer id = ids.get(character);
            if (id != null) {
                tokens.add(id);
            } else {
                for (byte b : character.getBytes(StandardCharsets.UTF_8)) {
                    tokens.add((b & 0xFF) + 3);
                }
            }
        }
        while (true) {
            float best = -1e10f;
            int bestId = -1;
            int bestIndex = -1;
            for (int i = 0; i < tokens.size() - 1; i++) {
                Integer merged = ids.get(pieces[tokens.get(i)] + pieces[tokens.get(i + 1)]);
                if (merged != null && scores[merged] > best) {
                    best = scores[merged];
                    bestId = merged;
                    bestIndex = i;
                }
            }
            if (bestIndex < 0) {
                break;
            }
            tokens.set(bestIndex, bestId);
            tokens.remove(bestIndex + 1);
        }
        if (withEos) {
            tokens.add(eos);
        }
        return tokens.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Decodes one token as {@code run.c}'s {@code decode} and {@code safe_printf} print it.
     *
     * @param previous the token before it (a BOS drops this piece's leading space)
     * @param token the token
     * @return the bytes printed
     */
    public byte[] decode(int previous, int token) {
        if (types[token] == TYPE_CONTROL) {
            return new byte[0];
        }
        String piece = pieces[token];
        if (previous == bos && piece.startsWith(" ")) {
            piece = piece.substring(1);
        }
        byte[] bytes;
        int raw = byteToken(piece);
        if (raw >= 0) {
            bytes = new byte[] {(byte) raw};
        } else {
            bytes = piece.getBytes(StandardCharsets.UTF_8);
        }
        if (bytes.length == 0 || bytes[0] == 0) {
            return new byte[0];
        }
        if (bytes.length == 1) {
            int b = bytes[0] & 0xFF;
            boolean printable = b >= 0x20 && b <= 0x7E;
            boolean space = b == ' ' || (b >= '\t' && b <= '\r');
            if (!printable && !space) {
                return new byte[0];
            }
        }
        return bytes;
    }

    /**
     * Decodes a sequence as {@code run.c} prints it: each token after the first, decoded after the
     * one before it.
     *
     * @param tokens the tokens, the first usually a BOS
     * @return the bytes printed
     */
    public byte[] decode(int[] tokens) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 1; i < tokens.length; i++) {
            out.writeBytes(decode(tokens[i - 1], tokens[i]));
        }
        return out.toByteArray();
    }

    /** {@code <0xHH>} (one or two hex digits, as {@code sscanf("<0x%02hhX>")} reads), or -1. */
    private static int byteToken(String piece) {
        if (!piece.startsWith("<0x")) {
            return -1;
        }
        int value = 0;
        int digits = 0;
        while (digits < 2 && 3 + digits < piece.length()) {
            int d = Character.digit(piece.charAt(3 + digits), 16);
            if (d < 0) {
                break;
            }
            value = value * 16 + d;
            digits++;
        }
        return digits == 0 ? -1 : value;
    }
}
