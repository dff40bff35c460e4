package dev.memory64.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memory64.gguf.GgmlType;
import dev.memory64.gguf.GgufModel;
import dev.memory64.gguf.GgufValue;
import dev.memory64.safetensors.SafetensorsDtype;
import dev.memory64.safetensors.SafetensorsModel;
import dev.memory64.safetensors.SafetensorsWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * stories260K written as a Hugging Face llama checkpoint by {@link HfCheckpointConverter} (in
 * {@code ../shared/models}; skipped with one line where it is absent) runs through the inference
 * guest: in F32 it writes run.c's expected texts, in F16 and BF16 the tokens of the project's GGUF
 * of the same model at the same type; its config.json and tokenizer.json have Hugging Face's shape,
 * the tokenizer read back encodes as llama2.c's, and a checkpoint without either file beside it is
 * refused naming the file.
 */
class HfCheckpointTest {
    @TempDir static Path converted;
    @TempDir Path dir;

    static final String[] PROMPTS = {"", LlamaTest.PROMPT, "The little bird could not fly"};

    /** The checkpoint at a dtype, converted once for the class. */
    static Path checkpoint(SafetensorsDtype dtype) throws IOException {
        Path bin = SharedModels.require("stories260K.bin");
        Path directory = converted.resolve("hf-" + dtype);
        synchronized (HfCheckpointTest.class) {
            if (!Files.isDirectory(directory)) {
                HfCheckpointConverter.convert(
                        bin, SharedModels.require("tok512.bin"), directory, dtype);
            }
        }
        return directory.resolve(HfCheckpointConverter.MODEL_FILE);
    }

    /** The project's GGUF of the model at a type, converted once for the class. */
    static Path gguf(GgmlType type) throws IOException {
        Path bin = SharedModels.require("stories260K.bin");
        Path file = converted.resolve("stories260K-" + type + ".gguf");
        synchronized (HfCheckpointTest.class) {
            if (!Files.isRegularFile(file)) {
                Llama2cConverter.convert(bin, SharedModels.require("tok512.bin"), file, type);
            }
        }
        return file;
    }

    static String generate(Path model, String prompt, int steps, List<Integer> tokens)
            throws IOException {
        try (Llama llama = Llama.open(model)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            llama.generate(
                    prompt,
                    GenerationOptions.greedy(steps),
                    (token, piece) -> {
                        tokens.add(token);
                        out.writeBytes(piece);
                    });
            out.write('\n');
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "greedy-200-empty-prompt.txt|''|200",
                "greedy-256-once-upon-a-time-a-dog.txt|Once upon a time, a dog|256",
                "greedy-256-the-little-bird.txt|The little bird could not fly|256"
            })
    void theF32CheckpointWritesWhatRunCPrints(String file, String prompt, int steps)
            throws IOException {
        Path model = checkpoint(SafetensorsDtype.F32);
        byte[] expected = Files.readAllBytes(SharedModels.require("expected/" + file));
        String text = generate(model, prompt, steps, new ArrayList<>());
        assertArrayEquals(expected, text.getBytes(StandardCharsets.UTF_8), text);
    }

    @ParameterizedTest
    @CsvSource({"F16, F16", "BF16, BF16"})
    void aRoundedCheckpointGeneratesTheTokensOfTheGgufOfTheSameType(
            SafetensorsDtype dtype, GgmlType type) throws IOException {
        Path model = checkpoint(dtype);
        Path reference = gguf(type);
        try (SafetensorsModel written = SafetensorsModel.open(model)) {
            for (dev.memory64.TensorInfo tensor : written.store().tensors()) {
                assertEquals(dtype.typeId(), tensor.type(), tensor.name());
            }
        }
        for (String prompt : PROMPTS) {
            List<Integer> fromCheckpoint = new ArrayList<>();
            List<Integer> fromGguf = new ArrayList<>();
            String text = generate(model, prompt, 256, fromCheckpoint);
            assertEquals(generate(reference, prompt, 256, fromGguf), text, prompt);
            assertEquals(fromGguf, fromCheckpoint, prompt);
            assertTrue(fromCheckpoint.size() > 100, text);
        }
    }

