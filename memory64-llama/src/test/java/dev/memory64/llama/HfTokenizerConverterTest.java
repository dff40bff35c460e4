package dev.memory64.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memory64.gguf.GgmlType;
import dev.memory64.gguf.GgufModel;
import dev.memory64.gguf.GgufValue;
import dev.memory64.gguf.GgufWriter;
import dev.memory64.llama.reference.SyntheticLlama;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link HfTokenizerConverter} on a small hand-made Llama 3-style {@code tokenizer.json} (the 256
 * byte-level characters, three merges, a gap in the ids, a special and a non-special added token),
 * the guest's BPE encoding of it (runs without npm), and the strict {@link Json} reader under it.
 */
class HfTokenizerConverterTest {
    @TempDir Path dir;

    /** GPT-2's bytes_to_unicode: the character standing for each byte. */
    static String byteLevel(int b) {
        boolean printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174;
        if (printable) {
            return String.valueOf((char) b);
        }
        int n = 0;
        for (int c = 0; c < b; c++) {
            if (!((c >= 33 && c <= 126) || (c >= 161 && c <= 172) || c >= 174)) {
                n++;
            }
        }
        return String.valueOf((char) (256 + n));
    }

    static final int THE = 258;
    static final int BOT = 300;
    static final int EXTRA = 301;

    /** The vocabulary: bytes 0..255, "Ġt" 256, "he" 257, "Ġthe" 258, gap, two added tokens. */
    String tokenizerJson(String merges, String regex) {
        StringBuilder vocab = new StringBuilder();
        for (int b = 0; b < 256; b++) {
            String c = byteLevel(b);
            String escaped =
                    c.equals("\"") || c.equals("\\")
                            ? "\\" + c
                            : String.format(Locale.ROOT, "\\u%04x", (int) c.charAt(0));
            vocab.append('"').append(escaped).append("\": ").append(b).append(", ");
        }
        vocab.append("\"\u0120t\": 256, \"he\": 257, \"\u0120the\": 258");
        return """
                {"version": "1.0", "added_tokens": [
                  {"id": 300, "content": "<|begin_of_text|>", "special": true},
                  {"id": 301, "content": "<extra>", "special": false}],
                 "normalizer": null,
                 "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
                   {"type": "Split", "pattern": {"Regex": %s}, "behavior": "Isolated",
                    "invert": false},
                   {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true,
                    "use_regex": false}]},
                 "model": {"type": "BPE", "byte_fallback": false, "ignore_merges": true,
                   "vocab": {%s}, "merges": %s}}
                """
                .formatted(quote(regex), vocab, merges);
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    Map<String, GgufValue> metadata(String merges) throws IOException {
        return HfTokenizerConverter.metadata(
                write(
                        "tokenizer.json",
                        tokenizerJson(merges, HfTokenizerConverter.LLAMA3_PRE_TOKENIZER_REGEX)),
                write(
                        "tokenizer_config.json",
                        "{\"bos_token\": \"<|begin_of_text|>\", \"eos_token\": {\"content\":"
                                + " \"<extra>\"}, \"add_bos_token\": true}"));
    }

    @Test
    void writesLlamaCppsKeysTypesAndMerges() throws IOException {
        Map<String, GgufValue> m = metadata("[\"\u0120 t\", [\"h\", \"e\"], \"\u0120t he\"]");
        assertEquals(
                List.of(
                        "tokenizer.ggml.model",
                        "tokenizer.ggml.pre",
                        "tokenizer.ggml.tokens",
                        "tokenizer.ggml.token_type",
                        "tokenizer.ggml.merges",
                        "tokenizer.ggml.bos_token_id",
                        "tokenizer.ggml.eos_token_id",
                        "tokenizer.ggml.add_bos_token"),
                List.copyOf(m.keySet()));
        assertEquals(GgufValue.string("gpt2"), m.get("tokenizer.ggml.model"));
        assertEquals(GgufValue.string("llama-bpe"), m.get("tokenizer.ggml.pre"));
        GgufValue.ArrayValue tokens = (GgufValue.ArrayValue) m.get("tokenizer.ggml.tokens");
        assertEquals(302, tokens.size());
        assertEquals(GgufValue.string("\u0120the"), tokens.get(THE));
        assertEquals(GgufValue.string("[PAD259]"), tokens.get(259));
        assertEquals(GgufValue.string("<|begin_of_text|>"), tokens.get(BOT));
        GgufValue.ArrayValue types = (GgufValue.ArrayValue) m.get("tokenizer.ggml.token_type");
        assertEquals(GgufValue.int32(1), types.get(THE));
        assertEquals(GgufValue.int32(5), types.get(259));
        assertEquals(GgufValue.int32(3), types.get(BOT));
        assertEquals(GgufValue.int32(4), types.get(EXTRA));
        GgufValue.ArrayValue merges = (GgufValue.ArrayValue) m.get("tokenizer.ggml.merges");
        assertEquals(GgufValue.string("h e"), merges.get(1));
        assertEquals(GgufValue.uint32(BOT), m.get("tokenizer.ggml.bos_token_id"));
        assertEquals(GgufValue.uint32(EXTRA), m.get("tokenizer.ggml.eos_token_id"));
        assertEquals(GgufValue.bool(true), m.get("tokenizer.ggml.add_bos_token"));
    }

    @Test
    void guestEncodesBySpecialTokensPreTokensAndMergeRanks() throws IOException {
        Path gguf =
                SyntheticLlama.of(8, 16, 1, 2, 2, 302)
                        .withSparse(true)
                        .write(
                                dir.resolve("small.gguf"),
                                metadata("[\"\u0120 t\", \"h e\", \"\u0120t he\"]"));
        try (GgufModel model = GgufModel.open(gguf);
                Guest guest = ChicoryGuest.start(model.store())) {
            assertEquals(0, guest.call("m64_init_tokenizer"), guest.stderr());
            assertEquals(302, guest.call("m64_vocab_size"));
            // " the" is one piece and one token; "the" merges h+e only; <extra> is matched whole
            assertArrayEquals(
                    new int[] {BOT, 't', 257, THE, EXTRA, ' ', '\n', 0},
                    BpeTokenizerTest.encode(guest, "<|begin_of_text|>the the<extra> \n\0", false));
            assertArrayEquals(new int[] {BOT, 'x'}, BpeTokenizerTest.encode(guest, "x", true));
            assertArrayEquals(
                    "<|begin_of_text|>the\0".getBytes(StandardCharsets.UTF_8),
                    BpeTokenizerTest.decode(guest, new int[] {BOT, 't', 257, 0}));
        }
    }

    @Test
    void rejectsAnotherPreTokenizer() throws IOException {
        Path file = write("tokenizer.json", tokenizerJson("[]", "\\s+|\\p{L}+"));
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class, () -> HfTokenizerConverter.metadata(file));
        assertTrue(e.getMessage().contains("not Llama 3's"), e.getMessage());
    }

