package dev.memory64.bench;

import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.WasmFunctionHandle;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import dev.memory64.bench.BenchmarkGuests.ExecutionMode;
import dev.memory64.bench.BenchmarkGuests.MemoryKind;
import dev.memory64.bench.support.PseudoRandomBytes;
import dev.memory64.chicory.Memory64HostFunctions;
import dev.memory64.gguf.GgmlType;
import dev.memory64.gguf.GgufModel;
import dev.memory64.gguf.GgufValue;
import dev.memory64.gguf.GgufWriter;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Opening a 5 GiB GGUF model, and opening it and loading its first layer through a guest call, each
 * a single shot, with the page cache warm or dropped before every shot ("cold", which needs write
 * access to {@code /proc/sys/vm/drop_caches}).
 *
 * <p>The model has the shape of a 7B-class model in F32: a 32 MiB {@code token_embd} (layer 0), 32
 * blocks of 160 MiB and a 32 MiB {@code output}, 5.06 GiB in all. Layer 0 holds real random bytes
 * on disk, so a cold load of it reads 32 MiB from the disk; every other tensor is a hole of the
 * sparse file, which reads as zeros without disk I/O. A cold open reads the header from disk.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(2)
@Warmup(iterations = 2)
@Measurement(iterations = 8)
public class BenchmarkModelOpen {

    /** Where Linux takes the order to drop its caches. */
    static final Path DROP_CACHES = Path.of("/proc/sys/vm/drop_caches");

    /** The first layer's shape: F32 4096 x 2048, 32 MiB. */
    static final long[] EMBEDDING_DIMS = {4096, 2048};

    /** A block's shape: F32 4096 x 10240, 160 MiB. */
    static final long[] BLOCK_DIMS = {4096, 10240};

    /** Blocks in the model. */
    static final int BLOCKS = 32;

    /** Creates the benchmark; JMH does. */
    public BenchmarkModelOpen() {}

    /** The state of the page cache when a shot starts. */
    public enum Cache {
        /** The model's pages are cached, as after a previous shot. */
        WARM,
        /** The page cache, dentries and inodes are dropped before each shot. */
        COLD
    }

    /** The model file, a guest to load into, and the model opened by the current shot. */
    @State(Scope.Benchmark)
    public static class Model {
        /** Whether the page cache is dropped before each shot. */
        @Param({"WARM", "COLD"})
        public Cache cache;

        Path dir;
        Path file;
        long firstLayerSize;
        Instance guest;
        ExportFunction loadLayer;
        volatile WasmFunctionHandle currentLoad;
        volatile WasmFunctionHandle currentRead;
        GgufModel opened;

        /** Creates the state; JMH does. */
        public Model() {}

        /**
         * Writes the model, syncs it to disk, and instantiates the guest.
         *
         * @throws IOException if the model cannot be written
         */
        @Setup(Level.Trial)
        public void setUp() throws IOException {
            dir = Files.createTempDirectory("memory64-bench-model");
            file = dir.resolve("five-gib.gguf");
            writeModel(file);
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            try (GgufModel model = GgufModel.open(file)) {
                firstLayerSize = model.store().layer(0).size();
            }
            HostFunction load =
                    delegate(
                            "memory64_load_layer",
                            List.of(ValType.I32, ValType.I32, ValType.I32),
                            () -> currentLoad);
            HostFunction read =
                    delegate(
                            "memory64_read",
                            List.of(ValType.I64, ValType.I32, ValType.I32),
                            () -> currentRead);
            ImportValues imports =
                    ImportValues.builder().addFunction(load, read, BenchmarkGuests.noop()).build();
            guest =
                    BenchmarkGuests.instantiate(
                            BenchmarkGuests.module(),
                            imports,
                            ExecutionMode.COMPILER,
                            MemoryKind.SEGMENT);
            loadLayer = guest.export("load_layer");
        }

        /**
         * Drops the page cache before a cold shot.
         *
         * @throws IOException if the cache cannot be dropped
         */
        @Setup(Level.Invocation)
        public void beforeShot() throws IOException {
            if (cache == Cache.COLD) {
                dropCaches();
            }
        }

