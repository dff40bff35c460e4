package dev.memory64.bench;

import dev.memory64.gguf.GgmlType;
import dev.memory64.gguf.GgufModel;
import dev.memory64.gguf.GgufValue;
import dev.memory64.gguf.GgufValueType;
import dev.memory64.gguf.GgufWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * Measures how long {@code GgufModel.open} takes on a 405B-class model with a full-size tokenizer,
 * and the heap the open model retains. Run by {@code scripts/measure-open.sh}, which writes the
 * model once ({@code write DIR}) and then measures in a fresh JVM ({@code open DIR}), so that the
 * first open includes class loading, as an application's first open does. {@code open-logged DIR}
 * initialises SLF4J before the clock starts, as an application that has logged before opening a
 * model has: the difference is SLF4J's first initialisation, which the store's "opened store" INFO
 * line needs.
 *
 * <p>The model: 126 blocks of a Llama-3-405B shape (dim 16384, 8 KV heads of 128, feed-forward
 * 53248, 9 tensors per block), Q4_K, token embeddings and output of 128,256 rows: 1,137 tensors,
 * about 264 GB as holes of a sparse file. Its metadata holds a tokenizer as real models do: 128,256
 * token strings with scores and types, and 280,147 merges.
 */
public final class OpenTimeMeasurement {

    static final String FILE_NAME = "memory64-open-405b.gguf";
    static final int BLOCKS = 126;
    static final long DIM = 16384;
    static final long KV_DIM = 1024;
    static final long FF = 53248;
    static final int VOCAB = 128_256;
    static final int MERGES = 280_147;
    static final int WARM_OPENS = 20;

    private OpenTimeMeasurement() {}

    /**
     * Writes the model or measures opening it.
     *
     * @param args {@code write DIR}, {@code open DIR} or {@code open-logged DIR}
     * @throws Exception if the model cannot be written or opened
     */
    public static void main(String[] args) throws Exception {
        String mode = mode(args, OpenTimeMeasurement.class);
        long start = System.nanoTime();
        long[] schedStart = schedStat();
        Path file = Path.of(args[1]).resolve(FILE_NAME);
        if (mode.equals("write")) {
            write(file);
        } else {
            open(file, start, schedStart, mode.equals("open-logged"));
        }
    }

    private static void open(Path file, long start, long[] schedStart, boolean logged)
            throws Exception {
        double firstMillis;
        int layers;
        long[] schedEnd;
        try (GgufModel model = GgufModel.open(file)) {
            firstMillis = (System.nanoTime() - start) / 1e6;
            schedEnd = schedStat();
            layers = model.store().layers().size();
        }
        double[] warm = new double[WARM_OPENS];
        double[] warmCpu = new double[WARM_OPENS];
        for (int i = 0; i < WARM_OPENS; i++) {
            long[] s0 = schedStat();
            long t0 = System.nanoTime();
            try (GgufModel model = GgufModel.open(file)) {
                warm[i] = (System.nanoTime() - t0) / 1e6;
                warmCpu[i] = (schedStat()[0] - s0[0]) / 1e6;
                layers = Math.max(layers, model.store().layers().size());
            }
        }
        Arrays.sort(warm);
        Arrays.sort(warmCpu);
        long before = settledHeap();
        long retained;
        try (GgufModel model = GgufModel.open(file)) {
            retained = settledHeap() - before;
            // Keeps the model reachable until measured.
            layers = Math.max(layers, model.store().layers().size());
        }
        System.out.printf(
                Locale.ROOT,
                "%s: %,d bytes, %d layers, header %,d bytes%n"
                        + "first open in a fresh JVM (from the first line of main%s): %.1f ms"
                        + " (main thread on a CPU %.1f ms, waiting for one %.1f ms)%n"
                        + "warm opens (%d): median %.1f ms, min %.1f ms, max %.1f ms (main thread on"
                        + " a CPU: median %.1f ms, min %.1f ms)%n"
                        + "heap retained by the open model: %.2f MiB%n",
                file,
                Files.size(file),
                layers,
                dev.memory64.gguf.GgufFile.read(file).dataStart(),
                logged ? ", SLF4J initialised before it" : "",
                firstMillis,
                (schedEnd[0] - schedStart[0]) / 1e6,
                (schedEnd[1] - schedStart[1]) / 1e6,
                WARM_OPENS,
                warm[WARM_OPENS / 2],
                warm[0],
                warm[WARM_OPENS - 1],
                warmCpu[WARM_OPENS / 2],
                warmCpu[0],
                retained / 1048576.0);
    }

    /**
     * The mode of a measurement's arguments {@code write|open|open-logged DIR}, or the usage line
     * and exit status 2. Before an {@code open-logged} clock starts, SLF4J is started: what an
     * application that has logged before has paid already.
     *
     * @param args the main class's arguments
     * @param program the main class, for the usage line and the logger
     * @return {@code args[0]}
     */
    static String mode(String[] args, Class<?> program) {
        if (args.length != 2
                || !(args[0].equals("write")
                        || args[0].equals("open")
                        || args[0].equals("open-logged"))) {
            System.err.println("usage: " + program.getSimpleName() + " write|open|open-logged DIR");
            System.exit(2);
        }
        if (args[0].equals("open-logged")) {
            LoggerFactory.getLogger(program).isInfoEnabled();
        }
        return args[0];
    }

