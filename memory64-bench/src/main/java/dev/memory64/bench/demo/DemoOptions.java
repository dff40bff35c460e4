package dev.memory64.bench.demo;

import dev.memory64.ResidencyPolicy;
import dev.memory64.bench.support.ResidencySpec;
import dev.memory64.internal.Bytes;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The demo's command line, parsed.
 *
 * @param help whether {@code --help} was given (then nothing else runs)
 * @param model the user's GGUF model, or null to use the sample model
 * @param dir where the sample model is written and reused
 * @param layers stream only layers {@code 0 .. layers-1}; {@link Integer#MAX_VALUE} for all
 * @param progress how progress is shown on stderr
 * @param residency the store's residency policy while streaming
 * @param url the user's model served over HTTP(S) ({@code --model http://...}), or null
 */
record DemoOptions(
        boolean help,
        Path model,
        Path dir,
        int layers,
        DemoProgress.Mode progress,
        ResidencyPolicy residency,
        URI url) {

    /** The sample model's directory unless {@code --dir} says otherwise. */
    static Path defaultDir() {
        return Path.of(System.getProperty("java.io.tmpdir"), "memory64-demo");
    }

    /** A bad command line: the message is one line, without the "demo: " prefix. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    static String usage() {
        return """
                usage: scripts/demo.sh [--model PATH|URL] [--dir PATH] [--layers N] [--progress MODE]
                                      [--residency POLICY]

                Streams every layer of a GGUF model or safetensors checkpoint, by id, through a 32-bit WebAssembly guest
                (guests/c/layer_checksum.c) running under Chicory with WASI and the memory64 host
                functions; checks each layer's checksum against one the host computes; prints
                the throughput next to a plain memory copy measured in the same run.

                With no options it writes a sample model of %s (a llama-7B shape at Q5_0:
                token_embd, 32 blocks, output_norm, output; 35 layers; deterministic pseudo-random
                weights) to %s on the first run, and reuses it after that.

                options:
                  --model PATH     run on your own GGUF model instead (for a split model, any part),
                                   or a safetensors checkpoint (a .safetensors file, any shard,
                                   or its model.safetensors.index.json), or an http(s):// URL of
                                   either: read by range requests into a sparse cache in
                                   java.io.tmpdir
                  --dir PATH       where the sample model goes (default: the directory above)
                  --layers N       stream only layers 0 .. N-1, for a quick run
                  --progress MODE  on stderr: auto (a bar on a terminal, else a line per 10%%),
                                   bar, lines or none; default auto
                  --residency P    what stays mapped while streaming: off (default),
                                   layers:BEHIND:AHEAD or bytes:BEHIND_MIB:AHEAD_MIB
                                   (see ResidencyPolicy); the table shows what it released
                  -h, --help       show this text

                exit status: 0 every checksum matched; 1 the run failed (a checksum mismatch, an
                invalid model, too little disk space: the reason is on stderr); 2 bad usage.
                """
                .formatted(
                        Bytes.decimal(DemoSample.Spec.DEFAULT.fileSize()),
                        defaultDir().resolve(DemoSample.Spec.DEFAULT.fileName()));
    }

    /**
     * Parses the arguments; {@code --opt value} and {@code --opt=value} both work.
     *
     * @throws UsageException naming the first problem
     */
    static DemoOptions parse(String... args) throws UsageException {
        boolean help = false;
        Path model = null;
        URI url = null;
        Path dir = null;
        int layers = Integer.MAX_VALUE;
        DemoProgress.Mode progress = DemoProgress.Mode.AUTO;
        ResidencyPolicy residency = ResidencyPolicy.off();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            switch (name) {
                case "-h", "--help" -> {
                    if (value != null) {
                        throw new UsageException(name + " takes no value");
                    }
                    help = true;
                }
                case "--model", "--dir", "--layers", "--progress", "--residency" -> {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new UsageException(name + " needs a value");
                        }
                        value = args[++i];
                    }
                    if (value.isEmpty()) {
                        throw new UsageException(name + " needs a value, got an empty one");
                    }
                    switch (name) {
                        case "--model" -> {
                            if (value.matches("(?i)https?://.+")) {
                                url = url(name, value);
                            } else {
                                model = path(name, value);
                            }
                        }
                        case "--dir" -> dir = path(name, value);
                        case "--layers" -> layers = positive(name, value);
                        case "--residency" -> residency = residency(value);
                        default -> progress = mode(value);
                    }
                }
                default ->
                        throw new UsageException(
                                arg.startsWith("-")
                                        ? "unknown option " + arg
                                        : "unexpected argument " + arg);
            }
        }
        if (help) {
            return new DemoOptions(true, null, defaultDir(), layers, progress, residency, null);
        }
        if ((model != null || url != null) && dir != null) {
            throw new UsageException(
                    "--dir is for the sample model; it has no effect with --model");
        }
        if (model != null) {
            if (!Files.exists(model)) {
                throw new UsageException("--model " + model + ": no such file");
            }
            if (!Files.isRegularFile(model)) {
                throw new UsageException("--model " + model + ": not a regular file");
            }
            if (!Files.isReadable(model)) {
                throw new UsageException("--model " + model + ": not readable");
            }
        }
        if (dir != null && Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new UsageException("--dir " + dir + ": not a directory");
        }
        return new DemoOptions(
                false, model, dir != null ? dir : defaultDir(), layers, progress, residency, url);
    }

    private static URI url(String option, String value) throws UsageException {
        try {
            return new URI(value);
        } catch (URISyntaxException e) {
            throw new UsageException(option + " " + value + ": not a valid URL");
        }
    }

    private static Path path(String option, String value) throws UsageException {
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw new UsageException(option + " " + value + ": not a valid path");
        }
    }

    private static int positive(String option, String value) throws UsageException {
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException(
                option + " " + value + ": not a whole number from 1 to " + Integer.MAX_VALUE);
    }

    private static ResidencyPolicy residency(String value) throws UsageException {
        try {
            return ResidencySpec.parse(value);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private static DemoProgress.Mode mode(String value) throws UsageException {
        for (DemoProgress.Mode mode : DemoProgress.Mode.values()) {
            if (mode.name().toLowerCase(Locale.ROOT).equals(value)) {
                return mode;
            }
        }
        throw new UsageException("--progress " + value + ": not one of auto, bar, lines, none");
    }
}
