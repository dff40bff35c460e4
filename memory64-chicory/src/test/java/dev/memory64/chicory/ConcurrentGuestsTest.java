package dev.memory64.chicory;

import static dev.memory64.chicory.Guests.call;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import dev.memory64.Layer;
import dev.memory64.Memory64Store;
import dev.memory64.MemoryLayout;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Many guests on many threads at once: no lock held during a copy, no interference. */
class ConcurrentGuestsTest {
    static final long PAGE = 64 * 1024;
    static final int LAYERS = 8;
    static final long LAYER_SIZE = 200_000;

    Memory64Store store;
    Memory64HostFunctions functions;

    @BeforeEach
    void setUp() throws Exception {
        store = Memory64Store.allocate(MemoryLayout.builder().addRegion("w", 32 * PAGE).build());
        byte[] bytes = new byte[(int) store.size()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 7 + (i >>> 11));
        }
        store.write(0, bytes);
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < LAYERS; i++) {
            layers.add(new Layer(i, "blk." + i, "block", i * LAYER_SIZE, LAYER_SIZE));
        }
        store.registerLayers(layers);
        functions = Memory64HostFunctions.builder(store).build();
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    @Test
    void severalGuestsOnSeveralThreadsLoadCorrectlyAtOnce() throws Exception {
        long[] expected = new long[LAYERS];
        for (int i = 0; i < LAYERS; i++) {
            expected[i] = HostChecksum.of(store, store.layer(i));
        }
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Guests.Mode mode = Guests.modes().get(t % Guests.modes().size());
                results.add(
                        pool.submit(
                                () -> {
                                    Instance checksum =
                                            Guests.instantiate(
                                                    Guests.wat("checksum"),
                                                    functions.toImportValues(),
                                                    mode,
                                                    null);
                                    int verified = 0;
                                    for (int round = 0; round < 5; round++) {
                                        for (int id = 0; id < LAYERS; id++) {
                                            long sum =
                                                    call(
                                                            checksum,
                                                            "checksum_layer",
                                                            id,
                                                            0,
                                                            PAGE * 4);
                                            assertEquals(expected[id], sum, "layer " + id);
                                            verified++;
                                        }
                                    }
                                    return verified;
                                }));
            }
            for (Future<Integer> result : results) {
                assertEquals(5 * LAYERS, result.get(120, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(0, store.stats().errors());
    }

    /** A runtime memory whose bulk writes can be held at a latch, to catch a copy in the act. */
    static final class HeldMemory {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile boolean hold;
        volatile boolean fail;

        Function<MemoryLimits, Memory> factory() {
            return limits -> {
                Memory real = new ByteArrayMemory(limits);
                return (Memory)
                        Proxy.newProxyInstance(
                                Memory.class.getClassLoader(),
                                new Class<?>[] {Memory.class},
                                (proxy, method, args) -> {
                                    if (method.getName().equals("write")
                                            && args != null
                                            && args.length == 4) {
                                        if (fail) {
                                            throw new IllegalStateException("guest memory failed");
                                        }
                                        if (hold) {
                                            hold = false;
                                            entered.countDown();
                                            assertTrue(release.await(60, TimeUnit.SECONDS));
                                        }
                                    }
                                    try {
                                        return method.invoke(real, args);
                                    } catch (InvocationTargetException e) {
                                        throw e.getCause();
                                    }
                                });
            };
        }
    }

    /** The abi guest under the interpreter, with this memory (null for the runtime's own). */
    private Instance interpreted(Function<MemoryLimits, Memory> memory) {
        return Guests.instantiate(
                Guests.wat("abi"), functions.toImportValues(), Guests.Mode.INTERPRETER, memory);
    }

    @Test
    void oneGuestsCopyInProgressDoesNotBlockAnother() throws Exception {
        HeldMemory held = new HeldMemory();
        Instance slow = interpreted(held.factory());
        Instance fast = interpreted(null);
        assertEquals(1, call(slow, "grow", 3));
        assertEquals(1, call(fast, "grow", 3));
        held.hold = true;
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Long> stuck = pool.submit(() -> call(slow, "load_layer", 1, 0, LAYER_SIZE));
            assertTrue(held.entered.await(60, TimeUnit.SECONDS), "the slow copy started");
            // The slow guest is inside its copy now. Another guest loads to completion meanwhile.
            for (int id = 0; id < LAYERS; id++) {
                assertEquals(LAYER_SIZE, call(fast, "load_layer", id, 0, LAYER_SIZE));
            }
            assertTrue(!stuck.isDone(), "the slow copy was still in progress");
            held.release.countDown();
            assertEquals(LAYER_SIZE, stuck.get(60, TimeUnit.SECONDS));
        } finally {
            held.release.countDown();
            pool.shutdownNow();
        }
        byte[] expected = new byte[(int) LAYER_SIZE];
        store.read(LAYER_SIZE, expected);
        assertArrayEquals(expected, slow.memory().readBytes(0, (int) LAYER_SIZE));
    }

    @Test
    void aFailingGuestMemoryIsReportedAsGuestWrite() {
        HeldMemory broken = new HeldMemory();
        Instance guest = interpreted(broken.factory());
        assertEquals(1, call(guest, "grow", 3));
        broken.fail = true;
        assertEquals(-8, call(guest, "load_layer", 0, 0, LAYER_SIZE));
        assertEquals(1, store.stats().errors());
        assertEquals(0, store.stats().reads());
        // The failure struck at the first staged write: nothing reached the guest.
        assertArrayEquals(
                new byte[(int) (4 * PAGE)], guest.memory().readBytes(0, (int) (4 * PAGE)));
    }

    @Test
    void closingTheStoreDuringLoadsFailsThemWithHostRangeOnly() throws Exception {
        int threads = 3;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch running = new CountDownLatch(threads);
        try {
            List<Future<long[]>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(
                        pool.submit(
                                () -> {
                                    Instance guest = interpreted(SegmentMemory.factory());
                                    call(guest, "grow", 3);
                                    long ok = 0;
                                    long hostRange = 0;
                                    running.countDown();
                                    for (int i = 0; i < 2_000 && hostRange < 50; i++) {
                                        long r =
                                                call(
                                                        guest,
                                                        "load_layer",
                                                        i % LAYERS,
                                                        0,
                                                        LAYER_SIZE);
                                        if (r == LAYER_SIZE) {
                                            ok++;
                                        } else {
                                            assertEquals(-4, r, "a load racing close");
                                            assertTrue(
                                                    !Thread.currentThread().isInterrupted(),
                                                    "a failed load leaves the thread uninterrupted");
                                            hostRange++;
                                        }
                                    }
                                    ((SegmentMemory) guest.memory()).close();
                                    return new long[] {ok, hostRange};
                                }));
            }
            assertTrue(running.await(60, TimeUnit.SECONDS));
            store.close();
            long failed = 0;
            for (Future<long[]> result : results) {
                failed += result.get(120, TimeUnit.SECONDS)[1];
            }
            assertTrue(failed > 0, "loads after close failed with HOST_RANGE");
        } finally {
            pool.shutdownNow();
        }
    }
}
