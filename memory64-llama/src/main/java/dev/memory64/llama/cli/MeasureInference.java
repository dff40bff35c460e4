package dev.memory64.llama.cli;

import dev.memory64.llama.GenerationOptions;
import dev.memory64.llama.GenerationResult;
import dev.memory64.llama.GuestRuntime;
import dev.memory64.llama.Llama;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code scripts/measure-inference.sh}: stories260K's tokens per second in the inference guest
 * under each runtime and in the same C source compiled natively ({@code
 * scripts/build-native-guest.sh}, clang -O2), in one run, printed as rows for {@code
 * docs/PERFORMANCE.md} with each runtime's ratio to the native build of the same run.
 *
 * <p>Each measurement is a whole greedy generation (the prompt's positions included, as {@code
 * scripts/generate.sh} counts them), timed from the prompt's encoding to the last token; the row
 * gives the median of the measured generations, after warm-up generations that are not counted (the
 * JVM compiles the guest's code during the first ones). The native build runs as a process per
 * generation, before and after the guests, and its median is the ratios' base; on a shared machine
 * the best generation of each (the least disturbed) gives a second ratio. Every generation's text
 * must equal the native build's, or the command fails.
 */
public final class MeasureInference {
    private static final String USAGE =
            "usage: scripts/measure-inference.sh [--model FILE.gguf] [--prompt TEXT] [--steps N]"
                    + " [--runs N] [--warmup N] [--slow-runs N]"
                    + " [--runtimes chicory,chicory-interpreter,endive] [--native PATH]"
                    + " [--models-dir DIR] [--work-dir DIR]";

    private static final Pattern NATIVE_STATS =
            Pattern.compile("generated (\\d+) tokens in ([0-9.]+) s");

    private MeasureInference() {}

    /** Parsed arguments. */
    record Options(
            String model,
            String prompt,
            int steps,
            int runs,
            int warmup,
            int slowRuns,
            List<GuestRuntime> runtimes,
            Path nativeGuest,
            Path models,
            Path work) {

        static Options parse(String[] args) {
            String model = null;
            String prompt = "Once upon a time, a dog";
            int steps = 256;
            int runs = 5;
            int warmup = 2;
            int slowRuns = 1;
            List<GuestRuntime> runtimes = List.of(GuestRuntime.values());
            Path nativeGuest = Path.of("target", "llama-native");
            Path models = Path.of("..", "shared", "models");
            Path work = Path.of("target", "generate");
            for (Map.Entry<String, String> option : Commands.pairs(args, USAGE)) {
                String name = option.getKey();
                String value = option.getValue();
                switch (name) {
                    case "--model" -> model = value;
                    case "--prompt" -> prompt = value;
                    case "--steps" -> steps = positive(name, value);
                    case "--runs" -> runs = positive(name, value);
                    case "--warmup" -> warmup = atLeast(0, name, value);
                    case "--slow-runs" -> slowRuns = positive(name, value);
                    case "--runtimes" ->
                            runtimes =
                                    Arrays.stream(value.split(","))
                                            .map(GuestRuntime::ofCliName)
                                            .toList();
                    case "--native" -> nativeGuest = Path.of(value);
                    case "--models-dir" -> models = Path.of(value);
                    case "--work-dir" -> work = Path.of(value);
                    default -> throw Commands.unknown(name, USAGE);
                }
            }
            return new Options(
                    model,
                    prompt,
                    steps,
                    runs,
                    warmup,
                    slowRuns,
                    runtimes,
                    nativeGuest,
                    models,
                    work);
        }

        private static int positive(String option, String value) {
            return atLeast(1, option, value);
        }

        private static int atLeast(int least, String option, String value) {
            int n = Integer.parseInt(value);
            if (n < least) {
                throw new IllegalArgumentException(option + " " + value + " is below " + least);
            }
            return n;
        }
    }

    /** One runtime's measured generations: tokens per second of each, and the text. */
    record Row(String name, double[] tokensPerSecond, int positions, String text) {
        double median() {
            double[] sorted = tokensPerSecond.clone();
            Arrays.sort(sorted);
            int n = sorted.length;
            return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        }

        double min() {
            return Arrays.stream(tokensPerSecond).min().orElse(0);
        }

        double max() {
            return Arrays.stream(tokensPerSecond).max().orElse(0);
        }
    }

    /**
     * Runs the command.
     *
     * @param args the arguments, as {@link #USAGE} says
     */
    public static void main(String[] args) {
        Commands.exit("measure-inference", MeasureInference::run, args);
    }

    static int run(String[] args, PrintStream out, PrintStream err)
            throws IOException, InterruptedException {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("measure-inference: " + e.getMessage());
            return 64;
        }
        String model = options.model();
        if (model == null) {
            model =
                    GenerateCommand.defaultModel(
                            GenerateCommand.parse(
                                    new String[] {
                                        "--models-dir",
                                        options.models().toString(),
                                        "--work-dir",
                                        options.work().toString()
                                    }),
                            err);
        }
        if (!Files.isExecutable(options.nativeGuest())) {
            err.println(
                    "measure-inference: no native build at "
                            + options.nativeGuest()
                            + " (scripts/build-native-guest.sh)");
            return 1;
        }
        double load0 = loadAverage();
        long start = System.nanoTime();
        List<Row> nativeRuns = new ArrayList<>();
        nativeRuns.add(nativeRow(options, model, err));
        List<Row> rows = new ArrayList<>();
        for (GuestRuntime runtime : options.runtimes()) {
            rows.add(guestRow(options, model, runtime, err));
        }
        nativeRuns.add(nativeRow(options, model, err));
        Row nativeRow = merge(nativeRuns);
        for (Row row : rows) {
            if (!row.text().equals(nativeRow.text())) {
                err.println(
                        "measure-inference: "
                                + row.name()
                                + " wrote other text than the native build:\n"
                                + row.text()
                                + "\nnative:\n"
                                + nativeRow.text());
                return 1;
            }
        }
        double load1 = loadAverage();
        out.printf(
                Locale.ROOT,
                "%s, prompt \"%s\", %d positions per generation, greedy;"
                        + " %.0f s in all, 1-minute load average %.2f before, %.2f after (%d"
                        + " CPUs)%n%n",
                model,
                options.prompt(),
                nativeRow.positions(),
                (System.nanoTime() - start) / 1e9,
                load0,
                load1,
                Runtime.getRuntime().availableProcessors());
        out.println(
                "| build | tok/s (median) | range | generations | × native (slower), medians"
                        + " | × native, best of each | ms per token (median) |");
        out.println("| --- | --- | --- | --- | --- | --- | --- |");
        out.println(line(nativeRow, nativeRow));
        for (Row row : rows) {
            out.println(line(row, nativeRow));
        }
        return 0;
    }

    private static String line(Row row, Row nativeRow) {
        return String.format(
                Locale.ROOT,
                "| %s | %.1f | %.1f–%.1f | %d | %.1f | %.1f | %.3f |",
                row.name(),
                row.median(),
                row.min(),
                row.max(),
                row.tokensPerSecond().length,
                nativeRow.median() / row.median(),
                nativeRow.max() / row.max(),
                1000 / row.median());
    }

    private static Row merge(List<Row> parts) {
        double[] all =
                parts.stream().flatMapToDouble(r -> Arrays.stream(r.tokensPerSecond())).toArray();
        Row first = parts.get(0);
        for (Row part : parts) {
            if (!part.text().equals(first.text())) {
                throw new IllegalStateException("the native build wrote two different texts");
            }
        }
        return new Row(first.name(), all, first.positions(), first.text());
    }

    private static Row guestRow(
            Options options, String model, GuestRuntime runtime, PrintStream err)
            throws IOException {
        boolean slow = runtime != GuestRuntime.CHICORY;
        int warmup = slow ? 0 : options.warmup();
        int runs = slow ? options.slowRuns() : options.runs();
        try (Llama llama =
                Llama.builder(Path.of(model))
                        .withRuntime(runtime)
                        .withMaxPositions(options.steps())
                        .open()) {
            double[] rates = new double[runs];
            String text = null;
            int positions = 0;
            for (int i = -warmup; i < runs; i++) {
                GenerationResult result =
                        llama.generate(
                                options.prompt(),
                                GenerationOptions.greedy(options.steps()),
                                (token, piece) -> {});
                double rate = result.positions() / (result.nanos() / 1e9);
                err.printf(
                        Locale.ROOT,
                        "measure-inference: %s %s: %d positions, %.1f tok/s%n",
                        runtime.cliName(),
                        i < 0 ? "warm-up" : "run " + (i + 1),
                        result.positions(),
                        rate);
                if (i >= 0) {
                    rates[i] = rate;
                }
                text = result.text();
                positions = result.positions();
            }
            return new Row(runtime.cliName(), rates, positions, text);
        }
    }

    /** Runs the native build once per generation (warm-up runs first), as separate processes. */
    private static Row nativeRow(Options options, String model, PrintStream err)
            throws IOException, InterruptedException {
        double[] rates = new double[options.runs()];
        String text = null;
        int positions = 0;
        for (int i = -1; i < options.runs(); i++) {
            Process process =
                    new ProcessBuilder(
                                    options.nativeGuest().toString(),
                                    "--model",
                                    model,
                                    "--prompt",
                                    options.prompt(),
                                    "--steps",
                                    Integer.toString(options.steps()),
                                    "--temperature",
                                    "0",
                                    "--seed",
                                    "1")
                            .start();
            ByteArrayOutputStream stderr = new ByteArrayOutputStream();
            Thread drain =
                    Thread.ofPlatform()
                            .start(
                                    () -> {
                                        try {
                                            process.getErrorStream().transferTo(stderr);
                                        } catch (IOException e) {
                                            // the process's exit code reports it
                                        }
                                    });
            byte[] stdout = process.getInputStream().readAllBytes();
            int code = process.waitFor();
            drain.join();
            String said = stderr.toString(StandardCharsets.UTF_8);
            Matcher m = NATIVE_STATS.matcher(said);
            if (code != 0 || !m.find()) {
                throw new IOException(
                        "the native build failed (exit " + code + "): " + said.strip());
            }
            positions = Integer.parseInt(m.group(1));
            double rate = positions / Double.parseDouble(m.group(2));
            err.printf(
                    Locale.ROOT,
                    "measure-inference: native %s: %d positions, %.1f tok/s%n",
                    i < 0 ? "warm-up" : "run " + (i + 1),
                    positions,
                    rate);
            if (i >= 0) {
                rates[i] = rate;
            }
            String printed = new String(stdout, StandardCharsets.UTF_8);
            // run.c's output ends in one newline that the guest's text does not carry
            text = printed.endsWith("\n") ? printed.substring(0, printed.length() - 1) : printed;
        }
        return new Row("native (clang -O2)", rates, positions, text);
    }

    /** The 1-minute load average, or -1 where the platform has none. */
    static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
