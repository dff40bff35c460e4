package dev.memory64.chicory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.ByteBufferMemory;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import dev.memory64.Layer;
import dev.memory64.Memory64Store;
import dev.memory64.MemoryLayout;
import dev.memory64.MetadataValue;
import dev.memory64.ModelMetadata;
import dev.memory64.RegionBacking;
import dev.memory64.TensorInfo;
import dev.memory64.abi.AbiFunction;
import dev.memory64.abi.AccessPolicy;
import dev.memory64.abi.ErrorCode;
import dev.memory64.abi.Memory64Abi;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * After warm-up, a guest's call of any ABI function allocates nothing on the calling thread, on
 * success and on every failure, whatever the guest's memory: a {@link SegmentMemory} or Chicory's
 * own {@link ByteArrayMemory} and {@link ByteBufferMemory}. Measured with the thread's allocated
 * bytes over 100,000 calls of the adapter's own call path ({@code Memory64HostFunctions.call}, what
 * the registered handle runs for a guest with the guest's {@code Instance}). The handle itself adds
 * exactly the result array that Chicory's {@code WasmFunctionHandle} type returns; that is checked
 * apart. Not covered: a successful {@code memory64_prefetch}, which hands a task to the prefetch
 * thread (a hint, allocated by design), and {@code GUEST_WRITE}, whose exception is the runtime's.
 */
class HostCallAllocationTest {

    private static final int CALLS = 100_000;
    private static final int LAYER = 4096;
    private static final int NAME_PTR = 0;
    private static final int DST = 1024;
    private static final String TENSOR = "blk.0.w";

    /**
     * {@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes(long)} as {@code (Object,
     * long)long}: looked up rather than compiled against, because this module does not read {@code
     * jdk.management}; a handle of that exact type boxes nothing.
     */
    private static final MethodHandle ALLOCATED = allocatedBytesHandle();

    private static final Object THREADS = ManagementFactory.getThreadMXBean();