    @Test
    void rejectsAMergeThatIsNotTwoPieces() throws IOException {
        Path file =
                write(
                        "tokenizer.json",
                        tokenizerJson(
                                "[\"abc\"]", HfTokenizerConverter.LLAMA3_PRE_TOKENIZER_REGEX));
        assertThrows(IllegalArgumentException.class, () -> HfTokenizerConverter.metadata(file));
    }

    /**
     * Hugging Face's normalizer of a Llama 2 tokenizer.json, and the Metaspace form of newer ones.
     */
    static final String LLAMA2_NORMALIZER =
            """
            "normalizer": {"type": "Sequence", "normalizers": [
              {"type": "Prepend", "prepend": "▁"},
              {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]},
            "pre_tokenizer": null""";

    static final String METASPACE =
            """
            "normalizer": null,
            "pre_tokenizer": {"type": "Metaspace", "replacement": "▁",
              "prepend_scheme": "first", "split": false}""";

    /** A Llama 2-style tokenizer: specials, one byte token, "▁", "a", "b" and three merged. */
    static String llama2Json(String spaces) {
        return """
                {"version": "1.0", "added_tokens": [
                  {"id": 0, "content": "<unk>", "special": true},
                  {"id": 1, "content": "<s>", "special": true},
                  {"id": 2, "content": "</s>", "special": true}],
                 %s,
                 "model": {"type": "BPE", "unk_token": "<unk>", "byte_fallback": true,
                   "vocab": {"<unk>": 0, "<s>": 1, "</s>": 2, "<0x41>": 3, "▁": 4, "a": 5,
                     "b": 6, "▁a": 7, "ab": 8, "▁ab": 9},
                   "merges": ["▁ a", "a b", "▁a b", "▁ ab"]}}
                """
                .formatted(spaces);
    }

