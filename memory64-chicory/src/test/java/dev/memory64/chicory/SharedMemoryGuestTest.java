package dev.memory64.chicory;

import static dev.memory64.chicory.Guests.call;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.dylibso.chicory.runtime.ByteBufferMemory;
import com.dylibso.chicory.runtime.ImportMemory;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import dev.memory64.Layer;
import dev.memory64.Memory64Store;
import dev.memory64.MemoryLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A two-thread guest ({@code guests/wat/threads.wat}) over one shared memory: each thread runs its
 * own instance, all importing the same memory, as wasm32-wasi-threads programs do. Run over both
 * segment-memory backings and over Chicory's own shared {@link ByteBufferMemory}, whose answers are
 * the reference, under the interpreter and the compiler.
 */
class SharedMemoryGuestTest {

    private static final WasmModule MODULE = Guests.wat("threads");
    private static final int PAGE = Memory.PAGE_SIZE;
    private static final MemoryLimits SHARED = new MemoryLimits(1, 4, true);

    /** Which shared memory the guests get. */
    enum Kind {
        SEGMENT_RESERVED,
        SEGMENT_ALLOCATED,
        CHICORY_BYTE_BUFFER;

        Memory create() {
            return switch (this) {
                case SEGMENT_RESERVED -> SegmentMemory.of(SHARED, SegmentMemory.Backing.RESERVED);
                case SEGMENT_ALLOCATED -> SegmentMemory.of(SHARED, SegmentMemory.Backing.ALLOCATED);
                case CHICORY_BYTE_BUFFER -> new ByteBufferMemory(SHARED);
            };
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (Guests.Mode mode : Guests.modes()) {
            for (Kind kind : Kind.values()) {
                cases.add(Arguments.of(mode, kind));
            }
        }
        return cases.stream();
    }

    private Memory64Store store;
    private byte[] layer;
    private Memory memory;

    @BeforeEach
    void setUp() throws Exception {
        store = Memory64Store.allocate(MemoryLayout.builder().addRegion("weights", PAGE).build());
        layer = new byte[1000];
        for (int i = 0; i < layer.length; i++) {
            layer[i] = (byte) (i * 37 + 11);
        }
        store.write(100, layer);
        store.registerLayers(List.of(new Layer(0, "blk.0", "block", 100, 1000)), List.of());
    }

    @AfterEach
    void tearDown() throws Exception {
        if (memory instanceof AutoCloseable closeable) {
            closeable.close();
        }
        store.close();
    }

    private Instance instance(Guests.Mode mode) {
        ImportValues imports =
                ImportValues.builder()
                        .addMemory(new ImportMemory("env", "memory", memory))
                        .addFunction(Memory64HostFunctions.builder(store).build().toHostFunctions())
                        .build();
        return Guests.instantiate(MODULE, imports, mode, null);
    }

    /** Runs {@code body} on a new platform thread with its own instance; returns the thread. */
    private Thread start(
            Guests.Mode mode,
            CountDownLatch gate,
            AtomicReference<Throwable> failure,
            InstanceBody body) {
        Instance instance = instance(mode);
        return Thread.ofPlatform()
                .start(
                        () -> {
                            try {
                                gate.await();
                                body.run(instance);
                            } catch (Throwable t) {
                                failure.compareAndSet(null, t);
                            }
                        });
    }

    interface InstanceBody {
        void run(Instance instance) throws Exception;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void twoThreadsContendOnCountersOfEveryWidthAndLoseNoUpdate(Guests.Mode mode, Kind kind)
            throws Exception {
        memory = kind.create();
        int n = 3000;
        CountDownLatch gate = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread a = start(mode, gate, failure, i -> call(i, "add", n));
        Thread b = start(mode, gate, failure, i -> call(i, "add", n));
        gate.countDown();
        a.join();
        b.join();
        assertEquals(null, failure.get());
        Instance reader = instance(mode);
        assertEquals(2L * n, call(reader, "counter32"));
        assertEquals(2L * n, call(reader, "counter64"));
        assertEquals((2L * n) & 0xFF, call(reader, "counter8"));
        assertEquals((2L * n) & 0xFFFF, call(reader, "counter16"));
        assertEquals(2L * n, call(reader, "counter_cas"));
        // The two lanes of one word did not spill into each other or the next word.
        assertEquals(0, memory.readInt(20));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void aWaitingThreadIsWokenByANotifyFromAnother(Guests.Mode mode, Kind kind) throws Exception {
        memory = kind.create();
        CountDownLatch gate = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong waited = new AtomicLong(-1);
        // The value at 32 is 0, so the waiter sleeps until notified (no timeout).
        Thread waiter = start(mode, gate, failure, i -> waited.set(call(i, "wait", 0, -1L)));
        gate.countDown();
        Instance notifier = instance(mode);
        long woken = 0;
        // Notify until the waiter has gone to sleep and been woken: no sleeping, no timing.
        while (woken == 0 && failure.get() == null) {
            woken = call(notifier, "wake", 1);
            Thread.onSpinWait();
        }
        waiter.join();
        assertEquals(null, failure.get());
        assertEquals(1, woken);
        assertEquals(0, waited.get());
        assertEquals(0, call(notifier, "wake", 1));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void waitAnswersNotEqualAndTimedOutAsTheRuntimeDoes(Guests.Mode mode, Kind kind) {
        memory = kind.create();
        Instance instance = instance(mode);
        assertEquals(1, call(instance, "wait", 7, -1L));
        assertEquals(2, call(instance, "wait", 0, 1_000L));
        assertEquals(2, call(instance, "wait", 0, 0L));
        call(instance, "add", 1);
        assertEquals(1, call(instance, "wait64", 0L, -1L));
        assertEquals(2, call(instance, "wait64", 1L, 1_000L));
        assertEquals(0, call(instance, "wake", -1));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void aGrowOnOneThreadIsSeenByAnotherAndALayerLoadsIntoTheSharedMemory(
            Guests.Mode mode, Kind kind) throws Exception {
        memory = kind.create();
        Instance first = instance(mode);
        assertEquals(1, call(first, "grow", 3));
        CountDownLatch gate = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong pages = new AtomicLong();
        AtomicLong loaded = new AtomicLong();
        Thread other =
                start(
                        mode,
                        gate,
                        failure,
                        i -> {
                            pages.set(call(i, "pages"));
                            i.export("set_last_word").apply(0x5EED);
                            loaded.set(call(i, "load_layer", 0, 3 * PAGE, 1000));
                        });
        gate.countDown();
        other.join();
        assertEquals(null, failure.get());
        assertEquals(4, pages.get());
        assertEquals(0x5EED, call(first, "last_word"));
        assertEquals(1000, loaded.get());
        assertArrayEquals(layer, memory.readBytes(3 * PAGE, 1000));
        assertEquals(-1, call(first, "grow", 1));
        assertArrayEquals(new byte[8], Arrays.copyOf(memory.readBytes(40, 8), 8));
    }
}
