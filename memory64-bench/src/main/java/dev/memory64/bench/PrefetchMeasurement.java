package dev.memory64.bench;

import dev.memory64.Layer;
import dev.memory64.Memory64Store;
import dev.memory64.abi.GuestMemory;
import dev.memory64.abi.Memory64Abi;
import dev.memory64.bench.support.PseudoRandomBytes;
import dev.memory64.gguf.GgmlType;
import dev.memory64.gguf.GgufFile;
import dev.memory64.gguf.GgufModel;
import dev.memory64.gguf.GgufValue;
import dev.memory64.gguf.GgufWriter;
import dev.memory64.testkit.LayerChecksum;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures whether prefetching helps cold loads from a mapped model: the same sequence of layer
 * loads, each followed by a checksum of the layer (standing in for a guest's compute), once with no
 * prefetch and once prefetching layer N+1 while layer N is computed. Before each pass the page
 * cache is dropped (needs root: {@code /proc/sys/vm/drop_caches}), so every load starts cold.
 * Passes alternate to spread machine noise over both. Run by {@code scripts/measure-prefetch.sh}.
 */
public final class PrefetchMeasurement {
    private static final int LAYERS = 16;
    private static final long LAYER_BYTES = 64L << 20;

    private PrefetchMeasurement() {}

    /**
     * Runs the measurement.
     *
     * @param args {@code [directory [rounds]]}: where the 1 GiB model is written (default the temp
     *     directory) and how many pairs of passes to run (default 3)
     * @throws Exception if the model cannot be written or opened
     */
    public static void main(String[] args) throws Exception {
        Path dir =
                args.length > 0
                        ? Path.of(args[0])
                        : Path.of(System.getProperty("java.io.tmpdir"), "memory64-prefetch");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path model = ensureModel(dir);
        if (!dropCaches()) {
            System.out.println(
                    "prefetch: cannot drop the page cache here (needs root); cold loads are not"
                            + " measurable, nothing measured");
            System.exit(2);
        }
        double[] plain = new double[rounds];
        double[] prefetched = new double[rounds];
        double[] plainRanges = new double[rounds];
        double[] rangesAhead = new double[rounds];
        for (int round = 0; round < rounds; round++) {
            plain[round] = pass(model, false);
            prefetched[round] = pass(model, true);
            plainRanges[round] = rangePass(model, false);
            rangesAhead[round] = rangePass(model, true);
            System.out.printf(
                    Locale.ROOT,
                    "round %d: whole-layer loads %.3f s without prefetch, %.3f s with read-ahead;"
                            + " range loads (ABI, %d MiB chunks) %.3f s without, %.3f s with%n",
                    round + 1,
                    plain[round],
                    prefetched[round],
                    CHUNK >> 20,
                    plainRanges[round],
                    rangesAhead[round]);
        }
        printMedians(
                "median of %d rounds, "
                        + LAYERS
                        + " layers of "
                        + (LAYER_BYTES >> 20)
                        + " MiB: %.3f s without prefetch, %.3f s with read-ahead: %.2fx%n",
                rounds,
                plain,
                prefetched);
        printMedians(
                "median of %d rounds, range loads through the ABI: %.3f s without read-ahead,"
                        + " %.3f s with read-ahead (layer N+1 prefetched when a range load starts"
                        + " layer N): %.2fx%n",
                rounds, plainRanges, rangesAhead);
    }

    /**
     * Prints one summary line: {@code format} takes the rounds, the median seconds without and with
     * read-ahead, and how many times faster the second is.
     */
    private static void printMedians(
            String format, int rounds, double[] without, double[] withReadAhead) {
        double a = median(without);
        double b = median(withReadAhead);
        System.out.printf(Locale.ROOT, format, rounds, a, b, a / b);
    }

    /** The ABI's range loads of a streaming guest, in chunks of this many bytes. */
    private static final int CHUNK = 4 << 20;

    /**
     * Loads every layer as a streaming guest does, {@link #CHUNK} bytes at a time with {@code
     * memory64_load_layer_range} through the ABI (read-ahead on or off), into a buffer standing in
     * for the guest's memory, and checksums each layer; returns the seconds it took.
     */
    private static double rangePass(Path file, boolean readAhead) throws IOException {
        dropCaches();
        long checksums = 0;
        long prefetchedBytes;
        long start = System.nanoTime();
        try (GgufModel model = GgufModel.open(file);
                Arena arena = Arena.ofConfined()) {
            Memory64Store store = model.store();
            MemorySegment buffer = arena.allocate(LAYER_BYTES, 64);
            GuestMemory guest = new BenchmarkCallPath.SegmentGuest(buffer);
            Memory64Abi abi = Memory64Abi.builder(store).withReadAhead(readAhead).build();
            for (Layer layer : store.layers()) {
                for (long at = 0; at < layer.size(); at += CHUNK) {
                    int n = (int) Math.min(CHUNK, layer.size() - at);
                    if (abi.loadLayerRange(guest, layer.id(), at, (int) at, n) != n) {
                        throw new IOException("range load of layer " + layer.id() + " at " + at);
                    }
                }
                checksums ^= LayerChecksum.of(buffer.asSlice(0, layer.size()));
            }
            prefetchedBytes = store.stats().bytesPrefetched();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (checksums == 42) {
            System.out.print(""); // keeps the checksums live
        }
        System.out.printf(
                Locale.ROOT,
                "  range loads, read-ahead %s: %.3f s, %d MiB prefetched%n",
                readAhead ? "on" : "off",
                seconds,
                prefetchedBytes >> 20);
        return seconds;
    }

    private static double pass(Path file, boolean readAhead) throws IOException {
        dropCaches();
        long checksums = 0;
        long start = System.nanoTime();
        try (GgufModel model = GgufModel.open(file);
                Arena arena = Arena.ofConfined()) {
            Memory64Store store = model.store();
            MemorySegment buffer = arena.allocate(LAYER_BYTES, 64);
            Future<?> ahead = null;
            java.util.List<Layer> layers = store.layers();
            for (int i = 0; i < layers.size(); i++) {
                Layer layer = layers.get(i);
                if (readAhead && i + 1 < layers.size()) {
                    ahead = store.prefetch(layers.get(i + 1).id());
                }
                store.readLayer(layer.id(), 0, buffer.asSlice(0, layer.size()));
                checksums ^= LayerChecksum.of(buffer.asSlice(0, layer.size()));
            }
            if (ahead != null) {
                ahead.cancel(true);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (checksums == 42) {
            System.out.print(""); // keeps the checksums live
        }
        return seconds;
    }

    private static boolean dropCaches() {
        try {
            Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "3");
            return true;
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static Path ensureModel(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve("prefetch-16x64MiB.gguf");
        if (Files.exists(file)) {
            try {
                if (GgufFile.read(file).tensors().size() == LAYERS) {
                    return file;
                }
            } catch (IOException e) {
                // rewrite below
            }
        }
        GgufWriter.Builder builder =
                GgufWriter.builder().addMetadata("general.architecture", GgufValue.string("bench"));
        for (int i = 0; i < LAYERS; i++) {
            String name = "blk." + i + ".weight";
            builder.addTensor(
                    name,
                    GgmlType.F32,
                    new long[] {LAYER_BYTES / 4},
                    channel ->
                            PseudoRandomBytes.fill(
                                    channel,
                                    PseudoRandomBytes.seed(name),
                                    LAYER_BYTES,
                                    new AtomicLong()));
        }
        Path tmp = dir.resolve("prefetch.tmp");
        builder.build().write(tmp);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return file;
    }
}
