package dev.memory64.bench.large;

import dev.memory64.Layer;
import dev.memory64.Memory64Stats;
import dev.memory64.Memory64Store;
import dev.memory64.ResidencyPolicy;
import dev.memory64.bench.demo.DemoModel;
import dev.memory64.bench.support.HostChecksum;
import dev.memory64.bench.support.ResidencySpec;
import dev.memory64.internal.Bytes;
import dev.memory64.testkit.LayerChecksum;
import dev.memory64.testkit.ProcStatus;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code scripts/stream-large.sh}: writes (once) a model far larger than this machine's memory,
 * opens it with a residency window, streams every layer by id through the C guest under Chicory's
 * compiler, checks a sample of layers against the host, times a plain copy and positional file
 * reads of the same bytes, and prints a table and one summary line.
 */
public final class StreamLarge {

    private static final long CHUNK = 16L << 20;

    private StreamLarge() {}

    /** The command line. */
    record Options(
            Path dir,
            int layers,
            long realGb,
            ResidencyPolicy residency,
            int verifyEvery,
            boolean positional,
            String model,
            Path cache) {

        static Options parse(String[] args) {
            Path dir = Path.of(System.getProperty("java.io.tmpdir"), "memory64-large");
            int layers = Integer.MAX_VALUE;
            long real = 0;
            ResidencyPolicy residency = ResidencyPolicy.bytes(256L << 20, 512L << 20);
            int verifyEvery = 16;
            boolean positional = true;
            String model = null;
            Path cache = null;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--dir" -> dir = Path.of(value(args, ++i, a));
                    case "--layers" -> layers = Integer.parseInt(value(args, ++i, a));
                    case "--real-gb" -> real = Long.parseLong(value(args, ++i, a));
                    case "--residency" -> residency = ResidencySpec.parse(value(args, ++i, a));
                    case "--verify-every" -> verifyEvery = Integer.parseInt(value(args, ++i, a));
                    case "--no-positional" -> positional = false;
                    case "--model" -> model = value(args, ++i, a);
                    case "--cache" -> cache = Path.of(value(args, ++i, a));
                    case "-h", "--help" -> {
                        System.out.print(USAGE);
                        System.exit(0);
                    }
                    default ->
                            throw new IllegalArgumentException(
                                    "unknown option " + a + "; try --help");
                }
            }
            if (layers < 1 || verifyEvery < 1 || real < 0) {
                throw new IllegalArgumentException(
                        "--layers "
                                + layers
                                + ", --verify-every "
                                + verifyEvery
                                + ", --real-gb "
                                + real
                                + ": out of range");
            }
            return new Options(dir, layers, real, residency, verifyEvery, positional, model, cache);
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }
    }

    static final String USAGE =
            """
            usage: scripts/stream-large.sh [--dir DIR] [--layers N] [--real-gb GB]
                                           [--residency off|layers:B:A|bytes:B_MIB:A_MIB]
                                           [--verify-every K] [--no-positional]
                                           [--model PATH|URL] [--cache DIR]

            Writes once (sparse, under a second) a 264 GB 405B-class GGUF model (126 blocks, dim
            16384, ff 53248, vocab 128256, Q4_K, a full-size tokenizer) to DIR, opens it with a
            residency window (default bytes:256:512: 256 MiB behind, 512 MiB prefetched ahead),
            streams layers 0 .. N-1 by id through guests/c/layer_checksum.wasm under Chicory's
            compiler (range loads into its 16 MiB buffer) with a plain copy of the same bytes
            timed next to each load, checks every K-th layer (default 16, and the last) against
            a checksum the host computes, compares mapped copies with positional file reads on
            other layers, and prints a table and one summary line.
            --real-gb GB writes a model of about GB with pseudo-random weights instead (reads
            then come from the disk when GB exceeds the page cache).
            --model streams an existing GGUF model or safetensors checkpoint instead: a file (for
            safetensors a .safetensors file, any shard, or its model.safetensors.index.json), or
            an http(s):// URL of either read by range requests into a sparse cache in --cache DIR
            (default java.io.tmpdir); positional reads are then skipped for a URL or a model in
            several files.
            """;

    /**
     * Runs the stream and exits 0 when every checked layer matched, 1 otherwise, 2 on bad usage.
     *
     * @param args the command line
     */
    public static void main(String[] args) throws Exception {
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("stream-large: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(run(options));
    }

    private static int run(Options options) throws Exception {
        LargeModel spec =
                options.realGb() > 0
                        ? LargeModel.realData(options.realGb())
                        : LargeModel.llama405b();
        URI url =
                options.model() != null && options.model().matches("(?i)https?://.*")
                        ? URI.create(options.model())
                        : null;
        Path modelFile;
        if (options.model() != null) {
            modelFile = url != null ? null : Path.of(options.model());
        } else {
            LargeModel.Written written = spec.ensure(options.dir(), new AtomicLong());
            modelFile = written.path();
            System.err.printf(
                    Locale.ROOT,
                    "stream-large: %s %s (%s)%n",
                    written.wrote()
                            ? String.format(Locale.ROOT, "wrote in %.2f s", written.seconds())
                            : "reusing",
                    written.path(),
                    Bytes.decimal(Files.size(written.path())));
        }

        long openStart = System.nanoTime();
        try (DemoModel model =
                url != null
                        ? DemoModel.open(
                                url,
                                options.cache() != null
                                        ? options.cache()
                                        : Path.of(System.getProperty("java.io.tmpdir")))
                        : DemoModel.open(modelFile)) {
            double openMs = (System.nanoTime() - openStart) / 1e6;
            Memory64Store store = model.store();
            store.useResidency(options.residency());
            List<Layer> layers = new ArrayList<>();
            long bytes = 0;
            for (Layer layer : store.layers()) {
                if (layer.id() < options.layers()) {
                    layers.add(layer);
                    bytes += layer.size();
                }
            }
            LargeGuest guest = LargeGuest.run(store, layers.get(layers.size() - 1).id() + 1);
            Memory64Stats afterGuest = store.stats();
            long peakAfterGuest = ProcStatus.peakResidentBytes();

            MemorySegment destination = guest.memory.segment();
            double copySeconds = guest.copySeconds;

            // Sampled verification: every K-th layer and the last, checksummed by the host.
            List<String> problems = new ArrayList<>(guest.problems);
            long verifiedBytes = 0;
            int verified = 0;
            for (int i = 0; i < layers.size(); i++) {
                if (i % options.verifyEvery() != 0 && i != layers.size() - 1) {
                    continue;
                }
                Layer layer = layers.get(i);
                String expected = LayerChecksum.hex(HostChecksum.of(store, layer));
                String got = guest.checksums.get(layer.id());
                if (!expected.equals(got)) {
                    problems.add(
                            "layer "
                                    + layer.id()
                                    + ": guest checksum "
                                    + got
                                    + ", host "
                                    + expected);
                }
                verified++;
                verifiedBytes += layer.size();
            }
            if (guest.checksums.size() != layers.size()) {
                problems.add(
                        "the guest printed "
                                + guest.checksums.size()
                                + " layers of "
                                + layers.size());
            }

            // Positional reads of the verified layers into the guest's memory, buffered and direct.
            String positional =
                    options.positional() && url == null && model.paths().size() == 1
                            ? positional(store, model.paths().get(0), layers, options, destination)
                            : "";

            long peak = ProcStatus.peakResidentBytes();
            Memory64Stats stats = store.stats();
            guest.memory.close();
            double gb = bytes / 1e9;
            double rate = gb / guest.loadSeconds;
            double ratio = copySeconds / guest.loadSeconds;
            StringBuilder table = new StringBuilder();
            row(
                    table,
                    "model",
                    url != null
                            ? url + " (remote, " + Bytes.decimal(model.size()) + ")"
                            : modelFile
                                    + ", "
                                    + Bytes.decimal(model.size())
                                    + (options.model() != null
                                            ? ""
                                            : spec.sparse()
                                                    ? " sparse"
                                                    : " pseudo-random weights"));
            row(
                    table,
                    "layers streamed",
                    layers.size() + " of " + store.layers().size() + ", " + Bytes.decimal(bytes));
            row(table, "residency", ResidencySpec.format(store.residency()));
            row(
                    table,
                    "guest run",
                    String.format(
                            Locale.ROOT, "%.1f s (its checksum loop included)", guest.seconds));
            row(
                    table,
                    "guest loads",
                    String.format(
                            Locale.ROOT,
                            "%d calls, %.1f s, %.2f GB/s",
                            guest.loadCalls,
                            guest.loadSeconds,
                            rate));
            row(
                    table,
                    "plain copy",
                    String.format(
                            Locale.ROOT,
                            "%.1f s, %.2f GB/s (next to each load, first on a random half of them)",
                            copySeconds,
                            gb / copySeconds));
            row(
                    table,
                    "verified",
                    verified
                            + " layers ("
                            + Bytes.decimal(verifiedBytes)
                            + ", every "
                            + options.verifyEvery()
                            + "th and the last): "
                            + (problems.isEmpty() ? "all match" : problems.size() + " problems"));
            if (!positional.isEmpty()) {
                row(table, "mapped vs read", positional);
            }
            row(table, "bytes released", Bytes.decimal(stats.bytesReleased()));
            row(table, "bytes prefetched", Bytes.decimal(stats.bytesPrefetched()));
            row(table, "window now", Bytes.decimal(stats.windowBytes()));
            row(table, "peak RSS after guest", Bytes.binary(peakAfterGuest));
            row(table, "peak RSS (VmHWM)", Bytes.binary(peak));
            row(table, "open", String.format(Locale.ROOT, "%.1f ms", openMs));
            System.out.print(table);
            for (String problem : problems.subList(0, Math.min(20, problems.size()))) {
                System.err.println("stream-large: " + problem);
            }
            System.out.printf(
                    Locale.ROOT,
                    "streamed %d layers, %.1f GB in %.1f s (%.2f GB/s, %.2f x plain copy), peak RSS %.2f GiB, open %.0f ms%n",
                    layers.size(),
                    gb,
                    guest.loadSeconds,
                    rate,
                    ratio,
                    peak / (double) (1L << 30),
                    openMs);
            if (afterGuest.errors() != 0) {
                System.err.println("stream-large: " + afterGuest.errors() + " store errors");
            }
            return problems.isEmpty() ? 0 : 1;
        }
    }

    private static void row(StringBuilder table, String name, String value) {
        table.append(String.format(Locale.ROOT, "%-22s %s%n", name, value));
    }

    /**
     * Compares three ways into the guest's memory on three disjoint samples of layers, each layer
     * last read one whole pass ago (every K-th layer from K/4, K/2 and 3K/4, K the verification
     * step; none of them is a verified layer): a mapped copy through the store, {@code
     * FileChannel.read} through the page cache, and {@code FileChannel.read} with {@code O_DIRECT}
     * (whole aligned blocks around each chunk) where the file system allows it.
     */
    private static String positional(
            Memory64Store store,
            Path file,
            List<Layer> layers,
            Options options,
            MemorySegment destination) {
        int k = options.verifyEvery();
        StringBuilder out = new StringBuilder();
        String[] ways = {"mapped", "buffered", "O_DIRECT"};
        for (int way = 0; way < 3; way++) {
            List<Layer> sample = new ArrayList<>();
            for (int i = Math.max(1, k * (way + 1) / 4); i < layers.size() - 1; i += k) {
                if (i % k != 0) {
                    sample.add(layers.get(i));
                }
            }
            if (sample.isEmpty()) {
                continue;
            }
            long bytes = 0;
            for (Layer layer : sample) {
                bytes += layer.size();
            }
            out.append(out.isEmpty() ? "" : ", ");
            try {
                double seconds =
                        way == 0
                                ? mappedSeconds(store, sample, destination)
                                : readSeconds(file, sample, destination, way == 2);
                out.append(
                        String.format(
                                Locale.ROOT,
                                "%s %.2f GB/s (%d layers, %s)",
                                ways[way],
                                bytes / 1e9 / seconds,
                                sample.size(),
                                Bytes.decimal(bytes)));
            } catch (IOException | RuntimeException e) {
                out.append(ways[way]).append(" unavailable (").append(e.getMessage()).append(')');
            }
        }
        return out.toString();
    }

    private static double mappedSeconds(
            Memory64Store store, List<Layer> sample, MemorySegment destination) throws IOException {
        long start = System.nanoTime();
        for (Layer layer : sample) {
            for (long off = 0; off < layer.size(); off += CHUNK) {
                store.readLayer(
                        layer.id(),
                        off,
                        destination.asSlice(0, Math.min(CHUNK, layer.size() - off)));
            }
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private static double readSeconds(
            Path file, List<Layer> sample, MemorySegment destination, boolean direct)
            throws IOException {
        List<OpenOption> open = new ArrayList<>(List.of(StandardOpenOption.READ));
        if (direct) {
            OpenOption option = directOption();
            if (option == null) {
                throw new IOException("no com.sun.nio.file.ExtendedOpenOption in this JDK");
            }
            open.add(option);
        }
        try (FileChannel channel = FileChannel.open(file, open.toArray(OpenOption[]::new))) {
            long block = direct ? Files.getFileStore(file).getBlockSize() : 1;
            // For O_DIRECT the memory address, the file position and the length are all
            // multiples of the block size: read the whole blocks around each chunk.
            long base = direct ? (block - destination.address() % block) % block : 0;
            long start = System.nanoTime();
            for (Layer layer : sample) {
                for (long off = 0; off < layer.size(); off += CHUNK) {
                    long n = Math.min(CHUNK, layer.size() - off);
                    long from = layer.offset() + off;
                    long alignedFrom = from - from % block;
                    long alignedEnd = ((from + n + block - 1) / block) * block;
                    var buffer = destination.asSlice(base, alignedEnd - alignedFrom).asByteBuffer();
                    long at = alignedFrom;
                    while (buffer.hasRemaining()) {
                        int r = channel.read(buffer, at);
                        if (r <= 0 || r % block != 0) {
                            break; // the end of the file
                        }
                        at += r;
                    }
                }
            }
            return (System.nanoTime() - start) / 1e9;
        }
    }

    /**
     * {@code com.sun.nio.file.ExtendedOpenOption.DIRECT} (module jdk.unsupported), looked up by
     * name so that the build's warnings about internal API stay off; null where it is missing.
     */
    private static OpenOption directOption() {
        try {
            for (Object option :
                    Class.forName("com.sun.nio.file.ExtendedOpenOption").getEnumConstants()) {
                if (option.toString().equals("DIRECT")) {
                    return (OpenOption) option;
                }
            }
        } catch (ClassNotFoundException e) {
            // not this JDK
        }
        return null;
    }
}
