package dev.memory64.llama.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memory64.Layer;
import dev.memory64.MetadataValue;
import dev.memory64.gguf.GgmlType;
import dev.memory64.gguf.GgufFile;
import dev.memory64.gguf.GgufModel;
import dev.memory64.gguf.GgufTensor;
import dev.memory64.gguf.GgufValue;
import dev.memory64.gguf.GgufValueType;
import dev.memory64.gguf.GgufWriter;
import dev.memory64.llama.GgmlCodec;
import dev.memory64.llama.QuantTolerance;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The synthetic model writer, and the reference forward pass on its models: each feature
 * (grouped-query attention, the NeoX layout, tied embeddings, split sets, weight types) is checked
 * against an equivalent model that does without it, rewritten here tensor by tensor.
 */
class SyntheticLlamaTest {

    /** Logits of equivalent models agree to double rounding (sums taken in another order). */
    private static final double SAME = 1e-9;

    private static final int[] TOKENS = {1, 300, 7, 42, 299, 260, 5, 5, 311, 2, 270, 1};

    @TempDir Path dir;

    /** A small GQA model: 8 query heads over 2 key/value heads. */
    private static SyntheticLlama gqa() {
        return SyntheticLlama.of(64, 96, 2, 8, 2, 320).withSeed(11);
    }

    @Test
    void writesLlamaCppKeysTensorsAndVocabulary() throws IOException {
        GgufFile file = GgufFile.read(gqa().write(dir.resolve("m.gguf")));
        Map<String, GgufValue> m = file.metadata();
        assertEquals("llama", m.get("general.architecture").asString());
        for (String key :
                List.of(
                        "context_length",
                        "embedding_length",
                        "feed_forward_length",
                        "attention.head_count",
                        "attention.head_count_kv",
                        "block_count",
                        "rope.dimension_count")) {
            assertEquals(GgufValueType.UINT32, m.get("llama." + key).type(), key);
        }
        assertEquals(GgufValueType.FLOAT32, m.get("llama.attention.layer_norm_rms_epsilon").type());
        assertEquals(
                new LlamaHyperparameters(
                        "llama", 64, 96, 2, 8, 2, 320, 256, 8, 10000, false, 1e-5f),
                LlamaHyperparameters.of(m));
        List<String> names = file.tensors().stream().map(GgufTensor::name).toList();
        assertEquals(
                List.of("token_embd.weight", "output_norm.weight", "output.weight"),
                names.subList(0, 3));
        assertEquals(3 + 2 * 9, names.size());
        assertArrayEquals(
                new long[] {64, 16}, file.tensor("blk.1.attn_k.weight").orElseThrow().dims());
        assertArrayEquals(
                new long[] {96, 64}, file.tensor("blk.0.ffn_down.weight").orElseThrow().dims());

        LlamaTokenizer tokenizer = LlamaTokenizer.of(m);
        assertEquals(320, tokenizer.size());
        assertEquals("<0x0A>", tokenizer.piece(13));
        assertEquals(" ", tokenizer.piece(259));
        String text = "a cat, 42 dogs!";
        assertEquals(
                text,
                new String(
                        tokenizer.decode(tokenizer.encode(text, true, false)),
                        java.nio.charset.StandardCharsets.UTF_8));

        GgufFile neox = GgufFile.read(gqa().withRopeNeox(true).write(dir.resolve("n.gguf")));
        assertEquals("qwen2", neox.metadata().get("general.architecture").asString());
        assertEquals(8, neox.metadata().get("qwen2.attention.head_count").asLong());
        assertTrue(LlamaHyperparameters.of(neox.metadata()).ropeNeox());

        GgufFile tied = GgufFile.read(gqa().withTiedEmbeddings(true).write(dir.resolve("t.gguf")));
        assertTrue(tied.tensor("output.weight").isEmpty());
        assertEquals(3 + 2 * 9 - 1, tied.tensors().size());
    }