        /** Closes the model the shot opened. */
        @TearDown(Level.Invocation)
        public void afterShot() {
            if (opened != null) {
                opened.close();
                opened = null;
            }
        }

        /**
         * Releases the guest and deletes the model.
         *
         * @throws IOException if the model cannot be deleted
         */
        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            try {
                BenchmarkGuests.close(guest);
            } finally {
                Files.deleteIfExists(file);
                Files.deleteIfExists(dir);
            }
        }

        /** A host function that calls whatever handle {@code current} gives at call time. */
        private static HostFunction delegate(
                String name, List<ValType> params, Supplier<WasmFunctionHandle> current) {
            return new HostFunction(
                    Memory64HostFunctions.DEFAULT_MODULE,
                    name,
                    FunctionType.of(params, List.of(ValType.I32)),
                    (instance, args) -> current.get().apply(instance, args));
        }
    }

    /**
     * Opens the model: reads and checks its header, maps the file, registers its layers.
     *
     * @param model the model
     * @return the number of layers
     * @throws IOException if the model cannot be opened
     */
    @Benchmark
    public int open(Model model) throws IOException {
        model.opened = GgufModel.open(model.file);
        return model.opened.store().layers().size();
    }

    /**
     * Opens the model and loads its first layer into the guest with one {@code load_layer} call.
     *
     * @param model the model
     * @return the bytes loaded
     * @throws IOException if the model cannot be opened
     */
    @Benchmark
    public long openAndLoadFirstLayer(Model model) throws IOException {
        model.opened = GgufModel.open(model.file);
        HostFunction[] functions =
                Memory64HostFunctions.builder(model.opened.store()).build().toHostFunctions();
        model.currentLoad =
                functions[Memory64HostFunctions.NAMES.indexOf("memory64_load_layer")].handle();
        model.currentRead =
                functions[Memory64HostFunctions.NAMES.indexOf("memory64_read")].handle();
        long size = model.firstLayerSize;
        long result = model.loadLayer.apply(0, BenchmarkGuests.DST_PTR, size)[0];
        if (result != size) {
            throw new IllegalStateException(
                    "load_layer(0, ptr, " + size + ") returned " + result + ", not the layer size");
        }
        return result;
    }

    /**
     * Writes the model: layer 0 with random bytes, everything else sparse.
     *
     * @throws IOException if it cannot be written
     */
    static void writeModel(Path file) throws IOException {
        long embeddingBytes = GgmlType.F32.byteSize(EMBEDDING_DIMS);
        GgufWriter.Builder builder =
                GgufWriter.builder()
                        .addMetadata("general.architecture", GgufValue.string("llama"))
                        .addMetadata("llama.block_count", GgufValue.uint32(BLOCKS))
                        .addTensor(
                                "token_embd.weight",
                                GgmlType.F32,
                                EMBEDDING_DIMS,
                                channel ->
                                        PseudoRandomBytes.fill(
                                                channel,
                                                PseudoRandomBytes.seed("token_embd.weight"),
                                                embeddingBytes,
                                                new AtomicLong()));
        for (int block = 0; block < BLOCKS; block++) {
            builder.addSparseTensor("blk." + block + ".ffn_up.weight", GgmlType.F32, BLOCK_DIMS);
        }
        builder.addSparseTensor("output.weight", GgmlType.F32, EMBEDDING_DIMS);
        builder.build().write(file);
    }

    /**
     * Drops the clean page cache, dentries and inodes.
     *
     * @throws IOException if this process may not
     */
    static void dropCaches() throws IOException {
        Files.writeString(DROP_CACHES, "3");
    }

    /**
     * Whether the page cache can be dropped here.
     *
     * @return null if it can, else why not
     */
    static String whyNoColdCache() {
        try {
            dropCaches();
            return null;
        } catch (IOException | SecurityException e) {
            return "cannot write "
                    + DROP_CACHES
                    + " ("
                    + e
                    + "); only root may drop the page cache";
        }
    }
}