    @Test
    void configAndTokenizerHaveHuggingFacesShape() throws IOException {
        Path directory = checkpoint(SafetensorsDtype.BF16).getParent();
        Map<String, Object> config =
                object(Json.parse(Files.readString(directory.resolve("config.json"))));
        assertEquals(List.of("LlamaForCausalLM"), config.get("architectures"));
        assertEquals("llama", config.get("model_type"));
        assertEquals(64L, config.get("hidden_size"));
        assertEquals(172L, config.get("intermediate_size"));
        assertEquals(5L, config.get("num_hidden_layers"));
        assertEquals(8L, config.get("num_attention_heads"));
        assertEquals(4L, config.get("num_key_value_heads"));
        assertEquals(512L, config.get("vocab_size"));
        assertEquals(512L, config.get("max_position_embeddings"));
        assertEquals(1e-5, ((Number) number(config.get("rms_norm_eps"))).doubleValue());
        assertEquals(10000.0, ((Number) number(config.get("rope_theta"))).doubleValue());
        assertEquals(Boolean.TRUE, config.get("tie_word_embeddings"));
        assertEquals("bfloat16", config.get("torch_dtype"));
        assertEquals(1L, config.get("bos_token_id"));
        assertEquals(2L, config.get("eos_token_id"));

        Map<String, Object> tokenizer =
                object(Json.parse(Files.readString(directory.resolve("tokenizer.json"))));
        Map<String, Object> model = object(tokenizer.get("model"));
        assertEquals("BPE", model.get("type"));
        assertEquals(Boolean.TRUE, model.get("byte_fallback"));
        assertEquals("<unk>", model.get("unk_token"));
        Map<String, Object> vocab = object(model.get("vocab"));
        assertEquals(512, vocab.size());
        assertEquals(1L, vocab.get("<s>"));
        assertEquals(3L, vocab.get("<0x00>"));
        assertEquals(258L, vocab.get("<0xFF>"));
        List<?> merges = (List<?>) model.get("merges");
        assertFalse(merges.isEmpty());
        for (Object merge : merges) {
            String[] parts = ((String) merge).split(" ");
            assertEquals(2, parts.length, merge.toString());
            assertTrue(vocab.containsKey(parts[0] + parts[1]), merge.toString());
        }
        List<?> added = (List<?>) tokenizer.get("added_tokens");
        assertEquals(
                List.of("<unk>", "<s>", "</s>"),
                added.stream().map(a -> object(a).get("content")).toList());
        for (Object a : added) {
            assertEquals(Boolean.TRUE, object(a).get("special"));
        }
        Map<String, Object> normalizer = object(tokenizer.get("normalizer"));
        assertEquals("Sequence", normalizer.get("type"));
        List<?> steps = (List<?>) normalizer.get("normalizers");
        assertEquals("Prepend", object(steps.get(0)).get("type"));
        assertEquals("\u2581", object(steps.get(0)).get("prepend"));
        assertEquals("Replace", object(steps.get(1)).get("type"));
        assertEquals(Json.NULL, tokenizer.get("pre_tokenizer"));
        assertEquals("TemplateProcessing", object(tokenizer.get("post_processor")).get("type"));
        assertEquals("Sequence", object(tokenizer.get("decoder")).get("type"));

        try (Llama llama = Llama.open(directory.resolve("model.safetensors"))) {
            assertEquals(512, llama.vocabularySize());
            assertEquals(1, llama.bos());
            assertEquals(2, llama.eos());
            assertEquals(512, llama.maxPositions());
        }
        try (SafetensorsModel checkpoint =
                SafetensorsModel.open(directory.resolve("model.safetensors"))) {
            assertEquals(2 + 9 * 5, checkpoint.store().tensors().size());
            assertEquals(
                    List.of(512L, 64L),
                    checkpoint.parts().get(0).tensors().stream()
                            .filter(t -> t.name().equals("model.embed_tokens.weight"))
                            .findFirst()
                            .orElseThrow()
                            .shape());
            assertTrue(checkpoint.store().tensor("lm_head.weight") == null, "tied");
            assertTrue(checkpoint.store().tensor("model.layers.4.mlp.down_proj.weight") != null);
        }
    }