    @Test
    void sameSeedSameBytesOtherSeedOtherBytes() throws IOException {
        byte[] a = Files.readAllBytes(gqa().write(dir.resolve("a.gguf")));
        byte[] b = Files.readAllBytes(gqa().write(dir.resolve("b.gguf")));
        byte[] c = Files.readAllBytes(gqa().withSeed(12).write(dir.resolve("c.gguf")));
        assertArrayEquals(a, b);
        assertEquals(a.length, c.length);
        assertFalse(java.util.Arrays.equals(a, c));
    }

    /**
     * Every type: each tensor of the model written in that type reads back within the type's bound
     * of the same tensor written in F32 (the same seed draws the same values), norms stay F32, and
     * the reference runs the model with logits near the F32 model's.
     */
    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q5_0", "Q4_K", "Q5_K", "Q6_K"})
    void everyTypeReadsBackWithinItsBoundOfTheF32Model(GgmlType type) throws IOException {
        SyntheticLlama f32 = SyntheticLlama.of(256, 512, 1, 4, 2, 320).withSeed(5);
        Model exact = Model.read(f32.write(dir.resolve("f32.gguf")));
        Path typed = f32.withType(type).write(dir.resolve("typed.gguf"));
        Model quantised = Model.read(typed);
        GgufFile file = GgufFile.read(typed);
        for (GgufTensor tensor : file.tensors()) {
            GgmlType expected = tensor.nDims() == 1 ? GgmlType.F32 : type;
            assertEquals(expected, tensor.type(), tensor.name());
            assertNull(
                    QuantTolerance.firstViolation(
                            expected,
                            exact.tensors.get(tensor.name()),
                            quantised.tensors.get(tensor.name())),
                    tensor.name());
        }
        double[][] a = ReferenceLlama.open(List.of(typed)).logits(TOKENS);
        double[][] b = ReferenceLlama.open(List.of(dir.resolve("f32.gguf"))).logits(TOKENS);
        double spread = 0;
        double worst = 0;
        for (int pos = 0; pos < TOKENS.length; pos++) {
            for (int i = 0; i < a[pos].length; i++) {
                assertTrue(Double.isFinite(a[pos][i]));
                spread = Math.max(spread, Math.abs(b[pos][i]));
                worst = Math.max(worst, Math.abs(a[pos][i] - b[pos][i]));
            }
        }
        // Logits move by a fraction of their spread that grows with the type's error.
        assertTrue(worst <= spread * (type == GgmlType.F32 ? 0 : 0.5), type + ": " + worst);
    }

    /**
     * Grouped-query attention equals multi-head attention whose key and value heads are each
     * repeated for the query heads of their group (as llama.cpp's {@code repeat_kv} sees them).
     */
    @Test
    void groupedQueryAttentionEqualsRepeatedKeyValueHeads() throws IOException {
        SyntheticLlama model = gqa();
        Model m = Model.read(model.write(dir.resolve("gqa.gguf")));
        int hs = 64 / 8;
        int group = 8 / 2;
        for (int l = 0; l < 2; l++) {
            for (String w : List.of("attn_k.weight", "attn_v.weight")) {
                String name = "blk." + l + "." + w;
                float[] kv = m.tensors.get(name);
                float[] full = new float[64 * 64];
                for (int h = 0; h < 8; h++) {
                    System.arraycopy(kv, (h / group) * hs * 64, full, h * hs * 64, hs * 64);
                }
                m.tensors.put(name, full);
                m.dims.put(name, new long[] {64, 64});
            }
        }
        m.metadata.put("llama.attention.head_count_kv", GgufValue.uint32(8));
        Path mha = m.write(dir.resolve("mha.gguf"));
        assertLogitsEqual(dir.resolve("gqa.gguf"), mha, SAME);
    }

