package dev.memory64.llama.cli;

import dev.memory64.Layer;
import dev.memory64.Memory64Store;
import dev.memory64.gguf.GgmlType;
import dev.memory64.llama.GenerationOptions;
import dev.memory64.llama.GenerationResult;
import dev.memory64.llama.GuestRuntime;
import dev.memory64.llama.Llama;
import dev.memory64.llama.Llama2cConverter;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Map;

/**
 * {@code scripts/generate.sh}: generates text from a prompt with {@link Llama}. Standard output
 * carries exactly what llama2.c's {@code run.c} prints for the same model, prompt and steps (the
 * prompt, the generated text, one newline); standard error ends in one statistics line:
 *
 * <pre>
 * generated T tokens in S s (R tok/s; weights W GB in L s = X% of the time at G GB/s, Y x plain copy), guest memory M MiB, peak RSS P GiB
 * </pre>
 *
 * <p>T counts the positions run (the prompt's included, as run.c's {@code -n}); the plain copy is
 * the same bytes copied from the store by the host alone, measured in the same run after the
 * generation; peak RSS is the process's {@code VmHWM}.
 */
public final class GenerateCommand {
    private static final String USAGE =
            "usage: scripts/generate.sh [--model FILE_OR_URI] [--prompt TEXT] [--steps N]"
                    + " [--temperature T] [--top-p P] [--seed S]"
                    + " [--runtime chicory|chicory-interpreter|endive] [--buffer-mib M]"
                    + " [--models-dir DIR] [--work-dir DIR]";

    /** stories260K's llama2.c checkpoint and tokenizer, in the models directory. */
    static final String STORIES_CHECKPOINT = "stories260K.bin";

    static final String STORIES_TOKENIZER = "tok512.bin";

    /** stories260K converted, in the work directory. */
    static final String STORIES_GGUF = "stories260K.gguf";

    /** The sample model's file, in the work directory. */
    static final String SAMPLE = "sample-llama-random.gguf";

    private GenerateCommand() {}

    /**
     * Runs the command.
     *
     * @param args the arguments, as {@link #USAGE} says
     */
    public static void main(String[] args) {
        Commands.exit("generate", GenerateCommand::run, args);
    }

    /** Parsed arguments. */
    record Options(
            String model,
            String prompt,
            int steps,
            float temperature,
            float topP,
            long seed,
            GuestRuntime runtime,
            int bufferMib,
            Path models,
            Path work) {}

