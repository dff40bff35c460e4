package dev.memory64.bench;

import dev.memory64.safetensors.SafetensorsDtype;
import dev.memory64.safetensors.SafetensorsModel;
import dev.memory64.safetensors.SafetensorsWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Measures how long {@code SafetensorsModel.open} takes on a 405B-class sharded checkpoint laid out
 * as Hugging Face publishes Llama 3.1 405B: 191 shards {@code model-000NN-of-00191.safetensors} and
 * their {@code model.safetensors.index.json}, BF16, 126 blocks of the 405B shape (hidden 16384, 8
 * KV heads of 128, intermediate 53248, 9 tensors per block, Hugging Face's names), embeddings and
 * head of 128,256 rows: 1,137 tensors, about 811 GB as holes of sparse files. Run by {@code
 * scripts/measure-open.sh} beside the GGUF measurement, with the same output lines: {@code write
 * DIR} once, then {@code open DIR} (or {@code open-logged DIR}) in fresh JVMs, opening by the
 * index.
 */
public final class SafetensorsOpenMeasurement {

    static final String DIRECTORY = "memory64-open-405b-safetensors";
    static final int SHARDS = 191;

    private SafetensorsOpenMeasurement() {}

    /**
     * Writes the checkpoint or measures opening it.
     *
     * @param args {@code write DIR}, {@code open DIR} or {@code open-logged DIR}
     * @throws Exception if the checkpoint cannot be written or opened
     */
    public static void main(String[] args) throws Exception {
        String mode = OpenTimeMeasurement.mode(args, SafetensorsOpenMeasurement.class);
        long start = System.nanoTime();
        long[] schedStart = OpenTimeMeasurement.schedStat();
        Path dir = Path.of(args[1]).resolve(DIRECTORY);
        if (mode.equals("write")) {
            write(dir);
        } else {
            open(
                    dir.resolve("model.safetensors.index.json"),
                    start,
                    schedStart,
                    mode.equals("open-logged"));
        }
    }

    private static void open(Path index, long start, long[] schedStart, boolean logged)
            throws Exception {
        double firstMillis;
        int layers;
        int parts;
        long[] schedEnd;
        try (SafetensorsModel model = SafetensorsModel.open(index)) {
            firstMillis = (System.nanoTime() - start) / 1e6;
            schedEnd = OpenTimeMeasurement.schedStat();
            layers = model.store().layers().size();
            parts = model.parts().size();
        }
        int warmOpens = OpenTimeMeasurement.WARM_OPENS;
        double[] warm = new double[warmOpens];
        double[] warmCpu = new double[warmOpens];
        for (int i = 0; i < warmOpens; i++) {
            long[] s0 = OpenTimeMeasurement.schedStat();
            long t0 = System.nanoTime();
            try (SafetensorsModel model = SafetensorsModel.open(index)) {
                warm[i] = (System.nanoTime() - t0) / 1e6;
                warmCpu[i] = (OpenTimeMeasurement.schedStat()[0] - s0[0]) / 1e6;
                layers = Math.max(layers, model.store().layers().size());
            }
        }
        Arrays.sort(warm);
        Arrays.sort(warmCpu);
        long before = OpenTimeMeasurement.settledHeap();
        long retained;
        long bytes;
        try (SafetensorsModel model = SafetensorsModel.open(index)) {
            retained = OpenTimeMeasurement.settledHeap() - before;
            bytes = model.store().layout().size();
        }
        System.out.printf(
                Locale.ROOT,
                "%s: %d shards, %,d bytes, %d layers%n"
                        + "first open in a fresh JVM (from the first line of main%s): %.1f ms"
                        + " (main thread on a CPU %.1f ms, waiting for one %.1f ms)%n"
                        + "warm opens (%d): median %.1f ms, min %.1f ms, max %.1f ms (main thread on"
                        + " a CPU: median %.1f ms, min %.1f ms)%n"
                        + "heap retained by the open model: %.2f MiB%n",
                index,
                parts,
                bytes,
                layers,
                logged ? ", SLF4J initialised before it" : "",
                firstMillis,
                (schedEnd[0] - schedStart[0]) / 1e6,
                (schedEnd[1] - schedStart[1]) / 1e6,
                warmOpens,
                warm[warmOpens / 2],
                warm[0],
                warm[warmOpens - 1],
                warmCpu[warmOpens / 2],
                warmCpu[0],
                retained / 1048576.0);
    }

    static void write(Path dir) throws Exception {
        Files.createDirectories(dir);
        long dim = OpenTimeMeasurement.DIM;
        long kv = OpenTimeMeasurement.KV_DIM;
        long ff = OpenTimeMeasurement.FF;
        long vocab = OpenTimeMeasurement.VOCAB;
        SafetensorsDtype bf16 = SafetensorsDtype.BF16;
        SafetensorsWriter writer = SafetensorsWriter.create().putMetadata("format", "pt");
        writer.addZeros("model.embed_tokens.weight", bf16, vocab, dim);
        for (int b = 0; b < OpenTimeMeasurement.BLOCKS; b++) {
            String p = "model.layers." + b + ".";
            writer.addZeros(p + "input_layernorm.weight", bf16, dim)
                    .addZeros(p + "mlp.down_proj.weight", bf16, dim, ff)
                    .addZeros(p + "mlp.gate_proj.weight", bf16, ff, dim)
                    .addZeros(p + "mlp.up_proj.weight", bf16, ff, dim)
                    .addZeros(p + "post_attention_layernorm.weight", bf16, dim)
                    .addZeros(p + "self_attn.k_proj.weight", bf16, kv, dim)
                    .addZeros(p + "self_attn.o_proj.weight", bf16, dim, dim)
                    .addZeros(p + "self_attn.q_proj.weight", bf16, dim, dim)
                    .addZeros(p + "self_attn.v_proj.weight", bf16, kv, dim);
        }
        writer.addZeros("model.norm.weight", bf16, dim)
                .addZeros("lm_head.weight", bf16, vocab, dim);
        writer.writeSharded(dir, "model", SHARDS);
        Files.writeString(
                dir.resolve("config.json"),
                """
                {"architectures": ["LlamaForCausalLM"], "hidden_size": 16384,
                 "intermediate_size": 53248, "num_attention_heads": 128,
                 "num_hidden_layers": 126, "num_key_value_heads": 8, "rms_norm_eps": 1e-05,
                 "rope_theta": 500000.0, "vocab_size": 128256, "torch_dtype": "bfloat16",
                 "rope_scaling": {"factor": 8.0, "low_freq_factor": 1.0,
                   "high_freq_factor": 4.0, "original_max_position_embeddings": 8192,
                   "rope_type": "llama3"}}
                """);
    }
}
