package dev.memory64.bench.large;

import dev.memory64.Layer;
import dev.memory64.Memory64Store;
import dev.memory64.RemoteOptions;
import dev.memory64.ResidencyPolicy;
import dev.memory64.bench.support.ResidencySpec;
import dev.memory64.gguf.GgufModel;
import dev.memory64.internal.Bytes;
import dev.memory64.testkit.LayerChecksum;
import dev.memory64.testkit.Nginx;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code scripts/stream-remote.sh}: writes (once) a model with pseudo-random weights, serves its
 * directory with nginx on the loopback, and in one run streams every layer by id, in 16 MiB range
 * reads (as the C guest loads them), from the file mapped locally, then from nginx with a cold
 * cache, then again from the warm cache; checks every layer's checksum against the local file's,
 * and prints the rates and the remote/local ratio.
 */
public final class StreamRemote {

    static final long PIECE = 16L << 20;

    private StreamRemote() {}

    static final String USAGE =
            """
            usage: scripts/stream-remote.sh [--dir DIR] [--gb GB] [--cache DIR]
                                            [--residency off|layers:B:A|bytes:B_MIB:A_MIB]
                                            [--chunk-mib N] [--parallel N] [--range-mib N]

            Writes once a GGUF model of about GB (default 2) with pseudo-random weights to DIR
            (default java.io.tmpdir/memory64-remote), starts nginx on 127.0.0.1 serving DIR, and
            streams every layer in 16 MiB range reads: from the file mapped locally, from
            http://127.0.0.1:PORT/ with a cold cache in --cache (default DIR/cache), and again
            from the warm cache. --residency (default bytes:256:512) applies to every store: with a window
            the remote store also fetches ahead, and gives back (with native access: disk too)
            what is behind, so its second pass fetches again. Every layer's checksum is checked
            against the local file's. Then one large range (--range-mib, default 2048, from the
            first tensor byte) side by side on the same nginx and file: curl into /dev/null and
            into a file beside the cache, and the library's cold read of the same bytes (a store
            opened afresh, so a fresh cache; 16 MiB reads) with their ratio.
            """;

