package dev.memory64.bench;

import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import dev.memory64.Memory64Store;
import dev.memory64.bench.BenchmarkGuests.ExecutionMode;
import dev.memory64.bench.BenchmarkGuests.MemoryKind;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
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
 * Layer-load bandwidth through a real guest call ({@code bench.wasm}'s {@code load_layer} export
 * calling {@code env.memory64_load_layer}), and its baselines, all measured in the same run. Scores
 * are loads per second; bandwidth is that times the layer size.
 *
 * <ul>
 *   <li>{@link #load}: ours, for every size, guest memory and execution mode;
 *   <li>{@link #plainCopy}: {@code MemorySegment.copy} of the same bytes, off-heap, into a {@code
 *       byte[]} of the layer's size: the memory-bus limit of this machine;
 *   <li>{@link #chicoryWrite}: Chicory's {@code Memory.write} of a ready {@code byte[]} into each
 *       of Chicory's own memories: the limit of writing into that memory at all;
 *   <li>{@link #origin}: the origin design's way ({@link BenchmarkOrigin}) through the same guest,
 *       under the compiler, into Chicory's default memory, {@code ByteBufferMemory}.
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(2)
@Warmup(iterations = 3, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 5, time = 500, timeUnit = TimeUnit.MILLISECONDS)
public class BenchmarkLayerLoad {

    /**
     * The origin design allocates a layer-sized array per call. Its forks touch the whole heap at
     * start-up, so that it is measured in the steady state of a long-running JVM, whose heap
     * regions are reused, and not paying for the first touch of fresh pages: on the project's
     * virtual machine that costs about 13 µs per 4 KiB page and would make the origin design look
     * many times slower than it is.
     */
    static final String ORIGIN_JVM_ARG = "-XX:+AlwaysPreTouch";

    /** Creates the benchmark; JMH does. */
    public BenchmarkLayerLoad() {}

    /** A guest loading one layer of {@code size} bytes with our host functions. */
    @State(Scope.Thread)
    public static class Ours {
        /** The layer size. */
        @Param({"4KiB", "64KiB", "1MiB", "16MiB", "64MiB"})
        public String size;

        /** The guest's memory. */
        @Param({"SEGMENT", "BYTE_BUFFER", "BYTE_ARRAY"})
        public MemoryKind memory;

        /** Chicory's execution mode. */
        @Param({"COMPILER", "INTERPRETER"})
        public ExecutionMode mode;

        GuestLoader loader;

        /** Creates the state; JMH does. */
        public Ours() {}

        /**
         * Creates the store, instantiates the guest and checks that one load is exact.
         *
         * @throws Exception if the store or the guest cannot be created, or the load is wrong
         */
        @Setup(Level.Trial)
        public void setUp() throws Exception {
            loader = GuestLoader.create(BenchmarkGuests.bytes(size), memory, mode, false);
        }

        /** Releases the guest's memory and the store. */
        @TearDown(Level.Trial)
        public void tearDown() {
            loader.close();
        }
    }

    /** A guest loading one layer of {@code size} bytes with the origin design's host functions. */
    @State(Scope.Thread)
    public static class Origin {
        /** The layer size. */
        @Param({"4KiB", "64KiB", "1MiB", "16MiB", "64MiB"})
        public String size;

        /** The guest's memory: Chicory's default, as in the origin design. */
        @Param({"BYTE_BUFFER"})
        public MemoryKind memory;

        /** Chicory's execution mode. */
        @Param({"COMPILER"})
        public ExecutionMode mode;

        GuestLoader loader;

        /** Creates the state; JMH does. */
        public Origin() {}

        /**
         * Creates the store, instantiates the guest and checks that one load is exact.
         *
         * @throws Exception if the store or the guest cannot be created, or the load is wrong
         */
        @Setup(Level.Trial)
        public void setUp() throws Exception {
            loader = GuestLoader.create(BenchmarkGuests.bytes(size), memory, mode, true);
        }

        /** Releases the guest's memory and the store. */
        @TearDown(Level.Trial)
        public void tearDown() {
            loader.close();
        }
    }

    /** The same bytes as the layer, off-heap, and a heap array to copy them into. */
    @State(Scope.Thread)
    public static class PlainCopy {
        /** The layer size. */
        @Param({"4KiB", "64KiB", "1MiB", "16MiB", "64MiB"})
        public String size;

        Arena arena;
        MemorySegment source;
        byte[] target;

        /** Creates the state; JMH does. */
        public PlainCopy() {}

        /** Allocates the source and the target. */
        @Setup(Level.Trial)
        public void setUp() {
            int bytes = Math.toIntExact(BenchmarkGuests.bytes(size));
            arena = Arena.ofShared();
            source = BenchmarkGuests.randomSegment(arena, bytes, 0);
            target = new byte[bytes];
        }

        /** Frees the source. */
        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    /** A Chicory memory of the guest's size and a ready array to write into it. */
    @State(Scope.Thread)
    public static class ChicoryWrite {
        /** The layer size. */
        @Param({"4KiB", "64KiB", "1MiB", "16MiB", "64MiB"})
        public String size;

        /** The memory written: Chicory's own. */
        @Param({"BYTE_BUFFER", "BYTE_ARRAY"})
        public MemoryKind memory;

        Memory target;
        byte[] source;

        /** Creates the state; JMH does. */
        public ChicoryWrite() {}

        /** Creates the memory (the guest's 1025 pages) and the array. */
        @Setup(Level.Trial)
        public void setUp() {
            int bytes = Math.toIntExact(BenchmarkGuests.bytes(size));
            target = memory.factory().apply(new MemoryLimits(BenchmarkGuests.GUEST_PAGES));
            source = new byte[bytes];
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment.copy(
                        BenchmarkGuests.randomSegment(arena, bytes, 0),
                        ValueLayout.JAVA_BYTE,
                        0,
                        source,
                        0,
                        bytes);
            }
        }

        /** Releases the memory if it is off-heap. */
        @TearDown(Level.Trial)
        public void tearDown() {
            BenchmarkGuests.close(target);
        }
    }

    /**
     * Ours: one {@code load_layer} guest call.
     *
     * @param state the guest
     * @return the bytes loaded
     */
    @Benchmark
    public long load(Ours state) {
        return state.loader.load();
    }

    /**
     * The origin design's way: one {@code load_layer} guest call.
     *
     * @param state the guest
     * @return the bytes loaded
     */
    @Benchmark
    @Fork(jvmArgsAppend = ORIGIN_JVM_ARG)
    public long origin(Origin state) {
        return state.loader.load();
    }

    /**
     * The memory-bus limit: one {@code MemorySegment.copy} of the layer's bytes into a heap array.
     *
     * @param state source and target
     * @return a byte of the target
     */
    @Benchmark
    public byte plainCopy(PlainCopy state) {
        byte[] target = state.target;
        MemorySegment.copy(state.source, ValueLayout.JAVA_BYTE, 0, target, 0, target.length);
        return target[target.length - 1];
    }

    /**
     * Chicory's own write of a ready array into a guest memory.
     *
     * @param state the memory and the array
     * @return the bytes written
     */
    @Benchmark
    public int chicoryWrite(ChicoryWrite state) {
        byte[] source = state.source;
        state.target.write(BenchmarkGuests.DST_PTR, source, 0, source.length);
        return source.length;
    }

    /** One guest over one store holding one layer: what {@link #load} and {@link #origin} call. */
    static final class GuestLoader {
        private final Memory64Store store;
        private final Instance instance;
        private final ExportFunction loadLayer;
        private final long size;

        private GuestLoader(Memory64Store store, Instance instance, long size) {
            this.store = store;
            this.instance = instance;
            this.loadLayer = instance.export("load_layer");
            this.size = size;
        }

        static GuestLoader create(long size, MemoryKind memory, ExecutionMode mode, boolean origin)
                throws Exception {
            Memory64Store store = BenchmarkGuests.store(size, 1);
            GuestLoader loader = null;
            try {
                Instance instance =
                        BenchmarkGuests.instantiate(
                                BenchmarkGuests.module(),
                                origin
                                        ? BenchmarkGuests.origin(store)
                                        : BenchmarkGuests.ours(store),
                                mode,
                                memory);
                loader = new GuestLoader(store, instance, size);
                loader.verify();
                return loader;
            } finally {
                if (loader == null) {
                    store.close();
                }
            }
        }

        long load() {
            long result = loadLayer.apply(0, BenchmarkGuests.DST_PTR, size)[0];
            if (result != size) {
                throw new IllegalStateException(
                        "load_layer(0, "
                                + BenchmarkGuests.DST_PTR
                                + ", "
                                + size
                                + ") returned "
                                + result
                                + ", not the layer size");
            }
            return result;
        }

        /** Loads once and checks the guest's bytes against the store's. */
        private void verify() throws Exception {
            load();
            BenchmarkGuests.checkLoaded(store, 0, size, instance.memory());
        }

        void close() {
            BenchmarkGuests.close(instance, store);
        }
    }
}
