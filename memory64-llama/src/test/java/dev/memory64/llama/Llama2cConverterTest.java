package dev.memory64.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memory64.TensorInfo;
import dev.memory64.gguf.GgmlType;
import dev.memory64.gguf.GgufFile;
import dev.memory64.gguf.GgufModel;
import dev.memory64.gguf.GgufTensor;
import dev.memory64.gguf.GgufValue;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class Llama2cConverterTest {

    @TempDir Path dir;

    /**
     * stories260K converted here equals llama.cpp's own conversion in every key but the context
     * length (the checkpoint's 512 here, llama.cpp's --ctx default of 128 there), every tensor's
     * name, type, shape and offset, and every data byte.
     */
    @Test
    void convertsStories260kAsLlamaCppDoes() throws IOException {
        Path checkpoint = SharedModels.require("stories260K.bin");
        Path tokenizer = SharedModels.require("tok512.bin");
        Path reference = SharedModels.require("stories260K.llama-cpp.gguf");
        Path out = dir.resolve("stories260K.gguf");

        Llama2cConverter.Config config =
                Llama2cConverter.convert(checkpoint, tokenizer, out, GgmlType.F32);

        assertEquals(new Llama2cConverter.Config(64, 172, 5, 8, 4, 512, 512, true), config);
        GgufFile ours = GgufFile.read(out);
        GgufFile theirs = GgufFile.read(reference);
        assertEquals(
                List.copyOf(theirs.metadata().keySet()), List.copyOf(ours.metadata().keySet()));
        for (String key : theirs.metadata().keySet()) {
            GgufValue expected = theirs.metadata().get(key);
            if (key.equals(Llama2cConverter.KEY_CONTEXT_LENGTH)) {
                assertEquals(128, expected.asLong());
                assertEquals(512, ours.metadata().get(key).asLong());
                assertEquals(expected.type(), ours.metadata().get(key).type());
            } else {
                assertEquals(expected, ours.metadata().get(key), key);
            }
        }
        assertEquals(theirs.tensors(), ours.tensors());
        assertEquals(theirs.dataStart(), ours.dataStart());
        assertEquals(theirs.fileSize(), ours.fileSize());
        byte[] a = Files.readAllBytes(reference);
        byte[] b = Files.readAllBytes(out);
        assertArrayEquals(
                Arrays.copyOfRange(a, (int) theirs.dataStart(), a.length),
                Arrays.copyOfRange(b, (int) ours.dataStart(), b.length));
        List<String> tokens =
                ours.metadata("tokenizer.ggml.tokens").orElseThrow().asArray().strings();
        assertEquals("\u2581t", tokens.get(259));
        assertEquals("<0x0A>", tokens.get(13));

        try (GgufModel model = GgufModel.open(out)) {
            TensorInfo q = model.store().tensor("blk.4.attn_q.weight");
            assertEquals(List.of(64L, 64L), q.dims());
            assertEquals(GgmlType.F32.id(), q.type());
        }
    }

    /**
     * With --type, the 2-D weights are the codec's blocks of the checkpoint's rows, and they read
     * back within the type's error bound: per block of 32, a fraction of the block's largest
     * magnitude ({@link QuantTolerance}).
     */
    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q5_0", "Q4_K", "Q5_K", "Q6_K"})
    void quantizesTwoDimensionalWeightsAndKeepsNormsF32(GgmlType type) throws IOException {
        Llama2cConverter.Config config =
                new Llama2cConverter.Config(256, 96, 2, 4, 2, 300, 16, false);
        Synthetic synthetic = Synthetic.write(dir, config);
        Path out = dir.resolve("q.gguf");

        Llama2cConverter.convert(synthetic.checkpoint, synthetic.tokenizer, out, type);

        GgufFile file = GgufFile.read(out);
        byte[] bytes = Files.readAllBytes(out);
        for (GgufTensor tensor : file.tensors()) {
            GgmlType expectedType = Llama2cConverter.tensorType(type, tensor.dims());
            assertEquals(expectedType, tensor.type(), tensor.name());
            float[] source = synthetic.tensor(tensor.name());
            byte[] expected = GgmlCodec.of(expectedType).quantize(source);
            byte[] actual =
                    Arrays.copyOfRange(
                            bytes,
                            (int) tensor.fileOffset(),
                            (int) (tensor.fileOffset() + tensor.byteSize()));
            assertArrayEquals(expected, actual, tensor.name());
            float[] back = GgmlCodec.of(expectedType).dequantize(actual);
            assertNull(QuantTolerance.firstViolation(expectedType, source, back), tensor.name());
        }
        assertEquals(GgmlType.F32, file.tensor("blk.1.ffn_norm.weight").orElseThrow().type());
        assertEquals(
                type.blockSize() == 256 ? GgmlType.Q8_0 : type,
                file.tensor("blk.0.ffn_down.weight").orElseThrow().type());
    }

    @Test
    void fallsBackWhereRowsAreNotWholeBlocks() {
        assertEquals(GgmlType.Q4_K, Llama2cConverter.tensorType(GgmlType.Q4_K, 512, 3));
        assertEquals(GgmlType.Q8_0, Llama2cConverter.tensorType(GgmlType.Q4_K, 96, 3));
        assertEquals(GgmlType.F16, Llama2cConverter.tensorType(GgmlType.Q8_0, 172, 64));
        assertEquals(GgmlType.F32, Llama2cConverter.tensorType(GgmlType.Q8_0, 64));
    }

    @Test
    void separateClassifierBecomesOutputWeight() throws IOException {
        Llama2cConverter.Config config = new Llama2cConverter.Config(64, 32, 1, 4, 4, 40, 8, false);
        Synthetic synthetic = Synthetic.write(dir, config);
        Path out = dir.resolve("c.gguf");
        Llama2cConverter.convert(synthetic.checkpoint, synthetic.tokenizer, out, GgmlType.F32);
        GgufFile file = GgufFile.read(out);
        GgufTensor output = file.tensor("output.weight").orElseThrow();
        byte[] bytes = Files.readAllBytes(out);
        float[] actual =
                GgmlCodec.of(GgmlType.F32)
                        .dequantize(
                                Arrays.copyOfRange(
                                        bytes,
                                        (int) output.fileOffset(),
                                        (int) (output.fileOffset() + output.byteSize())));
        assertArrayEquals(synthetic.tensor("output.weight"), actual);
        assertTrue(!Arrays.equals(synthetic.tensor("token_embd.weight"), actual));
    }

    @Test
    void rejectsCheckpointWhoseSizeDoesNotMatchItsHeader() throws IOException {
        Synthetic synthetic = small();
        Path truncated = truncatedCopy(synthetic.checkpoint, "truncated.bin", 4);
        IOException e =
                assertThrows(IOException.class, () -> convert(truncated, synthetic.tokenizer));
        assertTrue(
                e.getMessage().contains("implies " + Files.size(synthetic.checkpoint)),
                e.getMessage());
    }

    @Test
    void rejectsInvalidHeaderNamingTheFileAndValues() throws IOException {
        Synthetic synthetic = small();
        byte[] bytes = Files.readAllBytes(synthetic.checkpoint);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(12, 5); // n_heads 5
        Path bad = dir.resolve("bad-heads.bin");
        Files.write(bad, bytes);
        IOException e = assertThrows(IOException.class, () -> convert(bad, synthetic.tokenizer));
        assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("dim=64"), e.getMessage());
        assertTrue(e.getMessage().contains("n_heads=5"), e.getMessage());

        Path stub = dir.resolve("stub.bin");
        Files.write(stub, Arrays.copyOf(bytes, 20));
        e = assertThrows(IOException.class, () -> convert(stub, synthetic.tokenizer));
        assertTrue(e.getMessage().contains(stub.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("20 bytes"), e.getMessage());

        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 0x616b3432).putInt(4, 2);
        Path exported = dir.resolve("version2.bin");
        Files.write(exported, bytes);
        e = assertThrows(IOException.class, () -> convert(exported, synthetic.tokenizer));
        assertTrue(e.getMessage().contains(exported.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("version 2 export"), e.getMessage());

        ByteBuffer.wrap(bytes)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(0, 64)
                .putInt(4, 32)
                .putInt(12, 4)
                .putInt(8, 1 << 30);
        Path huge = dir.resolve("huge-layers.bin");
        Files.write(huge, bytes);
        e = assertThrows(IOException.class, () -> convert(huge, synthetic.tokenizer));
        assertTrue(e.getMessage().contains(huge.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("n_layers=" + (1 << 30)), e.getMessage());
    }

    @Test
    void rejectsTokenizerShorterThanTheVocabulary() throws IOException {
        Synthetic synthetic = small();
        Path shortFile = truncatedCopy(synthetic.tokenizer, "short-tok.bin", 3);
        IOException e =
                assertThrows(IOException.class, () -> convert(synthetic.checkpoint, shortFile));
        assertTrue(e.getMessage().contains(shortFile.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("token 39"), e.getMessage());
        Path empty = dir.resolve("empty-tok.bin");
        Files.write(empty, new byte[2]);
        e = assertThrows(IOException.class, () -> convert(synthetic.checkpoint, empty));
        assertTrue(e.getMessage().contains(empty.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("40 tokens"), e.getMessage());
    }

    @Test
    void rejectsTokenizerTokenThatIsNotUtf8() throws IOException {
        Synthetic synthetic = small();
        byte[] bytes = Files.readAllBytes(synthetic.tokenizer);
        // The header (4 bytes), tokens 0-2 (empty: score and length), token 3's score and length.
        bytes[4 + 3 * 8 + 8] = (byte) 0xFF;
        Path bad = dir.resolve("bad-utf8-tok.bin");
        Files.write(bad, bytes);
        IOException e = assertThrows(IOException.class, () -> convert(synthetic.checkpoint, bad));
        assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("token 3 is not UTF-8"), e.getMessage());
    }

    private Llama2cConverter.Config convert(Path checkpoint, Path tokenizer) throws IOException {
        return Llama2cConverter.convert(checkpoint, tokenizer, dir.resolve("x.gguf"), GgmlType.F32);
    }

    /** A small checkpoint (dim 64, 1 layer, 40 tokens, shared classifier) and its tokenizer. */
    private Synthetic small() throws IOException {
        return Synthetic.write(dir, new Llama2cConverter.Config(64, 32, 1, 4, 4, 40, 8, true));
    }

    /** A copy of file, named name in the test's directory, without its last {@code less} bytes. */
    private Path truncatedCopy(Path file, String name, int less) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        Path copy = dir.resolve(name);
        Files.write(copy, Arrays.copyOf(bytes, bytes.length - less));
        return copy;
    }

    @Test
    void commandLineSaysWhatItWroteAndRefusesBadUsage() throws IOException {
        Synthetic synthetic = small();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Path target = dir.resolve("cli.gguf");
        int status =
                Llama2cConverter.run(
                        new String[] {
                            synthetic.checkpoint.toString(),
                            synthetic.tokenizer.toString(),
                            target.toString(),
                            "--type",
                            "q8_0",
                            "--verbose"
                        },
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("Q8_0"));
        assertEquals(
                GgmlType.Q8_0,
                GgufFile.read(target).tensor("blk.0.attn_q.weight").orElseThrow().type());
        assertEquals("", err.toString(StandardCharsets.UTF_8));

        out.reset();
        String[] quiet = {
            synthetic.checkpoint.toString(), synthetic.tokenizer.toString(), target.toString()
        };
        assertEquals(0, Llama2cConverter.run(quiet, print(out), print(err)));
        assertEquals(
                "", out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8));
        assertEquals(
                GgmlType.F32,
                GgufFile.read(target).tensor("blk.0.attn_q.weight").orElseThrow().type());

        assertEquals(2, Llama2cConverter.run(new String[] {"a", "b"}, print(out), print(err)));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("usage: "));
        err.reset();
        assertEquals(
                2,
                Llama2cConverter.run(
                        new String[] {"a", "b", "c", "--type", "q2_k"}, print(out), print(err)));
        assertTrue(
                err.toString(StandardCharsets.UTF_8)
                        .startsWith(
                                "convert-llama2c: unknown --type q2_k; one of"
                                        + " f32|f16|q4_0|q5_0|q8_0|q4_k|q5_k|q6_k|bf16"),
                err.toString(StandardCharsets.UTF_8));
        err.reset();
        assertEquals(
                2,
                Llama2cConverter.run(
                        new String[] {"a", "b", "c", "--type"}, print(out), print(err)));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--type needs a value"));
        err.reset();
        Path missing = dir.resolve("missing.bin");
        assertEquals(
                1,
                Llama2cConverter.run(
                        new String[] {missing.toString(), "b", "c"}, print(out), print(err)));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains(missing.toString()));
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    private static PrintStream print(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }

    /** A llama2.c checkpoint and tokenizer of random weights, and its tensors by GGUF name. */
    record Synthetic(Path checkpoint, Path tokenizer, java.util.Map<String, float[]> tensors) {

        float[] tensor(String name) {
            return tensors.get(name);
        }

        static Synthetic write(Path dir, Llama2cConverter.Config c) throws IOException {
            Random random = new Random(c.dim() * 31L + c.layers());
            int d = c.dim();
            int kv = c.kvDim();
            int h = c.hiddenDim();
            int n = c.layers();
            List<float[]> arrays = new ArrayList<>();
            java.util.function.IntFunction<float[]> next =
                    size -> {
                        float[] a = new float[size];
                        for (int i = 0; i < size; i++) {
                            a[i] = (float) random.nextGaussian();
                        }
                        arrays.add(a);
                        return a;
                    };
            float[] embedding = next.apply(c.vocabSize() * d);
            float[] rmsAtt = next.apply(n * d);
            float[] wq = next.apply(n * d * d);
            float[] wk = next.apply(n * kv * d);
            float[] wv = next.apply(n * kv * d);
            float[] wo = next.apply(n * d * d);
            float[] rmsFfn = next.apply(n * d);
            float[] w1 = next.apply(n * h * d);
            float[] w2 = next.apply(n * d * h);
            float[] w3 = next.apply(n * h * d);
            float[] rmsFinal = next.apply(d);
            next.apply(c.seqLen() * c.headSize());
            float[] classifier = c.sharedClassifier() ? embedding : next.apply(c.vocabSize() * d);
            ByteBuffer buffer =
                    ByteBuffer.allocate(Math.toIntExact(c.fileSize()))
                            .order(ByteOrder.LITTLE_ENDIAN);
            buffer.putInt(d).putInt(h).putInt(n).putInt(c.heads()).putInt(c.kvHeads());
            buffer.putInt(c.sharedClassifier() ? c.vocabSize() : -c.vocabSize()).putInt(c.seqLen());
            for (float[] a : arrays) {
                for (float v : a) {
                    buffer.putFloat(v);
                }
            }
            Path checkpoint = dir.resolve("model.bin");
            Files.write(checkpoint, buffer.array());

            ByteArrayOutputStream tok = new ByteArrayOutputStream();
            ByteBuffer word = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            tok.write(word.putInt(0, 8).array(), 0, 4);
            for (int i = 0; i < c.vocabSize(); i++) {
                String text = i < 3 ? "" : i < 259 ? String.format("<0x%02X>", i - 3) : " t" + i;
                byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
                word.clear();
                word.putFloat(-i).putInt(bytes.length);
                tok.write(word.array(), 0, 8);
                tok.write(bytes, 0, bytes.length);
            }
            Path tokenizer = dir.resolve("tok.bin");
            Files.write(tokenizer, tok.toByteArray());

            java.util.Map<String, float[]> tensors = new java.util.HashMap<>();
            tensors.put("token_embd.weight", embedding);
            tensors.put("output.weight", classifier);
            tensors.put("output_norm.weight", rmsFinal);
            for (int i = 0; i < n; i++) {
                String p = "blk." + i + ".";
                tensors.put(p + "attn_norm.weight", slice(rmsAtt, i, d));
                tensors.put(p + "attn_q.weight", slice(wq, i, d * d));
                tensors.put(p + "attn_k.weight", slice(wk, i, kv * d));
                tensors.put(p + "attn_v.weight", slice(wv, i, kv * d));
                tensors.put(p + "attn_output.weight", slice(wo, i, d * d));
                tensors.put(p + "ffn_norm.weight", slice(rmsFfn, i, d));
                tensors.put(p + "ffn_gate.weight", slice(w1, i, h * d));
                tensors.put(p + "ffn_down.weight", slice(w2, i, d * h));
                tensors.put(p + "ffn_up.weight", slice(w3, i, h * d));
            }
            return new Synthetic(checkpoint, tokenizer, tensors);
        }

        private static float[] slice(float[] all, int index, int size) {
            return Arrays.copyOfRange(all, index * size, (index + 1) * size);
        }
    }
}