    @Test
    void theTokenizerReadBackHasLlama2csVocabularyAndMergesInItsScoreOrder() throws IOException {
        Path directory = checkpoint(SafetensorsDtype.F32).getParent();
        Map<String, GgufValue> keys =
                HfTokenizerConverter.metadata(directory.resolve("tokenizer.json"));
        assertEquals(GgufValue.string("llama"), keys.get("tokenizer.ggml.model"));
        Llama2cConverter.Vocabulary vocabulary =
                Llama2cConverter.Vocabulary.read(SharedModels.require("tok512.bin"), 512);
        GgufValue.ArrayValue tokens = (GgufValue.ArrayValue) keys.get("tokenizer.ggml.tokens");
        assertEquals(vocabulary.tokens(), tokens.strings());
        GgufValue.ArrayValue types = (GgufValue.ArrayValue) keys.get("tokenizer.ggml.token_type");
        for (int id = 0; id < 512; id++) {
            assertEquals(vocabulary.types()[id], types.get(id).asLong(), "type of " + id);
        }
        // A token that merges scores in llama2.c's order: its derived score is below another's
        // exactly when its llama2.c score is.
        GgufValue.ArrayValue scores = (GgufValue.ArrayValue) keys.get("tokenizer.ggml.scores");
        List<Integer> merged = new ArrayList<>();
        for (int id = 0; id < 512; id++) {
            if (scores.get(id).asDouble() > HfTokenizerConverter.NO_MERGE_SCORE) {
                merged.add(id);
            }
        }
        assertTrue(merged.size() > 100, merged.toString());
        for (int i = 1; i < merged.size(); i++) {
            int a = merged.get(i - 1);
            int b = merged.get(i);
            assertEquals(
                    Float.compare(vocabulary.scores()[a], vocabulary.scores()[b]),
                    Double.compare(scores.get(a).asDouble(), scores.get(b).asDouble()),
                    "tokens " + a + " and " + b);
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "Once upon a time, a dog",
                "  two  spaces, a tab\tand a newline\n",
                "caf\u00e9 na\u00efve \u4e16\u754c \ud83d\ude00",
                "<s> is text here, </s> too"
            })
    void theGuestEncodesTheWrittenTokenizerAsTheLlama2cOne(String text) throws IOException {
        int[] fromTokenizerJson;
        try (TokenizerGuest tokenizer = tokenizerGuest()) {
            fromTokenizerJson = BpeTokenizerTest.encode(tokenizer.guest(), text, true);
        }
        try (GgufModel model = GgufModel.open(gguf(GgmlType.F32));
                Guest guest = ChicoryGuest.start(model.store(), ChicoryCompiled.MACHINES)) {
            assertEquals(0, guest.call("m64_init_tokenizer"), guest.stderr());
            assertArrayEquals(BpeTokenizerTest.encode(guest, text, true), fromTokenizerJson);
        }
    }

    /**
     * The written tokenizer.json, loaded by transformers.js's tokenizers (the npm package that
     * {@link BpeTokenizerTest} installs; skipped with one line without node or npm), encodes the
     * BPE corpus and the prompts as the guest does from the keys {@link HfTokenizerConverter} reads
     * from it. Left out: strings holding a special token's text ({@code <s>} ...), which Hugging
     * Face's tokenizers match as that token and run.c's encoding does not, and U+2581, which they
     * read as a space.
     */
    @Test
    void hfTokenizersEncodeAsTheGuestDoes() throws Exception {
        Path tokenizerJson =
                checkpoint(SafetensorsDtype.F32)
                        .resolveSibling(HfCheckpointConverter.TOKENIZER_FILE);
        BpeTokenizerTest.installPackage();
        List<String> strings = new ArrayList<>(List.of(PROMPTS));
        for (String s : BpeTokenizerTest.committedCorpus()) {
            if (!s.contains("<s>")
                    && !s.contains("</s>")
                    && !s.contains("<unk>")
                    && !s.contains("\u2581")) {
                strings.add(s);
            }
        }
        List<int[]> expected =
                BpeTokenizerTest.packageEncodings(strings, dir, List.of(tokenizerJson.toString()));
        List<String> mismatches = new ArrayList<>();
        try (TokenizerGuest tokenizer = tokenizerGuest()) {
            for (int i = 0; i < strings.size(); i++) {
                int[] got = BpeTokenizerTest.encode(tokenizer.guest(), strings.get(i), false);
                if (!java.util.Arrays.equals(expected.get(i), got)) {
                    mismatches.add(
                            BpeCorpus.jsonLines(List.of(strings.get(i))).strip()
                                    + ": "
                                    + java.util.Arrays.toString(expected.get(i))
                                    + " vs "
                                    + java.util.Arrays.toString(got));
                }
            }
        }
        assertTrue(strings.size() > 1000, "strings: " + strings.size());
        assertEquals(List.of(), mismatches.subList(0, Math.min(10, mismatches.size())));
    }

