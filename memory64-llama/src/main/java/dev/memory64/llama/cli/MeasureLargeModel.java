package dev.memory64.llama.cli;

import dev.memory64.Memory64Store;
import dev.memory64.ResidencyPolicy;
import dev.memory64.gguf.GgmlType;
import dev.memory64.llama.GenerationOptions;
import dev.memory64.llama.GenerationResult;
import dev.memory64.llama.GuestRuntime;
import dev.memory64.llama.Llama;
import dev.memory64.llama.reference.SyntheticLlama;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code scripts/measure-inference.sh --shape 7b|70b}: the origin design's model shapes, with
 * sparse synthetic weights (every tensor a hole: zeros, no disk space, written in about a second),
 * generating a few tokens through the inference guest, against a plain copy of the same bytes and
 * the same C compiled natively, in one run.
 *
 * <ul>
 *   <li>{@code 7b}: a 7B llama in Q4_K_M (32 blocks of width 4096, feed-forward 11008, vocabulary
 *       32000; Q6_K where llama.cpp's Q4_K_M puts it): each block, about 120 MB, loads whole into a
 *       160 MiB buffer, as the origin design loads a layer (its projection: about 13 ms to load and
 *       50 ms to compute each, about 2 s per token). The model stays mapped.
 *   <li>{@code 70b}: a 70B-class Q4_K model (80 blocks of width 8192, feed-forward 28672, 64 heads
 *       over 8 KV heads, vocabulary 128256), about 40 GB: blocks of about 480 MB stream by range
 *       through a 64 MiB buffer, and the store keeps a residency window of 256 MiB behind and 512
 *       MiB ahead of the guest, so that the process's peak resident set stays bounded (target:
 *       under 3 GiB).
 *   <li>{@code small}: the same measurement of a model of a few hundred kilobytes, whose blocks
 *       stream through a 1 MiB buffer: it checks the command, not the library.
 * </ul>
 *
 * <p>The native build ({@code target/llama-native}) runs the same file for the same positions
 * first, for the 7B shape by default ({@code --with-native} for the 70B-class one, whose 40 GB it
 * maps whole, with no residency window). The plain copy copies the same number of bytes from the
 * same store, layer by layer in the guest's chunk size, into one off-heap buffer by the host alone,
 * after the generation. Peak RSS is the process's {@code VmHWM}, read before the plain copy. The
 * model file is deleted at the end unless {@code --keep} is given.
 */
public final class MeasureLargeModel {
    private static final String USAGE =
            "usage: scripts/measure-inference.sh --shape 7b|70b|small [--tokens N]"
                    + " [--runtime chicory|chicory-interpreter|endive] [--dir DIR] [--native PATH]"
                    + " [--no-native | --with-native] [--keep true]";

    private static final Pattern NATIVE_STATS =
            Pattern.compile(
                    "generated (\\d+) tokens in ([0-9.]+) s \\([0-9.]+ tok/s; weights ([0-9.]+) GB"
                            + " in ([0-9.]+) s");

    /** A model shape and how the guest runs it. */
    record Shape(
            String name,
            SyntheticLlama model,
            int bufferMib,
            ResidencyPolicy residency,
            int defaultTokens,
            boolean nativeByDefault) {

        static Shape of(String name) {
            return switch (name) {
                case "7b" ->
                        new Shape(
                                "7B Q4_K_M",
                                new SyntheticLlama(
                                        4096,
                                        11008,
                                        32,
                                        32,
                                        32,
                                        32000,
                                        4096,
                                        GgmlType.Q4_K,
                                        false,
                                        false,
                                        1,
                                        true,
                                        true),
                                160,
                                ResidencyPolicy.off(),
                                4,
                                true);
                case "70b" ->
                        new Shape(
                                "70B-class Q4_K",
                                new SyntheticLlama(
                                        8192,
                                        28672,
                                        80,
                                        64,
                                        8,
                                        128256,
                                        8192,
                                        GgmlType.Q4_K,
                                        false,
                                        false,
                                        1,
                                        true,
                                        false),
                                64,
                                ResidencyPolicy.bytes(256L << 20, 512L << 20),
                                2,
                                false);
                case "small" ->
                        new Shape(
                                "small Q4_K_M",
                                new SyntheticLlama(
                                        256,
                                        512,
                                        4,
                                        8,
                                        4,
                                        300,
                                        64,
                                        GgmlType.Q4_K,
                                        false,
                                        false,
                                        1,
                                        true,
                                        true),
                                1,
                                ResidencyPolicy.bytes(64L << 10, 64L << 10),
                                3,
                                false);
                default -> throw new IllegalArgumentException("no shape " + name + "\n" + USAGE);
            };
        }
    }

    private MeasureLargeModel() {}

    /**
     * Runs the command.
     *
     * @param args the arguments, as {@link #USAGE} says
     */
    public static void main(String[] args) {
        Commands.exit("measure-inference", MeasureLargeModel::run, args);
    }