    /**
     * Runs the comparison; exits 0 if every checksum matched, 1 otherwise, 2 on bad usage.
     *
     * @param args the command line
     */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "memory64-remote");
        Path cache = null;
        long gb = 2;
        ResidencyPolicy residency = ResidencyPolicy.bytes(256L << 20, 512L << 20);
        RemoteOptions remote = RemoteOptions.defaults();
        long rangeMib = 2048;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                String v = i + 1 < args.length ? args[i + 1] : null;
                switch (a) {
                    case "--dir" -> dir = Path.of(need(v, a));
                    case "--cache" -> cache = Path.of(need(v, a));
                    case "--gb" -> gb = Long.parseLong(need(v, a));
                    case "--residency" -> residency = ResidencySpec.parse(need(v, a));
                    case "--chunk-mib" ->
                            remote = remote.withChunkSize(Long.parseLong(need(v, a)) << 20);
                    case "--parallel" ->
                            remote = remote.withParallelFetches(Integer.parseInt(need(v, a)));
                    case "--range-mib" -> rangeMib = Long.parseLong(need(v, a));
                    case "-h", "--help" -> {
                        System.out.print(USAGE);
                        System.exit(0);
                    }
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
                if (!a.equals("-h") && !a.equals("--help")) {
                    i++;
                }
            }
            if (gb < 1) {
                throw new IllegalArgumentException("--gb " + gb + ": at least 1");
            }
            if (rangeMib < 1) {
                throw new IllegalArgumentException("--range-mib " + rangeMib + ": at least 1");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("stream-remote: " + e.getMessage() + "; try --help");
            System.exit(2);
            return;
        }
        Path cacheDir = cache != null ? cache : dir.resolve("cache");
        Files.createDirectories(cacheDir);
        LargeModel.Written written = LargeModel.realData(gb).ensure(dir, new AtomicLong());
        Path file = written.path();
        System.err.printf(
                Locale.ROOT,
                "stream-remote: %s %s (%s)%n",
                written.wrote() ? "wrote" : "reusing",
                file,
                Bytes.decimal(Files.size(file)));
        Path work = Files.createTempDirectory("memory64-nginx");
        List<String> problems = new ArrayList<>();
        long[] releasedBytes = {0};
        try (Arena arena = Arena.ofConfined();
                Nginx nginx = nginx(dir, work)) {
            MemorySegment buffer = arena.allocate(PIECE, 4096);
            List<Long> expected;
            Pass local;
            OneRange range;
            OneRange.Fetch rangeLocal;
            try (GgufModel model = GgufModel.open(file)) {
                model.store().useResidency(residency);
                local = stream(model.store(), buffer);
                expected = local.checksums;
                long first =
                        model.store().layers().stream()
                                .mapToLong(l -> l.extents().get(0).offset())
                                .min()
                                .orElseThrow();
                range = new OneRange(first, Math.min(rangeMib << 20, Files.size(file) - first));
                rangeLocal = range.library("local mapped", model.store(), buffer);
            }
            Pass cold;
            Pass warm;
            long openNanos = System.nanoTime();
            try (GgufModel model =
                    GgufModel.builder(nginx.uri(file.getFileName().toString()))
                            .withCacheDirectory(cacheDir)
                            .withRemoteOptions(remote)
                            .open()) {
                openNanos = System.nanoTime() - openNanos;
                model.store().useResidency(residency);
                cold = stream(model.store(), buffer);
                warm = stream(model.store(), buffer);
                releasedBytes[0] = model.store().stats().bytesReleased();
            }
            for (Pass pass : List.of(cold, warm)) {
                if (!pass.checksums.equals(expected)) {
                    problems.add("a remote pass's checksums differ from the local file's");
                }
            }
            URI served = nginx.uri(file.getFileName().toString());
            List<OneRange.Fetch> curls = new ArrayList<>();
            curls.add(range.curl("curl > /dev/null", served, Path.of("/dev/null")));
            OneRange.Fetch rangeCold;
            try (GgufModel model =
                    GgufModel.builder(served)
                            .withCacheDirectory(cacheDir)
                            .withRemoteOptions(remote)
                            .open()) {
                model.store().useResidency(residency);
                rangeCold = range.library("library, cold cache", model.store(), buffer);
            }
            Path scratch = OneRange.scratch(cacheDir);
            try {
                curls.add(range.curl("curl > file", served, scratch));
            } finally {
                Files.deleteIfExists(scratch);
            }
            if (rangeCold.checksum() != rangeLocal.checksum()) {
                problems.add("the one range's checksum differs from the local file's");
            }
            System.out.printf(
                    Locale.ROOT,
                    "model                  %s, %s, %d layers%n",
                    file,
                    Bytes.decimal(local.bytes),
                    expected.size());
            System.out.printf(
                    Locale.ROOT,
                    "remote                 %s, %d MiB chunks, %d parallel fetches, open %.0f ms%n",
                    nginx.uri(file.getFileName().toString()),
                    remote.chunkSize() >> 20,
                    remote.parallelFetches(),
                    openNanos / 1e6);
            System.out.printf(
                    Locale.ROOT, "residency              %s%n", ResidencySpec.format(residency));
            row("local mapped", local);
            row("remote, cold cache", cold);
            row(residency.enabled() ? "remote, second pass" : "remote, warm cache", warm);
            System.out.printf(
                    Locale.ROOT, "released               %s%n", Bytes.decimal(releasedBytes[0]));
            System.out.printf(
                    Locale.ROOT,
                    "checksums              %s%n",
                    problems.isEmpty() ? "every layer matches the local file" : problems);
            System.out.printf(
                    Locale.ROOT,
                    "remote/local: cold %.2f, warm %.2f (%.2f / %.2f / %.2f GB/s local / cold /"
                            + " warm)%n",
                    cold.rate() / local.rate(),
                    warm.rate() / local.rate(),
                    local.rate(),
                    cold.rate(),
                    warm.rate());
            List<OneRange.Fetch> shown = new ArrayList<>(List.of(rangeLocal));
            shown.addAll(curls);
            for (String line : OneRange.report(range, rangeCold, shown)) {
                System.out.println(line);
            }
        }
        System.exit(problems.isEmpty() ? 0 : 1);
    }

    /**
     * nginx on 127.0.0.1 on a free port serving {@code root}, without an access log (the tests'
     * nginx of the core's test kit), its configuration, logs and temporary files in {@code work};
     * stopped on close.
     */
    static Nginx nginx(Path root, Path work) throws IOException {
        return Nginx.startOrThrow(
                work,
                1,
                ports ->
                        "  access_log off;\n  server { listen 127.0.0.1:"
                                + ports.get(0)
                                + "; root "
                                + root
                                + "; }");
    }

    static String need(String value, String option) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }

    private static void row(String name, Pass pass) {
        System.out.printf(
                Locale.ROOT, "%-22s %.2f s, %.2f GB/s%n", name, pass.nanos / 1e9, pass.rate());
    }

    /** One pass: its bytes, the time its reads took, and each layer's checksum. */
    record Pass(long bytes, long nanos, List<Long> checksums) {
        double rate() {
            return bytes / (double) nanos;
        }
    }

    /** Every layer in id order, 16 MiB at a time; only the reads are timed. */
    static Pass stream(Memory64Store store, MemorySegment buffer) throws Exception {
        long nanos = 0;
        long bytes = 0;
        List<Long> checksums = new ArrayList<>();
        for (Layer layer : store.layers()) {
            LayerChecksum checksum = new LayerChecksum();
            for (long off = 0; off < layer.size(); off += PIECE) {
                MemorySegment piece = buffer.asSlice(0, Math.min(PIECE, layer.size() - off));
                long start = System.nanoTime();
                store.readLayer(layer.id(), off, piece);
                nanos += System.nanoTime() - start;
                checksum.write(0, piece);
            }
            checksums.add(checksum.value());
            bytes += layer.size();
        }
        return new Pass(bytes, nanos, checksums);
    }
}