    /** The guest over a store with the written tokenizer.json's keys, its tokenizer read. */
    record TokenizerGuest(SafetensorsModel model, Guest guest) implements AutoCloseable {
        @Override
        public void close() {
            guest.close();
            model.close();
        }
    }

    static TokenizerGuest tokenizerGuest() throws IOException {
        Path checkpoint = checkpoint(SafetensorsDtype.F32);
        Map<String, GgufValue> keys =
                HfTokenizerConverter.metadata(
                        checkpoint.resolveSibling(HfCheckpointConverter.TOKENIZER_FILE));
        dev.memory64.ModelMetadata.Builder metadata = dev.memory64.ModelMetadata.builder();
        keys.forEach((k, v) -> metadata.put(k, v.toMetadataValue()));
        SafetensorsModel model =
                SafetensorsModel.builder(checkpoint).withMetadata(metadata.build()).open();
        Guest guest = ChicoryGuest.start(model.store(), ChicoryCompiled.MACHINES);
        assertEquals(0, guest.call("m64_init_tokenizer"), guest.stderr());
        return new TokenizerGuest(model, guest);
    }

    @ParameterizedTest
    @ValueSource(strings = {"config.json", "tokenizer.json"})
    void aCheckpointWithoutAFileBesideItIsRefusedNamingIt(String missing) throws IOException {
        Path source = checkpoint(SafetensorsDtype.F32).getParent();
        for (String name : List.of("model.safetensors", "config.json", "tokenizer.json")) {
            if (!name.equals(missing)) {
                Files.copy(source.resolve(name), dir.resolve(name));
            }
        }
        NoSuchFileException e =
                assertThrows(
                        NoSuchFileException.class,
                        () -> Llama.open(dir.resolve("model.safetensors")));
        assertTrue(e.getMessage().contains(dir.resolve(missing).toString()), e.getMessage());
        assertTrue(e.getMessage().contains("beside it"), e.getMessage());
    }