    /**
     * The NeoX layout equals the adjacent-pair layout with each head's query and key rows permuted,
     * pair (2j, 2j+1) to (j, j + headSize/2), as llama.cpp's HF converter permutes them the other
     * way; and without the permutation the layouts differ from position 1 on.
     */
    @Test
    void neoxLayoutEqualsAdjacentPairsWithPermutedRows() throws IOException {
        SyntheticLlama normal = gqa();
        Path normalFile = normal.write(dir.resolve("normal.gguf"));
        Model m = Model.read(normalFile);
        int hs = 8;
        for (int l = 0; l < 2; l++) {
            for (String w : List.of("attn_q.weight", "attn_k.weight")) {
                String name = "blk." + l + "." + w;
                float[] rows = m.tensors.get(name);
                float[] permuted = new float[rows.length];
                for (int h = 0; h < rows.length / 64 / hs; h++) {
                    for (int j = 0; j < hs / 2; j++) {
                        int base = h * hs;
                        System.arraycopy(rows, (base + 2 * j) * 64, permuted, (base + j) * 64, 64);
                        System.arraycopy(
                                rows,
                                (base + 2 * j + 1) * 64,
                                permuted,
                                (base + j + hs / 2) * 64,
                                64);
                    }
                }
                m.tensors.put(name, permuted);
            }
        }
        Map<String, GgufValue> qwen = new LinkedHashMap<>();
        m.metadata.forEach((k, v) -> qwen.put(k.replaceFirst("^llama\\.", "qwen2."), v));
        qwen.put("general.architecture", GgufValue.string("qwen2"));
        m.metadata.clear();
        m.metadata.putAll(qwen);
        assertLogitsEqual(normalFile, m.write(dir.resolve("neox.gguf")), SAME);

        Path unpermuted = normal.withRopeNeox(true).write(dir.resolve("unpermuted.gguf"));
        double[][] a = ReferenceLlama.open(List.of(normalFile)).logits(TOKENS);
        double[][] b = ReferenceLlama.open(List.of(unpermuted)).logits(TOKENS);
        assertArrayEquals(a[0], b[0], SAME, "RoPE is the identity at position 0");
        assertTrue(maxDifference(a[3], b[3]) > 1e-3, "the layouts differ at position 3");
    }

    /** Tied embeddings equal a separate head that is a copy of the token embedding. */
    @Test
    void tiedEmbeddingsEqualACopiedHead() throws IOException {
        Path tied = gqa().withTiedEmbeddings(true).write(dir.resolve("tied.gguf"));
        assertTrue(ReferenceLlama.open(List.of(tied)).tiedEmbeddings());
        Model m = Model.read(tied);
        m.tensors.put("output.weight", m.tensors.get("token_embd.weight").clone());
        m.dims.put("output.weight", m.dims.get("token_embd.weight"));
        Path copied = m.write(dir.resolve("copied.gguf"));
        assertFalse(ReferenceLlama.open(List.of(copied)).tiedEmbeddings());
        assertLogitsEqual(tied, copied, 0);
    }

    /**
     * A split set: parts named and marked as gguf-split writes them, a block straddling two parts,
     * the store opening them as one model, and the same tensors and logits as the single file.
     */
    @Test
    void splitSetStraddlesBlocksAndEqualsTheSingleFile() throws IOException {
        SyntheticLlama model = gqa().withType(GgmlType.Q8_0);
        Path single = model.write(dir.resolve("single.gguf"));
        List<Path> parts = model.writeSplit(dir, "split", 4);
        assertEquals(
                List.of(
                        "split-00001-of-00004.gguf",
                        "split-00002-of-00004.gguf",
                        "split-00003-of-00004.gguf",
                        "split-00004-of-00004.gguf"),
                parts.stream().map(p -> p.getFileName().toString()).toList());
        Map<String, Integer> partOf = new LinkedHashMap<>();
        for (int i = 0; i < parts.size(); i++) {
            GgufFile part = GgufFile.read(parts.get(i));
            assertEquals(i, part.metadata().get("split.no").asLong());
            assertEquals(4, part.metadata().get("split.count").asLong());
            assertEquals(21, part.metadata().get("split.tensors.count").asLong());
            assertEquals(i == 0, part.metadata().containsKey("general.architecture"));
            for (GgufTensor t : part.tensors()) {
                partOf.put(t.name(), i);
            }
        }
        assertEquals(21, partOf.size());
        assertTrue(
                !partOf.get("blk.0.attn_q.weight").equals(partOf.get("blk.0.ffn_norm.weight"))
                        || !partOf.get("blk.1.attn_q.weight")
                                .equals(partOf.get("blk.1.ffn_norm.weight")),
                "a block straddles two parts: " + partOf);
        try (GgufModel opened = GgufModel.open(parts.toArray(Path[]::new))) {
            boolean straddles = false;
            for (Layer layer : opened.store().layers()) {
                straddles |= !layer.isContiguous();
            }
            assertTrue(straddles, "the store sees a block in two extents");
            // What the guest reads by key: the first part's metadata, in the store.
            assertEquals(
                    MetadataValue.UINT32,
                    opened.store().metadata().get("llama.block_count").orElseThrow().type());
            MetadataValue tokens =
                    opened.store().metadata().get("tokenizer.ggml.tokens").orElseThrow();
            assertEquals(MetadataValue.STRING, tokens.elementType());
            assertEquals(320, tokens.count());
        }
        Model whole = Model.read(single);
        Model split = Model.read(parts);
        assertEquals(whole.tensors.keySet(), split.tensors.keySet());
        whole.tensors.forEach(
                (name, values) -> assertArrayEquals(values, split.tensors.get(name), name));
        assertLogitsEqual(single, parts, 0);
        assertThrows(IllegalArgumentException.class, () -> model.writeSplit(dir, "x", 22));
        assertThrows(IllegalArgumentException.class, () -> model.writeSplit(dir, "x", 0));
    }