    /**
     * The calling thread's time on a CPU and waiting for one, in ns, from Linux's {@code
     * /proc/thread-self/schedstat}; zeros where there is none. On a loaded machine the wait shows
     * how much of a wall time is the load's.
     */
    static long[] schedStat() {
        try {
            String[] fields =
                    Files.readString(Path.of("/proc/thread-self/schedstat")).trim().split(" ");
            return new long[] {Long.parseLong(fields[0]), Long.parseLong(fields[1])};
        } catch (Exception e) {
            return new long[2];
        }
    }

    /** Heap in use after collections have settled. */
    static long settledHeap() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            used =
                    Math.min(
                            used,
                            ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    static void write(Path file) throws Exception {
        GgufWriter.Builder builder =
                GgufWriter.builder()
                        .addMetadata("general.architecture", GgufValue.string("llama"))
                        .addMetadata("general.name", GgufValue.string("memory64 405B-class"))
                        .addMetadata("llama.block_count", GgufValue.uint32(BLOCKS))
                        .addMetadata("llama.context_length", GgufValue.uint32(131072))
                        .addMetadata("llama.embedding_length", GgufValue.uint32(DIM))
                        .addMetadata("llama.feed_forward_length", GgufValue.uint32(FF))
                        .addMetadata("llama.attention.head_count", GgufValue.uint32(128))
                        .addMetadata("llama.attention.head_count_kv", GgufValue.uint32(8))
                        .addMetadata("general.file_type", GgufValue.uint32(15))
                        .addMetadata("tokenizer.ggml.model", GgufValue.string("gpt2"))
                        .addMetadata("tokenizer.ggml.pre", GgufValue.string("llama-bpe"));
        List<String> tokens = new ArrayList<>(VOCAB);
        List<GgufValue> scores = new ArrayList<>(VOCAB);
        List<GgufValue> types = new ArrayList<>(VOCAB);
        for (int i = 0; i < VOCAB; i++) {
            tokens.add(token(i));
            scores.add(GgufValue.float32(-i));
            types.add(GgufValue.int32(i < 128_000 ? 1 : 3));
        }
        List<String> merges = new ArrayList<>(MERGES);
        for (int i = 0; i < MERGES; i++) {
            merges.add(token(i % 9973) + " " + token(i / 7 + 11));
        }
        builder.addMetadata("tokenizer.ggml.tokens", GgufValue.stringArray(tokens))
                .addMetadata(
                        "tokenizer.ggml.scores", GgufValue.array(GgufValueType.FLOAT32, scores))
                .addMetadata(
                        "tokenizer.ggml.token_type", GgufValue.array(GgufValueType.INT32, types))
                .addMetadata("tokenizer.ggml.merges", GgufValue.stringArray(merges))
                .addMetadata("tokenizer.ggml.bos_token_id", GgufValue.uint32(128000))
                .addMetadata("tokenizer.ggml.eos_token_id", GgufValue.uint32(128009));
        builder.addSparseTensor("token_embd.weight", GgmlType.Q4_K, new long[] {DIM, VOCAB});
        for (int b = 0; b < BLOCKS; b++) {
            String p = "blk." + b + ".";
            builder.addSparseTensor(p + "attn_norm.weight", GgmlType.F32, new long[] {DIM})
                    .addSparseTensor(p + "attn_q.weight", GgmlType.Q4_K, new long[] {DIM, DIM})
                    .addSparseTensor(p + "attn_k.weight", GgmlType.Q4_K, new long[] {DIM, KV_DIM})
                    .addSparseTensor(p + "attn_v.weight", GgmlType.Q4_K, new long[] {DIM, KV_DIM})
                    .addSparseTensor(p + "attn_output.weight", GgmlType.Q4_K, new long[] {DIM, DIM})
                    .addSparseTensor(p + "ffn_norm.weight", GgmlType.F32, new long[] {DIM})
                    .addSparseTensor(p + "ffn_gate.weight", GgmlType.Q4_K, new long[] {DIM, FF})
                    .addSparseTensor(p + "ffn_up.weight", GgmlType.Q4_K, new long[] {DIM, FF})
                    .addSparseTensor(p + "ffn_down.weight", GgmlType.Q4_K, new long[] {FF, DIM});
        }
        builder.addSparseTensor("output_norm.weight", GgmlType.F32, new long[] {DIM})
                .addSparseTensor("output.weight", GgmlType.Q4_K, new long[] {DIM, VOCAB});
        builder.build().write(file);
        System.out.printf(Locale.ROOT, "wrote %s (%,d bytes)%n", file, Files.size(file));
    }

    /** A byte-level BPE-looking token of 2 to 12 characters, distinct for every index. */
    static String token(int i) {
        StringBuilder text = new StringBuilder(i % 3 == 0 ? "Ġ" : "");
        int n = i;
        do {
            text.append((char) ('a' + n % 26));
            n /= 26;
        } while (n > 0);
        for (int k = 0; k < i % 7; k++) {
            text.append((char) ('a' + (i * 31 + k) % 26));
        }
        return text.toString();
    }
}
