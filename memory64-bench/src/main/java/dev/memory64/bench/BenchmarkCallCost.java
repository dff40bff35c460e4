package dev.memory64.bench;

import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import dev.memory64.Memory64Store;
import dev.memory64.TensorInfo;
import dev.memory64.abi.AbiFunction;
import dev.memory64.abi.Memory64Abi;
import dev.memory64.bench.BenchmarkGuests.ExecutionMode;
import dev.memory64.bench.BenchmarkGuests.MemoryKind;
import dev.memory64.chicory.Memory64HostFunctions;
import dev.memory64.chicory.SegmentMemory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
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
 * The cost of one guest call of each ABI function ({@link #abi}), and of {@code memory64_read} for
 * 64 bytes against the same guest call of a host function with the same signature that does nothing
 * ({@code env.noop}): what the ABI adds to Chicory's own host-call cost. The guest's memory is a
 * {@code SegmentMemory}. A third benchmark, {@link #rawCopy}, registers a host function in place of
 * the no-op that copies the 64 bytes into the guest's segment with no check at all: what the copy
 * itself costs, so that the rest of the read's cost is the ABI's.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(2)
@Warmup(iterations = 3, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 5, time = 500, timeUnit = TimeUnit.MILLISECONDS)
public class BenchmarkCallCost {

    /** Bytes per read. */
    static final int READ_SIZE = 64;

    /** Creates the benchmark; JMH does. */
    public BenchmarkCallCost() {}

    /** One guest over a store of one 64 KiB layer. */
    @State(Scope.Thread)
    public static class Guest {
        /** Chicory's execution mode. */
        @Param({"COMPILER", "INTERPRETER"})
        public ExecutionMode mode;

        Memory64Store store;
        Instance instance;
        ExportFunction read;
        ExportFunction noop;

        /** Creates the state; JMH does. */
        public Guest() {}

        /**
         * Creates the store and the guest, and checks both calls once.
         *
         * @throws Exception if either cannot be created or a call answers wrongly
         */
        @Setup(Level.Trial)
        public void setUp() throws Exception {
            store = BenchmarkGuests.store(64 * 1024, 1);
            instance = BenchmarkGuests.instantiate(store, mode);
            read = instance.export("read");
            noop = instance.export("noop");
            check(read.apply(0, BenchmarkGuests.DST_PTR, READ_SIZE)[0], READ_SIZE, "read");
            check(noop.apply(0, BenchmarkGuests.DST_PTR, READ_SIZE)[0], 0, "noop");
        }

        /** Releases the guest's memory and the store. */
        @TearDown(Level.Trial)
        public void tearDown() {
            BenchmarkGuests.close(instance, store);
        }

        private static void check(long actual, long expected, String export) {
            if (actual != expected) {
                throw new IllegalStateException(
                        export + "(0, ptr, " + READ_SIZE + ") returned " + actual);
            }
        }
    }

    /** A guest whose {@code env.noop} copies 64 bytes into its segment, unchecked. */
    @State(Scope.Thread)
    public static class RawCopy {
        /** Chicory's execution mode: the compiler only, where the target lies. */
        @Param({"COMPILER"})
        public ExecutionMode mode;

        Arena arena;
        Memory64Store store;
        Instance instance;
        ExportFunction copy;

        /** Creates the state; JMH does. */
        public RawCopy() {}

        /**
         * Creates the source and the guest, and checks one call.
         *
         * @throws Exception if either cannot be created or the call answers wrongly
         */
        @Setup(Level.Trial)
        public void setUp() throws Exception {
            arena = Arena.ofShared();
            MemorySegment source = BenchmarkGuests.randomSegment(arena, 64 * 1024, 0);
            store = BenchmarkGuests.store(64 * 1024, 1);
            HostFunction rawCopy =
                    new HostFunction(
                            Memory64HostFunctions.DEFAULT_MODULE,
                            "noop",
                            BenchmarkGuests.noop().functionType(),
                            (instance, args) -> {
                                MemorySegment guest = ((SegmentMemory) instance.memory()).segment();
                                MemorySegment.copy(
                                        source, args[0], guest, (int) args[1], (int) args[2]);
                                return new long[] {args[2]};
                            });
            instance =
                    BenchmarkGuests.instantiate(
                            BenchmarkGuests.module(),
                            ImportValues.builder()
                                    .addFunction(
                                            Memory64HostFunctions.builder(store)
                                                    .build()
                                                    .toHostFunctions())
                                    .addFunction(rawCopy)
                                    .build(),
                            mode,
                            MemoryKind.SEGMENT);
            copy = instance.export("noop");
            long result = copy.apply(0, BenchmarkGuests.DST_PTR, READ_SIZE)[0];
            if (result != READ_SIZE) {
                throw new IllegalStateException("raw copy returned " + result);
            }
        }

        /** Releases the guest's memory, the store and the source. */
        @TearDown(Level.Trial)
        public void tearDown() {
            try {
                BenchmarkGuests.close(instance, store);
            } finally {
                arena.close();
            }
        }
    }

    /**
     * A guest calling one ABI function with arguments that succeed and move at most 64 bytes: a
     * layer of 64 bytes, a 64-byte read or range, a stats record, a tensor record, a name.
     */
    @State(Scope.Thread)
    public static class AbiCall {
        /** The function, as an {@link AbiFunction} constant. */
        @Param({
            "LOAD_LAYER",
            "READ",
            "IS_ENABLED",
            "STATS",
            "LAYER_SIZE",
            "STATS_INTO",
            "LOAD_LAYER_RANGE",
            "LAYER_FIND",
            "TENSOR_INFO",
            "PREFETCH"
        })
        public String function;

        /** Chicory's execution mode: the compiler only. */
        @Param({"COMPILER"})
        public ExecutionMode mode;

        Memory64Store store;
        Instance instance;
        ExportFunction export;
        long[] args;

        /** Creates the state; JMH does. */
        public AbiCall() {}

        /**
         * Creates the store (one layer of 64 bytes named {@code bench}, one tensor in it) and the
         * guest, writes the names into the guest's first page, and checks one call.
         *
         * @throws Exception if either cannot be created or the call answers wrongly
         */
        @Setup(Level.Trial)
        public void setUp() throws Exception {
            store = BenchmarkGuests.store(READ_SIZE, 1);
            store.registerLayers(
                    List.of(),
                    List.of(new TensorInfo(TENSOR_NAME, 0, 0, READ_SIZE, 0, List.of(16L, 4L))));
            instance = BenchmarkGuests.instantiate(store, mode);
            byte[] names = (LAYER_NAME + TENSOR_NAME).getBytes(StandardCharsets.UTF_8);
            instance.memory().write(0, names);
            AbiFunction f = AbiFunction.valueOf(function);
            int dst = BenchmarkGuests.DST_PTR;
            int layerName = LAYER_NAME.length();
            long expected;
            switch (f) {
                case LOAD_LAYER -> {
                    args = new long[] {0, dst, READ_SIZE};
                    expected = READ_SIZE;
                }
                case READ -> {
                    args = new long[] {0, dst, READ_SIZE};
                    expected = READ_SIZE;
                }
                case IS_ENABLED -> {
                    args = new long[0];
                    expected = 1;
                }
                case STATS -> {
                    args = new long[0];
                    expected = -1; // a count: checked below as non-negative
                }
                case LAYER_SIZE -> {
                    args = new long[] {0};
                    expected = READ_SIZE;
                }
                case STATS_INTO -> {
                    args = new long[] {dst, Memory64Abi.STATS_RECORD_SIZE};
                    expected = Memory64Abi.STATS_RECORD_SIZE;
                }
                case LOAD_LAYER_RANGE -> {
                    args = new long[] {0, 0, dst, READ_SIZE};
                    expected = READ_SIZE;
                }
                case LAYER_FIND -> {
                    args = new long[] {0, layerName};
                    expected = 0;
                }
                case TENSOR_INFO -> {
                    args = new long[] {layerName, TENSOR_NAME.length(), dst, 64};
                    expected = Memory64Abi.TENSOR_INFO_SIZE;
                }
                case PREFETCH -> {
                    args = new long[] {0};
                    expected = 0;
                }
                default -> throw new IllegalArgumentException(function);
            }
            export = instance.export(f.importName().substring("memory64_".length()));
            long result = export.apply(args)[0];
            if (expected >= 0 ? result != expected : result < 0) {
                throw new IllegalStateException(
                        f.importName() + Arrays.toString(args) + " returned " + result);
            }
        }

        /** Releases the guest's memory and the store. */
        @TearDown(Level.Trial)
        public void tearDown() {
            BenchmarkGuests.close(instance, store);
        }
    }

    /** The layer's name in {@link AbiCall}'s store: {@code bench}, as {@code BenchmarkGuests}. */
    static final String LAYER_NAME = "bench";

    /** The tensor's name in {@link AbiCall}'s store. */
    static final String TENSOR_NAME = "blk.0.attn_q.weight";

    /**
     * One guest call of one ABI function (see {@link AbiCall}).
     *
     * @param call the guest and the function
     * @return the call's result
     */
    @Benchmark
    public long abi(AbiCall call) {
        return call.export.apply(call.args)[0];
    }

    /**
     * One guest call of {@code read(0, ptr, 64)}, which calls {@code memory64_read}.
     *
     * @param guest the guest
     * @return the call's result, 64
     */
    @Benchmark
    public long read(Guest guest) {
        return guest.read.apply(0, BenchmarkGuests.DST_PTR, READ_SIZE)[0];
    }

    /**
     * One guest call of {@code noop(0, ptr, 64)}, which calls the no-op host function.
     *
     * @param guest the guest
     * @return the call's result, 0
     */
    @Benchmark
    public long noop(Guest guest) {
        return guest.noop.apply(0, BenchmarkGuests.DST_PTR, READ_SIZE)[0];
    }

    /**
     * One guest call of {@code noop(0, ptr, 64)} whose host function copies 64 bytes, unchecked.
     *
     * @param guest the guest
     * @return the call's result, 64
     */
    @Benchmark
    public long rawCopy(RawCopy guest) {
        return guest.copy.apply(0, BenchmarkGuests.DST_PTR, READ_SIZE)[0];
    }
}