    /**
     * The K-quant mix: Q6_K for the head and for attn_v and ffn_down in the blocks llama.cpp gives
     * more bits (of 8 blocks: 0, 3, 6 and 7), the base type elsewhere, F32 norms; the reference
     * reads the mixed file.
     */
    @Test
    void kQuantMixPutsQ6KWhereLlamaCppDoes() throws IOException {
        SyntheticLlama mixed =
                SyntheticLlama.of(256, 256, 8, 4, 4, 300)
                        .withType(GgmlType.Q4_K)
                        .withKQuantMix(true);
        GgufFile file = GgufFile.read(mixed.write(dir.resolve("q4km.gguf")));
        List<Integer> moreBits = List.of(0, 3, 6, 7);
        for (GgufTensor t : file.tensors()) {
            String n = t.name();
            GgmlType expected;
            if (t.nDims() == 1) {
                expected = GgmlType.F32;
            } else if (n.equals("output.weight")) {
                expected = GgmlType.Q6_K;
            } else if (n.endsWith("attn_v.weight") || n.endsWith("ffn_down.weight")) {
                int block = Integer.parseInt(n.split("\\.")[1]);
                expected = moreBits.contains(block) ? GgmlType.Q6_K : GgmlType.Q4_K;
            } else {
                expected = GgmlType.Q4_K;
            }
            assertEquals(expected, t.type(), n);
        }
        double[] logits = ReferenceLlama.open(List.of(dir.resolve("q4km.gguf"))).forward(1, 0);
        assertEquals(300, logits.length);
        assertThrows(IllegalArgumentException.class, () -> gqa().withKQuantMix(true));
    }

    /** A sparse model's tensors are holes: zeros, every byte. */
    @Test
    void sparseModelsAreZeros() throws IOException {
        Path file = gqa().withType(GgmlType.Q4_K).withSparse(true).write(dir.resolve("s.gguf"));
        Model m = Model.read(file);
        for (Map.Entry<String, float[]> e : m.tensors.entrySet()) {
            for (float v : e.getValue()) {
                assertEquals(0f, v, e.getKey());
            }
        }
    }

    /** Greedy generation follows the argmax of the logits, and forced prompt tokens come first. */
    @Test
    void generationTakesTheArgmaxAfterThePrompt() throws IOException {
        Path file = gqa().write(dir.resolve("g.gguf"));
        ReferenceLlama model = ReferenceLlama.open(List.of(file));
        int[] prompt = {1, 300, 7};
        int[] tokens = model.generate(prompt, 20, -1);
        assertEquals(21, tokens.length);
        assertArrayEquals(prompt, java.util.Arrays.copyOf(tokens, 3));
        double[][] logits = ReferenceLlama.open(List.of(file)).logits(tokens);
        for (int pos = 2; pos < 20; pos++) {
            assertEquals(ReferenceLlama.argmax(logits[pos]), tokens[pos + 1], "position " + pos);
        }
        assertArrayEquals(new int[] {1, 300}, model.generate(prompt, 1, -1));
        assertThrows(IndexOutOfBoundsException.class, () -> model.forward(0, 30));
        assertThrows(IndexOutOfBoundsException.class, () -> model.forward(320, 0));
        assertThrows(IllegalArgumentException.class, () -> model.generate(new int[0], 4));
    }