    @Test
    void aTokenizerThatIsNotLlamasIsRefusedNamingTheFile() throws IOException {
        Path source = checkpoint(SafetensorsDtype.F32).getParent();
        Files.copy(source.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        Files.copy(source.resolve("config.json"), dir.resolve("config.json"));
        Files.writeString(
                dir.resolve("tokenizer.json"),
                Files.readString(source.resolve("tokenizer.json"))
                        .replace("\"Prepend\"", "\"Lowercase\""));
        LlamaModelException e =
                assertThrows(
                        LlamaModelException.class,
                        () -> Llama.open(dir.resolve("model.safetensors")));
        assertTrue(e.getMessage().contains("tokenizer.json"), e.getMessage());
        assertTrue(e.getMessage().contains("Lowercase"), e.getMessage());
    }

    @Test
    void theCommandLineWritesACheckpointWithHf() throws IOException {
        Path bin = SharedModels.require("stories260K.bin");
        Path tok = SharedModels.require("tok512.bin");
        Path out = dir.resolve("cli");
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int code =
                Llama2cConverter.run(
                        new String[] {
                            "--hf",
                            bin.toString(),
                            tok.toString(),
                            out.toString(),
                            "--type",
                            "bf16",
                            "--verbose"
                        },
                        new java.io.PrintStream(stdout, true, StandardCharsets.UTF_8),
                        new java.io.PrintStream(stderr, true, StandardCharsets.UTF_8));
        assertEquals(0, code, stderr.toString(StandardCharsets.UTF_8));
        assertTrue(
                stdout.toString(StandardCharsets.UTF_8)
                        .startsWith("convert-llama2c: wrote " + out.resolve("model.safetensors")),
                stdout.toString(StandardCharsets.UTF_8));
        assertArrayEquals(
                Files.readAllBytes(checkpoint(SafetensorsDtype.BF16)),
                Files.readAllBytes(out.resolve("model.safetensors")));
        code =
                Llama2cConverter.run(
                        new String[] {
                            "--hf", bin.toString(), tok.toString(), out.toString(), "--type", "q8_0"
                        },
                        new java.io.PrintStream(stdout, true, StandardCharsets.UTF_8),
                        new java.io.PrintStream(stderr, true, StandardCharsets.UTF_8));
        assertEquals(2, code);
        assertTrue(
                stderr.toString(StandardCharsets.UTF_8).contains("--hf writes f32, f16 or bf16"));
    }

    /**
     * Re-writes the checkpoint {@code single} as {@code count} shards with their index into {@code
     * dir}, its config and tokenizer beside them.
     */
    static void reshard(Path single, Path dir, int count) throws IOException {
        SafetensorsWriter writer = SafetensorsWriter.create();
        try (SafetensorsModel model = SafetensorsModel.open(single);
                java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            for (dev.memory64.safetensors.SafetensorsTensor t : model.parts().get(0).tensors()) {
                dev.memory64.TensorInfo info = model.store().tensor(t.name());
                java.lang.foreign.MemorySegment bytes = arena.allocate(info.size());
                model.store().readLayer(info.layerId(), info.offsetInLayer(), bytes);
                writer.add(
                        t.name(),
                        t.dtype(),
                        t.shape().stream().mapToLong(Long::longValue).toArray(),
                        bytes);
            }
            List<Path> shards = writer.writeSharded(dir, "model", count);
            assertEquals(count, shards.size());
        }
        for (String name : List.of("config.json", "tokenizer.json")) {
            Files.copy(single.resolveSibling(name), dir.resolve(name));
        }
    }

    /**
     * The F32 checkpoint re-written as three shards with their index opens by the index and by a
     * shard, and writes the same text.
     */
    @Test
    void aShardedCheckpointRunsByItsIndexOrAnyShard() throws IOException {
        Path single = checkpoint(SafetensorsDtype.F32);
        reshard(single, dir, 3);
        String expected = generate(single, LlamaTest.PROMPT, 64, new ArrayList<>());
        assertEquals(
                expected,
                generate(
                        dir.resolve("model.safetensors.index.json"),
                        LlamaTest.PROMPT,
                        64,
                        new ArrayList<>()));
        assertEquals(
                expected,
                generate(
                        dir.resolve("model-00002-of-00003.safetensors"),
                        LlamaTest.PROMPT,
                        64,
                        new ArrayList<>()));
    }

    @ParameterizedTest
    @EnumSource(
            value = SafetensorsDtype.class,
            names = {"F32", "F16", "BF16"},
            mode = EnumSource.Mode.EXCLUDE)
    void otherDtypesAreRefused(SafetensorsDtype dtype) {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                HfCheckpointConverter.convert(
                                        dir.resolve("a.bin"),
                                        dir.resolve("t.bin"),
                                        dir.resolve("out"),
                                        dtype));
        assertTrue(e.getMessage().contains(dtype.name()), e.getMessage());
    }

    /**
     * The written rows are the inverse of llama.cpp's {@code permute} (convert_hf_to_gguf.py:
     * {@code w.reshape(n_head, 2, rows // n_head // 2, cols).swapaxes(1, 2).reshape(w.shape)}),
     * computed here as that reshape does it.
     */
    @ParameterizedTest
    @CsvSource({"8, 8", "4, 8", "1, 2", "32, 128"})
    void queryAndKeyRowsAreTheInverseOfLlamaCppsPermute(int heads, int headSize) {
        int rows = heads * headSize;
        int half = headSize / 2;
        // permute(hf)[g] = hf[source[g]]: row g of the result reads [h][i][j] from [h][j][i]
        int[] source = new int[rows];
        int g = 0;
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < half; i++) {
                for (int j = 0; j < 2; j++) {
                    source[g++] = h * headSize + j * half + i;
                }
            }
        }
        // hf[r] = llama2c[interleavedRow(r)]; permute(hf)[g] must be llama2c[g]
        for (int row = 0; row < rows; row++) {
            assertEquals(
                    row, HfCheckpointConverter.interleavedRow(source[row], headSize), "row " + row);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object o) {
        return (Map<String, Object>) o;
    }

    private static Object number(Object o) {
        return o instanceof java.math.BigDecimal d ? d.doubleValue() : o;
    }
}
