package dev.memory64.llama.reference;

import dev.memory64.gguf.GgmlType;
import dev.memory64.gguf.GgufFile;
import dev.memory64.gguf.GgufTensor;
import dev.memory64.gguf.GgufValue;
import dev.memory64.llama.GgmlCodec;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A reference forward pass of the llama architecture in Java, in {@code double}: what an inference
 * engine's logits are checked against. It reads a GGUF model (one file or the parts of a split set)
 * whole into the heap, each tensor dequantised by {@link GgmlCodec} to the exact floats llama.cpp
 * reads, and then computes every sum, norm, rotation and softmax in double, so that its own
 * rounding is far below a float32 engine's.
 *
 * <p>The model: token embedding ({@code token_embd.weight}); per block RMSNorm ({@code attn_norm}),
 * queries, keys and values ({@code attn_q}, {@code attn_k}, {@code attn_v}), RoPE in the layout
 * {@link LlamaHyperparameters#ropeNeox()} says on the first {@code ropeDimensions} of each head,
 * grouped-query attention over a KV cache (query head {@code h} reads key/value head {@code h /
 * (heads / kvHeads)}), scores scaled by {@code 1/sqrt(headSize)}, the output projection ({@code
 * attn_output}) added to the residual, RMSNorm ({@code ffn_norm}), SwiGLU {@code
 * ffn_down(silu(ffn_gate x) * ffn_up x)} added to the residual; then RMSNorm ({@code output_norm})
 * and the head ({@code output.weight}, or the token embedding when the model has no head: tied
 * embeddings). A weight matrix of GGUF shape {@code [in, out]} maps {@code x} to {@code y[r] =
 * sum_k W[r][k] x[k]}.
 *
 * <p>For small models (tests): weights are held as float arrays of at most 2^31 - 1 elements each.
 * Not thread-safe (the KV cache is state).
 *
 * <pre>{@code
 * ReferenceLlama model = ReferenceLlama.open(List.of(path));
 * LlamaTokenizer tokenizer = model.tokenizer();
 * int[] tokens = model.generate(tokenizer.encode("Once upon a time", true, false), 64);
 * byte[] text = tokenizer.decode(tokens);
 * }</pre>
 */
public final class ReferenceLlama {

    private final Map<String, GgufValue> metadata;
    private final LlamaHyperparameters config;
    private final float[] embedding;
    private final float[] outputNorm;
    private final float[] head;
    private final Block[] blocks;
    private final double[][][] keys;
    private final double[][][] values;

    private record Block(
            float[] attnNorm,
            float[] wq,
            float[] wk,
            float[] wv,
            float[] wo,
            float[] ffnNorm,
            float[] gate,
            float[] down,
            float[] up) {}

    private ReferenceLlama(Map<String, GgufValue> metadata, Map<String, float[]> tensors) {
        this.metadata = Map.copyOf(metadata);
        this.config = LlamaHyperparameters.of(metadata);
        int d = config.dim();
        int kv = config.kvDim();
        int h = config.hiddenDim();
        int vocab = config.vocabSize();
        embedding = tensor(tensors, "token_embd.weight", (long) d * vocab);
        outputNorm = tensor(tensors, "output_norm.weight", d);
        head =
                tensors.containsKey("output.weight")
                        ? tensor(tensors, "output.weight", (long) d * vocab)
                        : embedding;
        blocks = new Block[config.layers()];
        for (int i = 0; i < blocks.length; i++) {
            String p = "blk." + i + ".";
            blocks[i] =
                    new Block(
                            tensor(tensors, p + "attn_norm.weight", d),
                            tensor(tensors, p + "attn_q.weight", (long) d * d),
                            tensor(tensors, p + "attn_k.weight", (long) d * kv),
                            tensor(tensors, p + "attn_v.weight", (long) d * kv),
                            tensor(tensors, p + "attn_output.weight", (long) d * d),
                            tensor(tensors, p + "ffn_norm.weight", d),
                            tensor(tensors, p + "ffn_gate.weight", (long) d * h),
                            tensor(tensors, p + "ffn_down.weight", (long) h * d),
                            tensor(tensors, p + "ffn_up.weight", (long) d * h));
        }
        keys = new double[config.layers()][config.contextLength()][];
        values = new double[config.layers()][config.contextLength()][];
    }

    private static float[] tensor(Map<String, float[]> tensors, String name, long elements) {
        float[] t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("reference llama: no tensor " + name);
        }
        if (t.length != elements) {
            throw new IllegalArgumentException(
                    "reference llama: tensor "
                            + name
                            + " has "
                            + t.length
                            + " elements, the hyperparameters say "
                            + elements);
        }
        return t;
    }

    /**
     * Reads a model: one GGUF file, or every part of a split set (in any order; the metadata is
     * that of the part that has {@code general.architecture}).
     *
     * @param files the GGUF file or parts
     * @return the model, its KV cache empty
     * @throws IOException if a file cannot be read or is not GGUF
     * @throws IllegalArgumentException if a tensor's type is not one {@link GgmlCodec} reads, a
     *     tensor is missing or of the wrong size, or a tensor name appears twice
     */
    public static ReferenceLlama open(List<Path> files) throws IOException {
        Map<String, GgufValue> metadata = null;
        Map<String, float[]> tensors = new HashMap<>();
        for (Path path : files) {
            GgufFile file = GgufFile.read(path);
            if (file.metadata().containsKey("general.architecture")) {
                metadata = new LinkedHashMap<>(file.metadata());
            }
            try (Arena arena = Arena.ofConfined();
                    FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
                MemorySegment bytes =
                        channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
                for (GgufTensor tensor : file.tensors()) {
                    GgmlType type = tensor.type();
                    float[] floats = new float[Math.toIntExact(tensor.elementCount())];
                    GgmlCodec.of(type)
                            .dequantize(bytes, tensor.fileOffset(), floats, 0, floats.length);
                    if (tensors.put(tensor.name(), floats) != null) {
                        throw new IllegalArgumentException(
                                "reference llama: tensor " + tensor.name() + " appears twice");
                    }
                }
            }
        }
        if (metadata == null) {
            throw new IllegalArgumentException(
                    "reference llama: no file of " + files + " has general.architecture");
        }
        return new ReferenceLlama(metadata, tensors);
    }

    /**
     * Returns the hyperparameters.
     *
     * @return them
     */
    public LlamaHyperparameters hyperparameters() {
        return config;
    }

    /**
     * Returns the model's metadata.
     *
     * @return its key/value pairs
     */
    public Map<String, GgufValue> metadata() {
        return metadata;
    }

    /**
     * Returns the model's tokenizer.
     *
     * @return the SentencePiece-style tokenizer of its vocabulary
     * @throws IllegalArgumentException if the vocabulary is not SentencePiece-style
     */
    public LlamaTokenizer tokenizer() {
        return LlamaTokenizer.of(metadata);
    }

    /**
     * Whether the model has no output head of its own and reuses the token embedding.
     *
     * @return true for tied embeddings
     */
    public boolean tiedEmbeddings() {
        return head == embedding;
    }

    /**
     * Runs one position: takes {@code token} at {@code pos}, writes its keys and values into the
     * cache at {@code pos} and attends over positions 0 to {@code pos}.
     *
     * @param token the input token
     * @param pos its position, at most the number of positions run so far
     * @return the logits of the next token, one per vocabulary entry
     * @throws IndexOutOfBoundsException if the token is outside the vocabulary, or {@code pos} is
     *     negative, past the context length, or leaves a gap in the cache
     */
    public double[] forward(int token, int pos) {
        int d = config.dim();
        int hs = config.headSize();
        int kvDim = config.kvDim();
        int group = config.heads() / config.kvHeads();
        if (token < 0 || token >= config.vocabSize()) {
            throw new IndexOutOfBoundsException(
                    "token " + token + " outside the vocabulary of " + config.vocabSize());
        }
        if (pos < 0 || pos >= config.contextLength() || (pos > 0 && keys[0][pos - 1] == null)) {
            throw new IndexOutOfBoundsException(
                    "position " + pos + ": the cache holds positions before it only if run");
        }
        double[] x = new double[d];
        for (int i = 0; i < d; i++) {
            x[i] = embedding[token * d + i];
        }
        for (int l = 0; l < blocks.length; l++) {
            Block b = blocks[l];
            double[] xb = rmsNorm(x, b.attnNorm());
            double[] q = matmul(b.wq(), xb, d);
            double[] k = matmul(b.wk(), xb, kvDim);
            double[] v = matmul(b.wv(), xb, kvDim);
            rope(q, config.heads(), pos);
            rope(k, config.kvHeads(), pos);
            keys[l][pos] = k;
            values[l][pos] = v;
            double[] attended = new double[d];
            double[] scores = new double[pos + 1];
            double scale = 1 / Math.sqrt(hs);
            for (int h = 0; h < config.heads(); h++) {
                int kvOffset = (h / group) * hs;
                double max = Double.NEGATIVE_INFINITY;
                for (int t = 0; t <= pos; t++) {
                    double dot = 0;
                    double[] kt = keys[l][t];
                    for (int i = 0; i < hs; i++) {
                        dot += q[h * hs + i] * kt[kvOffset + i];
                    }
                    scores[t] = dot * scale;
                    max = Math.max(max, scores[t]);
                }
                double sum = 0;
                for (int t = 0; t <= pos; t++) {
                    scores[t] = Math.exp(scores[t] - max);
                    sum += scores[t];
                }
                for (int t = 0; t <= pos; t++) {
                    double weight = scores[t] / sum;
                    double[] vt = values[l][t];
                    for (int i = 0; i < hs; i++) {
                        attended[h * hs + i] += weight * vt[kvOffset + i];
                    }
                }
            }
            add(x, matmul(b.wo(), attended, d));
            xb = rmsNorm(x, b.ffnNorm());
            double[] gate = matmul(b.gate(), xb, config.hiddenDim());
            double[] up = matmul(b.up(), xb, config.hiddenDim());
            for (int i = 0; i < gate.length; i++) {
                gate[i] = gate[i] / (1 + Math.exp(-gate[i])) * up[i];
            }
            add(x, matmul(b.down(), gate, d));
        }
        return matmul(head, rmsNorm(x, outputNorm), config.vocabSize());
    }

    /**
     * Runs a sequence from position 0 (the cache is overwritten from there).
     *
     * @param tokens the input tokens, at most the context length
     * @return the logits after each position
     * @throws IndexOutOfBoundsException if a token is outside the vocabulary or there are more
     *     tokens than the context length
     */
    public double[][] logits(int[] tokens) {
        double[][] out = new double[tokens.length][];
        for (int pos = 0; pos < tokens.length; pos++) {
            out[pos] = forward(tokens[pos], pos);
        }
        return out;
    }

    /**
     * Generates greedily as llama2.c's {@code run.c} does at temperature 0: positions 0 to {@code
     * steps - 1}, forcing the prompt's tokens and then taking the argmax, stopping early when the
     * next token is a BOS.
     *
     * @param prompt the prompt's tokens, its first usually a BOS; not empty
     * @param steps the number of positions, counting the prompt's tokens (run.c's {@code -n})
     * @return the tokens run.c prints after the first: the prompt's first token, then the next
     *     token of each position (the prompt's, then the argmax), the stopping BOS excluded; at
     *     most {@code steps + 1} tokens, a prefix of the prompt if it is longer
     * @throws IllegalArgumentException if the prompt is empty
     * @throws IndexOutOfBoundsException if {@code steps} is past the context length
     */
    public int[] generate(int[] prompt, int steps) {
        GgufValue bos = metadata.get("tokenizer.ggml.bos_token_id");
        return generate(prompt, steps, bos == null ? 1 : Math.toIntExact(bos.asLong()));
    }

    /**
     * Generates greedily as {@link #generate(int[], int)}, stopping early at {@code stopToken}
     * (negative: never).
     *
     * @param prompt the prompt's tokens; not empty
     * @param steps the number of positions, counting the prompt's tokens
     * @param stopToken the token that ends generation before it is taken, or -1
     * @return the prompt's first token, then the next token of each position
     * @throws IllegalArgumentException if the prompt is empty
     * @throws IndexOutOfBoundsException if {@code steps} is past the context length
     */
    public int[] generate(int[] prompt, int steps, int stopToken) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("generate: empty prompt (start with a BOS)");
        }
        int[] out = Arrays.copyOf(prompt, Math.max(prompt.length, steps + 1));
        int length = 1;
        int token = prompt[0];
        for (int pos = 0; pos < steps; pos++) {
            double[] logits = forward(token, pos);
            int next = pos < prompt.length - 1 ? prompt[pos + 1] : argmax(logits);
            if (next == stopToken) {
                break;
            }
            out[length++] = next;
            token = next;
        }
        return Arrays.copyOf(out, length);
    }

    /**
     * Returns the index of the largest value, the first one on ties.
     *
     * @param logits the values, not empty
     * @return the index of the largest
     */
    public static int argmax(double[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    private double[] rmsNorm(double[] x, float[] weight) {
        double ss = 0;
        for (double v : x) {
            ss += v * v;
        }
        double scale = 1 / Math.sqrt(ss / x.length + config.rmsEpsilon());
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = weight[i] * (scale * x[i]);
        }
        return out;
    }

    /** Rotates the first ropeDimensions of each head by pos times the pair's frequency. */
    private void rope(double[] vector, int heads, int pos) {
        int hs = config.headSize();
        int rd = config.ropeDimensions();
        for (int h = 0; h < heads; h++) {
            for (int j = 0; j < rd / 2; j++) {
                double angle = pos * Math.pow(config.ropeBase(), -2.0 * j / rd);
                double cos = Math.cos(angle);
                double sin = Math.sin(angle);
                int a = h * hs + (config.ropeNeox() ? j : 2 * j);
                int b = h * hs + (config.ropeNeox() ? j + rd / 2 : 2 * j + 1);
                double x0 = vector[a];
                double x1 = vector[b];
                vector[a] = x0 * cos - x1 * sin;
                vector[b] = x0 * sin + x1 * cos;
            }
        }
    }

    private static double[] matmul(float[] w, double[] x, int rows) {
        int cols = x.length;
        double[] out = new double[rows];
        for (int r = 0; r < rows; r++) {
            double sum = 0;
            int base = r * cols;
            for (int k = 0; k < cols; k++) {
                sum += w[base + k] * x[k];
            }
            out[r] = sum;
        }
        return out;
    }

    private static void add(double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            x[i] += y[i];
        }
    }
}