    static int run(String[] args, PrintStream out, PrintStream err)
            throws IOException, InterruptedException {
        Shape shape = null;
        int tokens = 0;
        GuestRuntime runtime = GuestRuntime.CHICORY;
        Path dir = Path.of("target", "generate");
        Path nativeGuest = Path.of("target", "llama-native");
        Boolean runNative = null;
        boolean keep = false;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--no-native") || a.equals("--with-native")) {
                    runNative = a.equals("--with-native");
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a + " needs a value\n" + USAGE);
                }
                String value = args[++i];
                switch (a) {
                    case "--shape" -> shape = Shape.of(value);
                    case "--tokens" -> tokens = Integer.parseInt(value);
                    case "--runtime" -> runtime = GuestRuntime.ofCliName(value);
                    case "--dir", "--work-dir" -> dir = Path.of(value);
                    case "--native" -> nativeGuest = Path.of(value);
                    case "--keep" -> keep = Boolean.parseBoolean(value);
                    case "--models-dir" -> {
                        // accepted for the script's common arguments; not used
                    }
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (shape == null) {
                throw new IllegalArgumentException("--shape is required\n" + USAGE);
            }
        } catch (IllegalArgumentException e) {
            err.println("measure-inference: " + e.getMessage());
            return 64;
        }
        int positions = tokens > 0 ? tokens : shape.defaultTokens();
        Files.createDirectories(dir);
        Path file = dir.resolve("measure-" + shape.name().replace(' ', '-') + "-sparse.gguf");
        long writeStart = System.nanoTime();
        shape.model().write(file);
        err.printf(
                Locale.ROOT,
                "measure-inference: wrote %s (%.1f GB, sparse) in %.1f s%n",
                file,
                Files.size(file) / 1e9,
                (System.nanoTime() - writeStart) / 1e9);
        try {
            double load0 = MeasureInference.loadAverage();
            boolean withNative = runNative != null ? runNative : shape.nativeByDefault();
            String nativeLine =
                    withNative
                            ? nativeRun(nativeGuest, file, positions, shape.bufferMib(), err)
                            : null;
            Llama.Builder builder =
                    Llama.builder(file)
                            .withRuntime(runtime)
                            .withWeightBufferKib(shape.bufferMib() << 10)
                            .withMaxPositions(positions);
            try (Llama llama = builder.open()) {
                Memory64Store store = llama.store();
                store.useResidency(shape.residency());
                GenerationResult result =
                        llama.generate(
                                "", GenerationOptions.greedy(positions), (token, piece) -> {});
                long peak = GenerateCommand.peakRss();
                long guestMemory = llama.guestMemoryBytes();
                double copyGbPerSecond =
                        GenerateCommand.plainCopy(
                                store, result.weightBytes(), (long) shape.bufferMib() << 20);
                double seconds = result.nanos() / 1e9;
                double perToken = seconds / result.positions();
                double loadSeconds = result.loadNanos() / 1e9;
                double loadGbPerSecond = result.weightBytes() / 1e9 / loadSeconds;
                int blocks = shape.model().layers();
                out.printf(
                        Locale.ROOT,
                        "%s (%s, %.1f GB, sparse), %d positions under %s, weight buffer %d MiB,"
                                + " residency %s; 1-minute load average %.2f before, %.2f after%n%n",
                        shape.name(),
                        file.getFileName(),
                        Files.size(file) / 1e9,
                        result.positions(),
                        runtime.cliName(),
                        shape.bufferMib(),
                        shape.residency(),
                        load0,
                        MeasureInference.loadAverage());
                out.println(
                        "| run | s/token | loads per token | load share | load GB/s | plain copy"
                                + " GB/s | × plain copy | per block: load, compute | guest"
                                + " memory | peak RSS |");
                out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
                out.printf(
                        Locale.ROOT,
                        "| guest (%s) | %.2f | %.1f MB | %.1f%% | %.2f | %.2f | %.2f | %.1f ms, %.1f"
                                + " ms | %.0f MiB | %.2f GiB |%n",
                        runtime.cliName(),
                        perToken,
                        result.weightBytes() / 1e6 / result.positions(),
                        100 * loadSeconds / seconds,
                        loadGbPerSecond,
                        copyGbPerSecond,
                        loadGbPerSecond / copyGbPerSecond,
                        1000 * loadSeconds / result.positions() / blocks,
                        1000 * (seconds - loadSeconds) / result.positions() / blocks,
                        guestMemory / (double) (1 << 20),
                        peak / (double) (1L << 30));
                if (nativeLine != null) {
                    out.println(nativeLine);
                }
                out.println(
                        "| origin design's projection (7B Q4_K_M) | about 2 | | | | | | 13 ms, 50"
                                + " ms | | |");
            }
        } finally {
            if (!keep) {
                Files.deleteIfExists(file);
            }
        }
        return 0;
    }

    /** The native build's row, or a row saying why there is none. */
    private static String nativeRun(
            Path nativeGuest, Path file, int positions, int bufferMib, PrintStream err)
            throws IOException, InterruptedException {
        if (!Files.isExecutable(nativeGuest)) {
            return "| native (clang -O2) | not run: no " + nativeGuest + " | | | | | | | | |";
        }
        Process process =
                new ProcessBuilder(
                                nativeGuest.toString(),
                                "--model",
                                file.toString(),
                                "--steps",
                                Integer.toString(positions),
                                "--temperature",
                                "0",
                                "--seed",
                                "1",
                                "--buffer-mib",
                                Integer.toString(bufferMib))
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        process.getErrorStream().transferTo(stderr);
        int code = process.waitFor();
        String said = stderr.toString(StandardCharsets.UTF_8);
        Matcher m = NATIVE_STATS.matcher(said);
        if (code != 0 || !m.find()) {
            throw new IOException("the native build failed (exit " + code + "): " + said.strip());
        }
        int n = Integer.parseInt(m.group(1));
        double seconds = Double.parseDouble(m.group(2));
        double gb = Double.parseDouble(m.group(3));
        double loadSeconds = Double.parseDouble(m.group(4));
        err.printf(Locale.ROOT, "measure-inference: native: %d positions in %.1f s%n", n, seconds);
        return String.format(
                Locale.ROOT,
                "| native (clang -O2, memcpy from its own mapping) | %.2f | %.1f MB |"
                        + " %.1f%% | %.2f | | | | | |",
                seconds / n,
                gb * 1000 / n,
                100 * loadSeconds / seconds,
                gb / loadSeconds);
    }
}