    @Test
    void readsALlama2TokenizerAsSentencePieceWithScoresFromMergeRanks() throws IOException {
        Map<String, GgufValue> m =
                HfTokenizerConverter.metadata(
                        write("tokenizer.json", llama2Json(LLAMA2_NORMALIZER)));
        List<String> keys =
                Stream.of("model", "tokens", "scores", "token_type", "unknown_token_id")
                        .map(k -> "tokenizer.ggml." + k)
                        .toList();
        assertEquals(keys, List.copyOf(m.keySet()));
        assertEquals(GgufValue.string("llama"), m.get("tokenizer.ggml.model"));
        assertEquals(GgufValue.uint32(0), m.get("tokenizer.ggml.unknown_token_id"));
        List<Long> types = new ArrayList<>();
        List<Double> scores = new ArrayList<>();
        for (int id = 0; id < 10; id++) {
            types.add(((GgufValue.ArrayValue) m.get("tokenizer.ggml.token_type")).get(id).asLong());
            scores.add(((GgufValue.ArrayValue) m.get("tokenizer.ggml.scores")).get(id).asDouble());
        }
        assertEquals(List.of(2L, 3L, 3L, 6L, 1L, 1L, 1L, 1L, 1L, 1L), types);
        double none = HfTokenizerConverter.NO_MERGE_SCORE;
        // "▁ab" is made by ranks 2 and 3: the first counts
        assertEquals(List.of(none, none, none, none, none, none, none, 0.0, -1.0, -2.0), scores);
        assertEquals(
                m, HfTokenizerConverter.metadata(write("metaspace.json", llama2Json(METASPACE))));

        // A GGUF of the vocabulary alone (and one tensor): m64_init_tokenizer reads no weights.
        GgufWriter.Builder vocabulary = GgufWriter.builder();
        m.forEach(vocabulary::addMetadata);
        Path gguf = dir.resolve("llama2-vocab.gguf");
        vocabulary
                .addTensor("token_embd.weight", GgmlType.F32, new long[] {4, 2}, new byte[32])
                .build()
                .write(gguf);
        try (GgufModel model = GgufModel.open(gguf);
                Guest guest = ChicoryGuest.start(model.store())) {
            assertEquals(0, guest.call("m64_init_tokenizer"), guest.stderr());
            // " a" merges first (rank 0), then " a"+"b" (rank 2): Hugging Face's order
            assertArrayEquals(new int[] {1, 9, 7}, BpeTokenizerTest.encode(guest, "ab a", true));
            assertArrayEquals(new int[] {1, 4, 3, 8}, BpeTokenizerTest.encode(guest, "Aab", true));
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "a Metaspace that splits|Metaspace|\"split\": false|\"split\": true",
                "a Metaspace that never prepends|Metaspace|\"first\"|\"never\"",
                "a lowercasing normalizer|Lowercase|\"Prepend\"|\"Lowercase\"",
                "both a normalizer and a pre-tokenizer|Llama 2's|\"normalizer\": null|"
                        + "\"normalizer\": {\"type\": \"NFC\"}",
            })
    void refusesALlama2TokenizerWhoseSpacesAreNotLlama2s(
            String rule, String named, String from, String to) throws IOException {
        String spaces =
                rule.contains("Metaspace") || rule.contains("both") ? METASPACE : LLAMA2_NORMALIZER;
        Path file = write("tokenizer.json", llama2Json(spaces).replace(from, to));
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class, () -> HfTokenizerConverter.metadata(file));
        assertTrue(e.getMessage().contains(named), rule + ": " + e.getMessage());
    }

    @Test
    void jsonReadsValuesInOrder() {
        Object v =
                Json.parse(
                        " {\"a\": [1, -2.5e3, true, false, null, \"\\u00e9\\ud83d\\ude00\\n\"],"
                                + " \"b\": {}, \"c\": 12345678901234567890} ");
        Map<?, ?> map = (Map<?, ?>) v;
        assertEquals(List.of("a", "b", "c"), new ArrayList<>(map.keySet()));
        List<?> a = (List<?>) map.get("a");
        assertEquals(1L, a.get(0));
        assertEquals(new java.math.BigDecimal("-2.5e3"), a.get(1));
        assertEquals(Json.NULL, a.get(4));
        assertEquals("é😀\n", a.get(5));
        assertEquals(new java.math.BigDecimal("12345678901234567890"), map.get("c"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "trailing text|{} x",
                "duplicate key|{\"a\": 1, \"a\": 2}",
                "leading zero|[01]",
                "trailing comma|[1,]",
                "raw control character|[\"a\tb\"]",
                "lone low surrogate escape|[\"\\udc00\"]",
                "high surrogate escape alone|[\"\\ud800x\"]",
                "invalid escape|[\"\\x\"]",
                "bare word|[nul]",
                "unterminated string|[\"abc",
                "empty document|''",
                "single quotes|['a']",
                "missing exponent digits|[1e]",
            })
    void jsonRejects(String rule, String text) {
        assertThrows(IllegalArgumentException.class, () -> Json.parse(text), rule);
    }
}
