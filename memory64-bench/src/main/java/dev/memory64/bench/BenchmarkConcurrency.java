package dev.memory64.bench;

import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.WasmModule;
import dev.memory64.Layer;
import dev.memory64.Memory64Exception;
import dev.memory64.Memory64Store;
import dev.memory64.bench.BenchmarkGuests.ExecutionMode;
import dev.memory64.bench.BenchmarkGuests.MemoryKind;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One and two threads, each loading its own 1 MiB layer into its own guest (compiler) over one
 * shared store: ours (into a {@code SegmentMemory}) against the origin design's global lock (into
 * Chicory's default {@code ByteBufferMemory}), and the machine's own scaling: a plain {@code
 * MemorySegment.copy} of 1 MiB per thread. Scores are loads per second summed over the threads.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(2)
@Warmup(iterations = 3, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 5, time = 500, timeUnit = TimeUnit.MILLISECONDS)
public class BenchmarkConcurrency {

    /** The layer size: 1 MiB. */
    static final int LAYER_SIZE = 1 << 20;

    /** Layers in the store: one per thread. */
    static final int LAYERS = 2;

    /** Creates the benchmark; JMH does. */
    public BenchmarkConcurrency() {}

    /** The store every guest reads, with one 1 MiB layer per thread. */
    @State(Scope.Benchmark)
    public static class Shared {
        Memory64Store store;
        WasmModule module;
        final AtomicInteger nextLayer = new AtomicInteger();

        /** Creates the state; JMH does. */
        public Shared() {}

        /**
         * Creates the store.
         *
         * @throws Exception if it cannot be created
         */
        @Setup(Level.Trial)
        public void setUp() throws Exception {
            store = BenchmarkGuests.store(LAYER_SIZE, LAYERS);
            module = BenchmarkGuests.module();
        }

        /** Closes the store. */
        @TearDown(Level.Trial)
        public void tearDown() {
            store.close();
        }

        int claimLayer() {
            return nextLayer.getAndIncrement() % LAYERS;
        }
    }

    /** One thread's guest and layer. */
    abstract static class ThreadGuest {
        Instance instance;
        ExportFunction loadLayer;
        int layerId;

        void create(Shared shared, boolean origin, MemoryKind memory) {
            layerId = shared.claimLayer();
            instance =
                    BenchmarkGuests.instantiate(
                            shared.module,
                            origin
                                    ? BenchmarkGuests.origin(shared.store)
                                    : BenchmarkGuests.ours(shared.store),
                            ExecutionMode.COMPILER,
                            memory);
            loadLayer = instance.export("load_layer");
            load();
            try {
                Layer layer = shared.store.layer(layerId);
                BenchmarkGuests.checkLoaded(
                        shared.store, layer.offset(), layer.size(), instance.memory());
            } catch (Memory64Exception e) {
                throw new IllegalStateException(e);
            }
        }

        long load() {
            long result = loadLayer.apply(layerId, BenchmarkGuests.DST_PTR, LAYER_SIZE)[0];
            if (result != LAYER_SIZE) {
                throw new IllegalStateException(
                        "load_layer(" + layerId + ", ptr, " + LAYER_SIZE + ") returned " + result);
            }
            return result;
        }
    }

    /** A thread's guest with our host functions. */
    @State(Scope.Thread)
    public static class OursGuest extends ThreadGuest {
        /** Creates the state; JMH does. */
        public OursGuest() {}

        /**
         * Instantiates the guest.
         *
         * @param shared the store
         */
        @Setup(Level.Trial)
        public void setUp(Shared shared) {
            create(shared, false, MemoryKind.SEGMENT);
        }

        /** Releases the guest's memory. */
        @TearDown(Level.Trial)
        public void tearDown() {
            BenchmarkGuests.close(instance);
        }
    }

    /** A thread's guest with the origin design's host functions. */
    @State(Scope.Thread)
    public static class OriginGuest extends ThreadGuest {
        /** Creates the state; JMH does. */
        public OriginGuest() {}

        /**
         * Instantiates the guest.
         *
         * @param shared the store
         */
        @Setup(Level.Trial)
        public void setUp(Shared shared) {
            create(shared, true, MemoryKind.BYTE_BUFFER);
        }
    }

    /** A thread's own 1 MiB of off-heap bytes and heap array. */
    @State(Scope.Thread)
    public static class CopyPair {
        Arena arena;
        MemorySegment source;
        byte[] target;

        /** Creates the state; JMH does. */
        public CopyPair() {}

        /** Allocates the pair. */
        @Setup(Level.Trial)
        public void setUp() {
            arena = Arena.ofShared();
            source = BenchmarkGuests.randomSegment(arena, LAYER_SIZE, 0);
            target = new byte[LAYER_SIZE];
        }

        /** Frees the source. */
        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    /**
     * Ours, one thread.
     *
     * @param guest this thread's guest
     * @return the bytes loaded
     */
    @Benchmark
    @Threads(1)
    public long ours1Thread(OursGuest guest) {
        return guest.load();
    }

    /**
     * Ours, two threads.
     *
     * @param guest this thread's guest
     * @return the bytes loaded
     */
    @Benchmark
    @Threads(2)
    public long ours2Threads(OursGuest guest) {
        return guest.load();
    }

    /**
     * The origin design's way, one thread.
     *
     * @param guest this thread's guest
     * @return the bytes loaded
     */
    @Benchmark
    @Threads(1)
    @Fork(jvmArgsAppend = BenchmarkLayerLoad.ORIGIN_JVM_ARG)
    public long origin1Thread(OriginGuest guest) {
        return guest.load();
    }

    /**
     * The origin design's way, two threads.
     *
     * @param guest this thread's guest
     * @return the bytes loaded
     */
    @Benchmark
    @Threads(2)
    @Fork(jvmArgsAppend = BenchmarkLayerLoad.ORIGIN_JVM_ARG)
    public long origin2Threads(OriginGuest guest) {
        return guest.load();
    }

    /**
     * A plain copy of 1 MiB, one thread.
     *
     * @param pair this thread's source and target
     * @return a byte of the target
     */
    @Benchmark
    @Threads(1)
    public byte plainCopy1Thread(CopyPair pair) {
        return copy(pair);
    }

    /**
     * A plain copy of 1 MiB, two threads.
     *
     * @param pair this thread's source and target
     * @return a byte of the target
     */
    @Benchmark
    @Threads(2)
    public byte plainCopy2Threads(CopyPair pair) {
        return copy(pair);
    }

    private static byte copy(CopyPair pair) {
        MemorySegment.copy(pair.source, ValueLayout.JAVA_BYTE, 0, pair.target, 0, LAYER_SIZE);
        return pair.target[LAYER_SIZE - 1];
    }
}