    private static Memory64Store store;
    private static Memory64Store closed;
    private static WasmModule abiGuest;
    private static WasmModule noMemoryGuest;
    private static final List<AutoCloseable> MEMORIES = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        store =
                Memory64Store.builder(MemoryLayout.builder().addRegion("r", 64 * 1024).build())
                        .withDefaultBacking(RegionBacking.allocated())
                        .withMetadata(
                                ModelMetadata.builder()
                                        .put(TENSOR, MetadataValue.ofString("x".repeat(100)))
                                        .build())
                        .build();
        store.registerLayers(
                List.of(
                        new Layer(0, "layer", "test", 0, LAYER),
                        new Layer(1, "denied", "test", LAYER, LAYER)),
                List.of(new TensorInfo(TENSOR, 0, 16, 64, 2, List.of(4L, 16L))));
        closed = Memory64Store.allocate(MemoryLayout.builder().addRegion("c", 64 * 1024).build());
        closed.registerLayer(0, "layer", 0, LAYER);
        closed.close();
        abiGuest = Parser.parse(Path.of("..", "guests", "wat", "abi.wasm"));
        noMemoryGuest = Parser.parse(Path.of("..", "guests", "wat", "nomem.wasm"));
    }

    @AfterAll
    static void tearDown() throws Exception {
        for (AutoCloseable memory : MEMORIES) {
            memory.close();
        }
        store.close();
    }

    private static MethodHandle allocatedBytesHandle() {
        try {
            Class<?> bean = Class.forName("com.sun.management.ThreadMXBean");
            return MethodHandles.publicLookup()
                    .findVirtual(
                            bean,
                            "getThreadAllocatedBytes",
                            MethodType.methodType(long.class, long.class))
                    .asType(MethodType.methodType(long.class, Object.class, long.class));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this JVM cannot count allocated bytes", e);
        }
    }

    /** The bytes the current thread has allocated so far. */
    private static long allocated() {
        try {
            return (long) ALLOCATED.invokeExact(THREADS, Thread.currentThread().threadId());
        } catch (Throwable e) {
            throw new IllegalStateException("getThreadAllocatedBytes", e);
        }
    }

    /** One call: a function, its arguments, and the result it must return every time. */
    private record Call(String what, AbiFunction function, long expected, long... args) {}

    static Stream<Arguments> memories() {
        return Stream.of(
                Arguments.of("SegmentMemory", SegmentMemory.factory()),
                Arguments.of(
                        "ByteArrayMemory", (Function<MemoryLimits, Memory>) ByteArrayMemory::new),
                Arguments.of(
                        "ByteBufferMemory",
                        (Function<MemoryLimits, Memory>) ByteBufferMemory::new));
    }

    private static Instance instantiate(
            WasmModule module, Memory64HostFunctions functions, Function<MemoryLimits, Memory> f) {
        Instance.Builder builder =
                Instance.builder(module)
                        .withImportValues(
                                ImportValues.builder()
                                        .addFunction(functions.toHostFunctions())
                                        .build());
        if (f != null) {
            builder.withMemoryFactory(
                    limits -> {
                        Memory memory = f.apply(limits);
                        if (memory instanceof AutoCloseable closeable) {
                            MEMORIES.add(closeable);
                        }
                        return memory;
                    });
        }
        Instance instance = builder.build();
        if (f != null) {
            byte[] names = (TENSOR + "layer" + "nope" + "denied").getBytes(StandardCharsets.UTF_8);
            instance.memory().write(NAME_PTR, names);
        }
        return instance;
    }

    private static int code(ErrorCode code) {
        return code.code();
    }

    /** Every function, on success and on each failure reachable with this memory. */
    private static List<Call> calls() {
        int t = TENSOR.length();
        int layerName = NAME_PTR + t;
        int nope = layerName + 5;
        int end = 64 * 1024;
        return List.of(
                new Call("load_layer", AbiFunction.LOAD_LAYER, LAYER, 0, DST, LAYER),
                new Call(
                        "load_layer, no such layer",
                        AbiFunction.LOAD_LAYER,
                        code(ErrorCode.LAYER_NOT_FOUND),
                        9,
                        DST,
                        LAYER),
                new Call(
                        "load_layer, buffer too small",
                        AbiFunction.LOAD_LAYER,
                        code(ErrorCode.BUFFER_TOO_SMALL),
                        0,
                        DST,
                        100),
                new Call(
                        "load_layer, pointer overflow",
                        AbiFunction.LOAD_LAYER,
                        code(ErrorCode.POINTER_OVERFLOW),
                        0,
                        -16,
                        LAYER),
                new Call(
                        "load_layer, out of bounds",
                        AbiFunction.LOAD_LAYER,
                        code(ErrorCode.OUT_OF_BOUNDS),
                        0,
                        end - 8,
                        LAYER),
                new Call("read", AbiFunction.READ, 64, 0, DST, 64),
                new Call(
                        "read, host range",
                        AbiFunction.READ,
                        code(ErrorCode.HOST_RANGE),
                        -1,
                        DST,
                        64),
                new Call("is_enabled", AbiFunction.IS_ENABLED, 1),
                new Call("layer_size", AbiFunction.LAYER_SIZE, LAYER, 0),
                new Call(
                        "layer_size, no such layer",
                        AbiFunction.LAYER_SIZE,
                        code(ErrorCode.LAYER_NOT_FOUND),
                        -1),
                new Call(
                        "stats_into",
                        AbiFunction.STATS_INTO,
                        Memory64Abi.STATS_RECORD_SIZE,
                        DST,
                        64),
                new Call(
                        "stats_into, buffer too small",
                        AbiFunction.STATS_INTO,
                        code(ErrorCode.BUFFER_TOO_SMALL),
                        DST,
                        8),
                new Call("load_layer_range", AbiFunction.LOAD_LAYER_RANGE, 256, 0, 64, DST, 256),
                new Call(
                        "load_layer_range, host range",
                        AbiFunction.LOAD_LAYER_RANGE,
                        code(ErrorCode.HOST_RANGE),
                        0,
                        LAYER - 8,
                        DST,
                        256),
                new Call("layer_find", AbiFunction.LAYER_FIND, 0, layerName, 5),
                new Call(
                        "layer_find, no such name",
                        AbiFunction.LAYER_FIND,
                        code(ErrorCode.LAYER_NOT_FOUND),
                        nope,
                        4),
                new Call(
                        "layer_find, name too long",
                        AbiFunction.LAYER_FIND,
                        code(ErrorCode.LAYER_NOT_FOUND),
                        0,
                        Memory64Abi.MAX_NAME_LENGTH + 1),
                new Call(
                        "tensor_info",
                        AbiFunction.TENSOR_INFO,
                        Memory64Abi.TENSOR_INFO_SIZE,
                        NAME_PTR,
                        t,
                        DST,
                        64),
                new Call(
                        "tensor_info, no such tensor",
                        AbiFunction.TENSOR_INFO,
                        code(ErrorCode.LAYER_NOT_FOUND),
                        nope,
                        4,
                        DST,
                        64),
                new Call(
                        "tensor_info, buffer too small",
                        AbiFunction.TENSOR_INFO,
                        code(ErrorCode.BUFFER_TOO_SMALL),
                        NAME_PTR,
                        t,
                        DST,
                        8),
                new Call(
                        "prefetch, no such layer",
                        AbiFunction.PREFETCH,
                        code(ErrorCode.LAYER_NOT_FOUND),
                        9),
                new Call(
                        "metadata_info",
                        AbiFunction.METADATA_INFO,
                        Memory64Abi.METADATA_INFO_SIZE,
                        NAME_PTR,
                        t,
                        DST,
                        24),
                new Call(
                        "metadata_info, no such key",
                        AbiFunction.METADATA_INFO,
                        code(ErrorCode.LAYER_NOT_FOUND),
                        nope,
                        4,
                        DST,
                        24),
                new Call(
                        "metadata_info, buffer too small",
                        AbiFunction.METADATA_INFO,
                        code(ErrorCode.BUFFER_TOO_SMALL),
                        NAME_PTR,
                        t,
                        DST,
                        23),
                new Call("metadata_read", AbiFunction.METADATA_READ, 60, NAME_PTR, t, 40, DST, 60),
                new Call(
                        "metadata_read, host range",
                        AbiFunction.METADATA_READ,
                        code(ErrorCode.HOST_RANGE),
                        NAME_PTR,
                        t,
                        41,
                        DST,
                        60),
                new Call(
                        "metadata_read, no such key",
                        AbiFunction.METADATA_READ,
                        code(ErrorCode.LAYER_NOT_FOUND),
                        nope,
                        4,
                        0,
                        DST,
                        1));
    }

    /** The calls a policy granting layer 0 only refuses. */
    private static List<Call> deniedCalls() {
        int t = TENSOR.length();
        return List.of(
                new Call(
                        "load_layer, denied",
                        AbiFunction.LOAD_LAYER,
                        code(ErrorCode.ACCESS_DENIED),
                        1,
                        DST,
                        LAYER),
                new Call(
                        "read, denied",
                        AbiFunction.READ,
                        code(ErrorCode.ACCESS_DENIED),
                        LAYER,
                        DST,
                        64),
                new Call("stats (a count)", AbiFunction.STATS, -2, 0),
                new Call(
                        "layer_find, denied",
                        AbiFunction.LAYER_FIND,
                        code(ErrorCode.ACCESS_DENIED),
                        t + 9,
                        6));
    }

    /** Every function as a disabled host answers it, and a closed store's loads. */
    private static List<Call> disabledCalls() {
        List<Call> calls = new ArrayList<>();
        for (Call c : calls()) {
            long expected = c.function() == AbiFunction.IS_ENABLED ? 0 : code(ErrorCode.DISABLED);
            calls.add(new Call(c.what() + ", disabled", c.function(), expected, c.args()));
        }
        return calls;
    }

    private static long allocatedPerRun(Memory64HostFunctions functions, Instance i, Call c) {
        for (int round = 0; round < 3; round++) { // warm-up: interpreter, C1, then C2
            assertEquals(CALLS, run(functions, i, c), c.what());
        }
        long least = Long.MAX_VALUE;
        for (int round = 0; round < 3; round++) {
            long before = allocated();
            int matched = run(functions, i, c);
            long allocated = allocated() - before;
            assertEquals(CALLS, matched, c.what());
            // The least of three: a one-off of the JIT or a class loaded late is not the call's; an
            // allocation per call shows in every round.
            least = Math.min(least, allocated);
        }
        return least;
    }

    /** Runs a call {@link #CALLS} times; returns how often its result was the expected one. */
    private static int run(Memory64HostFunctions functions, Instance i, Call c) {
        int matched = 0;
        AbiFunction function = c.function();
        long[] args = c.args();
        for (int n = 0; n < CALLS; n++) {
            long result = functions.call(function, i, args);
            matched += result == c.expected() || (c.expected() == -2 && result >= 0) ? 1 : 0;
        }
        return matched;
    }

    private static void assertNoAllocation(
            String memory, Memory64HostFunctions functions, Instance instance, List<Call> calls) {
        for (Call c : calls) {
            long allocated = allocatedPerRun(functions, instance, c);
            assertEquals(
                    0,
                    allocated,
                    c.what()
                            + " on "
                            + memory
                            + ": "
                            + allocated
                            + " bytes over "
                            + CALLS
                            + " calls");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("memories")
    void everyCallAllocatesNothing(String memory, Function<MemoryLimits, Memory> factory) {
        Memory64HostFunctions functions = Memory64HostFunctions.builder(store).build();
        assertNoAllocation(memory, functions, instantiate(abiGuest, functions, factory), calls());

        Memory64HostFunctions onlyLayer0 =
                Memory64HostFunctions.builder(store)
                        .withAccessPolicy(AccessPolicy.onlyLayers(new int[] {0}, store::layer))
                        .build();
        assertNoAllocation(
                memory, onlyLayer0, instantiate(abiGuest, onlyLayer0, factory), deniedCalls());

        Memory64HostFunctions disabled =
                Memory64HostFunctions.builder(store).withEnabled(false).build();
        assertNoAllocation(
                memory, disabled, instantiate(abiGuest, disabled, factory), disabledCalls());

        Memory64HostFunctions ofClosed = Memory64HostFunctions.builder(closed).build();
        assertNoAllocation(
                memory,
                ofClosed,
                instantiate(abiGuest, ofClosed, factory),
                List.of(
                        new Call(
                                "load_layer, closed store",
                                AbiFunction.LOAD_LAYER,
                                code(ErrorCode.HOST_RANGE),
                                0,
                                DST,
                                LAYER),
                        new Call(
                                "read, closed store",
                                AbiFunction.READ,
                                code(ErrorCode.HOST_RANGE),
                                0,
                                DST,
                                64)));
    }

    @Test
    void everyCallOfAGuestWithoutMemoryAllocatesNothing() {
        Memory64HostFunctions functions = Memory64HostFunctions.builder(store).build();
        Instance instance = instantiate(noMemoryGuest, functions, null);
        List<Call> calls = new ArrayList<>();
        for (Call c : calls()) {
            if (c.function().usesMemory()) {
                calls.add(
                        new Call(
                                c.what() + ", no memory",
                                c.function(),
                                code(ErrorCode.NO_GUEST_MEMORY),
                                c.args()));
            }
        }
        assertNoAllocation("no memory", functions, instance, calls);
    }

    @Test
    void theHandleAddsOnlyChicorysResultArray() {
        Memory64HostFunctions functions = Memory64HostFunctions.builder(store).build();
        Instance instance = instantiate(abiGuest, functions, ByteArrayMemory::new);
        HostFunction read = functions.toHostFunctions()[AbiFunction.READ.ordinal()];
        long[] args = {0, DST, 64};
        long least = Long.MAX_VALUE;
        for (int round = 0; round < 6; round++) {
            long before = allocated();
            long sum = 0;
            for (int n = 0; n < CALLS; n++) {
                sum += read.handle().apply(instance, args)[0];
            }
            long allocated = allocated() - before;
            assertEquals(64L * CALLS, sum);
            least = Math.min(least, allocated);
        }
        // A long[1] is 24 bytes with compressed class pointers (16 with compact headers); the JIT
        // may also scalar-replace it.
        assertTrue(least <= 24L * CALLS, least + " bytes over " + CALLS + " calls");
    }

    @Test
    void shouldSeeAnAllocationWhereThereIsOne() {
        Memory64HostFunctions functions = Memory64HostFunctions.builder(store).build();
        Instance instance = instantiate(abiGuest, functions, ByteArrayMemory::new);
        // memory64_read of 64 bytes from Chicory's memory, as a host would with readBytes: one
        // array per call, which the same measurement must see.
        long before = allocated();
        long sum = 0;
        for (int n = 0; n < CALLS; n++) {
            sum += instance.memory().readBytes(DST, 64).length;
        }
        long allocated = allocated() - before;
        assertEquals(64L * CALLS, sum);
        assertTrue(allocated >= 64L * CALLS, allocated + " bytes");
    }
}