    /**
     * Greedy text from random weights is nonsense but not one token repeated, tied head or not, so
     * that an engine's tokens compared with the reference's over 64 steps test something.
     */
    @Test
    void greedyTokensVaryEvenWithATiedHead() throws IOException {
        for (boolean tied : new boolean[] {false, true}) {
            Path file = gqa().withTiedEmbeddings(tied).write(dir.resolve("v" + tied + ".gguf"));
            int[] tokens = ReferenceLlama.open(List.of(file)).generate(new int[] {1, 300}, 64, -1);
            long distinct = java.util.Arrays.stream(tokens).skip(2).distinct().count();
            assertTrue(distinct >= 4, "tied " + tied + ": " + distinct + " distinct tokens");
        }
    }

    @Test
    void refusesInvalidShapes() {
        assertThrows(IllegalArgumentException.class, () -> SyntheticLlama.of(64, 96, 2, 8, 3, 320));
        assertThrows(IllegalArgumentException.class, () -> SyntheticLlama.of(60, 96, 2, 8, 2, 320));
        assertThrows(IllegalArgumentException.class, () -> SyntheticLlama.of(64, 96, 2, 8, 2, 100));
        assertThrows(IllegalArgumentException.class, () -> gqa().withType(GgmlType.Q2_K));
    }

    private static void assertLogitsEqual(Path a, Path b, double tolerance) throws IOException {
        assertLogitsEqual(a, List.of(b), tolerance);
    }

    private static void assertLogitsEqual(Path a, List<Path> b, double tolerance)
            throws IOException {
        double[][] x = ReferenceLlama.open(List.of(a)).logits(TOKENS);
        double[][] y = ReferenceLlama.open(b).logits(TOKENS);
        for (int pos = 0; pos < TOKENS.length; pos++) {
            assertTrue(
                    maxDifference(x[pos], y[pos]) <= tolerance,
                    "position " + pos + ": " + maxDifference(x[pos], y[pos]));
        }
    }

    private static double maxDifference(double[] a, double[] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        return worst;
    }

    /** A model's metadata and tensors dequantised to floats, in order, to rewrite as F32. */
    private record Model(
            Map<String, GgufValue> metadata,
            Map<String, float[]> tensors,
            Map<String, long[]> dims) {

        static Model read(Path file) throws IOException {
            return read(List.of(file));
        }

        static Model read(List<Path> files) throws IOException {
            Map<String, GgufValue> metadata = new LinkedHashMap<>();
            Map<String, float[]> tensors = new LinkedHashMap<>();
            Map<String, long[]> dims = new LinkedHashMap<>();
            for (Path path : files) {
                GgufFile file = GgufFile.read(path);
                file.metadata()
                        .forEach(
                                (k, v) -> {
                                    if (!k.startsWith("split.")) {
                                        metadata.put(k, v);
                                    }
                                });
                MemorySegment bytes = MemorySegment.ofArray(Files.readAllBytes(path));
                for (GgufTensor t : file.tensors()) {
                    float[] values = new float[Math.toIntExact(t.elementCount())];
                    GgmlCodec.of(t.type())
                            .dequantize(bytes, t.fileOffset(), values, 0, values.length);
                    tensors.put(t.name(), values);
                    dims.put(t.name(), t.dims());
                }
            }
            return new Model(metadata, tensors, dims);
        }

        Path write(Path file) throws IOException {
            GgufWriter.Builder builder = GgufWriter.builder();
            metadata.forEach(builder::addMetadata);
            List<String> names = new ArrayList<>(tensors.keySet());
            for (String name : names) {
                builder.addTensor(
                        name,
                        GgmlType.F32,
                        dims.get(name),
                        GgmlCodec.of(GgmlType.F32).quantize(tensors.get(name)));
            }
            builder.build().write(file);
            return file;
        }
    }
}