    static Options parse(String[] args) {
        String model = null;
        String prompt = "";
        int steps = 256;
        float temperature = 1.0f;
        float topP = 0.9f;
        long seed = 0;
        GuestRuntime runtime = GuestRuntime.CHICORY;
        int bufferMib = 64;
        Path models = Path.of("..", "shared", "models");
        Path work = Path.of("target", "generate");
        for (Map.Entry<String, String> option : Commands.pairs(args, USAGE)) {
            String value = option.getValue();
            switch (option.getKey()) {
                case "--model" -> model = value;
                case "--prompt" -> prompt = value;
                case "--steps" -> steps = Integer.parseInt(value);
                case "--temperature" -> temperature = Float.parseFloat(value);
                case "--top-p" -> topP = Float.parseFloat(value);
                case "--seed" -> seed = Long.parseUnsignedLong(value);
                case "--runtime" -> runtime = GuestRuntime.ofCliName(value);
                case "--buffer-mib" -> bufferMib = Integer.parseInt(value);
                case "--models-dir" -> models = Path.of(value);
                case "--work-dir" -> work = Path.of(value);
                default -> throw Commands.unknown(option.getKey(), USAGE);
            }
        }
        // run.c's rules: a negative temperature is 0, a top-p outside [0, 1] is 0.9, negative
        // steps are 0 (the whole context), a seed of 0 is the time.
        if (temperature < 0) {
            temperature = 0;
        }
        if (topP < 0 || topP > 1) {
            topP = 0.9f;
        }
        if (steps < 0) {
            steps = 0;
        }
        if (seed == 0) {
            seed = System.currentTimeMillis() / 1000;
        }
        return new Options(
                model, prompt, steps, temperature, topP, seed, runtime, bufferMib, models, work);
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws IOException {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            out.println(USAGE);
            return 0;
        }
        Options options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("generate: " + e.getMessage());
            return 64;
        }
        String model = options.model() != null ? options.model() : defaultModel(options, err);
        Llama.Builder builder =
                model.startsWith("http://")
                                || model.startsWith("https://")
                                || model.startsWith("hf://")
                        ? Llama.builder(URI.create(model))
                        : Llama.builder(Path.of(model));
        builder.withRuntime(options.runtime()).withWeightBufferKib(options.bufferMib() << 10);
        if (options.steps() > 0) {
            builder.withMaxPositions(options.steps());
        }
        try (Llama llama = builder.open()) {
            err.println(
                    "generate: "
                            + model
                            + " under "
                            + options.runtime().cliName()
                            + ", "
                            + llama.maxPositions()
                            + " positions");
            GenerationResult result =
                    llama.generate(
                            options.prompt(),
                            new GenerationOptions(
                                    options.steps(),
                                    options.temperature(),
                                    options.topP(),
                                    options.seed()),
                            (token, piece) -> {
                                out.write(piece, 0, piece.length);
                                out.flush();
                            });
            out.write('\n');
            out.flush();
            double copyGbPerSecond = plainCopy(llama.store(), result.weightBytes());
            err.println(statistics(result, copyGbPerSecond, llama.guestMemoryBytes(), peakRss()));
        }
        return 0;
    }

    /**
     * The model to run without {@code --model}: stories260K from the models directory (the
     * project's root's {@code ../shared/models}) where it is, converted once from its llama2.c
     * checkpoint into the work directory (as {@code scripts/convert-llama2c.sh} converts it), else
     * the sample model, written once there too. Says which on err.
     */
    static String defaultModel(Options options, PrintStream err) throws IOException {
        Path checkpoint = options.models().resolve(STORIES_CHECKPOINT);
        Path tokenizer = options.models().resolve(STORIES_TOKENIZER);
        if (Files.isRegularFile(checkpoint) && Files.isRegularFile(tokenizer)) {
            Path converted = options.work().resolve(STORIES_GGUF);
            if (Files.isRegularFile(converted)) {
                err.println(
                        "generate: no --model: stories260K from "
                                + options.models()
                                + ", converted earlier into "
                                + converted);
            } else {
                Files.createDirectories(options.work());
                Path temporary = Files.createTempFile(options.work(), "stories260K", ".tmp");
                try {
                    Llama2cConverter.convert(checkpoint, tokenizer, temporary, GgmlType.F32);
                    Files.move(temporary, converted, StandardCopyOption.REPLACE_EXISTING);
                } finally {
                    Files.deleteIfExists(temporary);
                }
                err.println(
                        "generate: no --model: stories260K from "
                                + options.models()
                                + ", converted once into "
                                + converted);
            }
            return converted.toString();
        }
        Path sample = options.work().resolve(SAMPLE);
        if (!Files.isRegularFile(sample)) {
            Files.createDirectories(options.work());
            SampleModel.write(sample);
        }
        err.println(
                "generate: no --model and no "
                        + checkpoint
                        + ": the synthetic sample model "
                        + sample
                        + ", whose random weights write nonsense");
        return sample.toString();
    }

    /** The statistics line. */
    static String statistics(
            GenerationResult result, double copyGbPerSecond, long guestMemory, long peakRss) {
        double seconds = result.nanos() / 1e9;
        double loadSeconds = result.loadNanos() / 1e9;
        double gb = result.weightBytes() / 1e9;
        double loadGbPerSecond = loadSeconds > 0 ? gb / loadSeconds : 0;
        return String.format(
                Locale.ROOT,
                "generated %d tokens in %.3f s (%.1f tok/s; weights %.4f GB in %.3f s = %.1f%% of"
                        + " the time at %.2f GB/s, %.2f x plain copy), guest memory %.1f MiB, peak"
                        + " RSS %.3f GiB",
                result.positions(),
                seconds,
                seconds > 0 ? result.positions() / seconds : 0,
                gb,
                loadSeconds,
                seconds > 0 ? 100 * loadSeconds / seconds : 0,
                loadGbPerSecond,
                copyGbPerSecond > 0 ? loadGbPerSecond / copyGbPerSecond : 0,
                guestMemory / (double) (1 << 20),
                peakRss / (double) (1 << 30));
    }

    /**
     * Copies bytes of the store's layers (each whole, in order, again from the first until the
     * total is copied) into one off-heap buffer by the host alone, and returns the rate in GB/s:
     * the plain copy that the guest's loads of the same bytes compare with.
     */
    static double plainCopy(Memory64Store store, long bytes) throws IOException {
        long largest = 0;
        for (Layer layer : store.layers()) {
            largest = Math.max(largest, layer.size());
        }
        return bytes <= 0 || largest == 0 ? 0 : plainCopy(store, bytes, largest);
    }

    /**
     * Copies {@code bytes} bytes of the store's layers (in order, each in chunks of at most {@code
     * chunk} bytes, again from the first layer until the total is copied) into one off-heap buffer
     * by the host alone, and returns the rate in GB/s.
     */
    static double plainCopy(Memory64Store store, long bytes, long chunk) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(chunk, 64);
            long copied = 0;
            long start = System.nanoTime();
            while (copied < bytes) {
                for (Layer layer : store.layers()) {
                    for (long off = 0; off < layer.size() && copied < bytes; ) {
                        long len = Math.min(Math.min(chunk, layer.size() - off), bytes - copied);
                        store.readLayer(layer.id(), off, buffer.asSlice(0, len));
                        off += len;
                        copied += len;
                    }
                }
            }
            long nanos = System.nanoTime() - start;
            return nanos > 0 ? copied / (double) nanos : 0;
        }
    }

    /** The process's peak resident set (VmHWM of /proc/self/status) in bytes; 0 where absent. */
    static long peakRss() {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return 0;
        }
        try {
            for (String line : Files.readAllLines(status, StandardCharsets.UTF_8)) {
                if (line.startsWith("VmHWM:")) {
                    String kib = line.substring("VmHWM:".length()).replace("kB", "").strip();
                    return Long.parseLong(kib) << 10;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }
}
