package dev.memory64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Prefetch: completes with progress, is bounded, cancellable, and stops at close. */
class PrefetchTest {
    static final long PAGE = MemoryRegion.PAGE_SIZE;

    @TempDir Path dir;

    Memory64Store mappedStore(int pages) throws Exception {
        Path file = dir.resolve("model.bin");
        Files.write(file, StoreContractTest.pattern((int) (pages * PAGE), 1));
        Memory64Store store =
                Memory64Store.builder(MemoryLayout.builder().addRegion("m", pages * PAGE).build())
                        .withDefaultBacking(RegionBacking.mapped(file, 0, false))
                        .build();
        for (int i = 0; i < pages / 16; i++) {
            store.registerLayer(i, "blk", i * 16 * PAGE, 16 * PAGE);
        }
        return store;
    }

    @Test
    void shouldPrefetchAMappedLayerReportingProgress() throws Exception {
        try (Memory64Store store = mappedStore(128)) {
            List<Long> done = new ArrayList<>();
            AtomicLong total = new AtomicLong();
            store.prefetch(
                            3,
                            (task, d, t) -> {
                                synchronized (done) {
                                    done.add(d);
                                }
                                total.set(t);
                                assertTrue(task.startsWith("prefetch layer 3"), task);
                            })
                    .get(30, TimeUnit.SECONDS);
            assertEquals(16 * PAGE, total.get());
            assertEquals(0L, done.get(0));
            assertEquals(16 * PAGE, done.get(done.size() - 1));
            assertTrue(store.layout().region(0).contains(store.layer(3).offset()));
            assertEquals(16 * PAGE, store.stats().bytesPrefetched());
        }
    }

    @Test
    void aPrefetchOfAllocatedMemoryReportsProgressButCountsNothingBroughtIn() throws Exception {
        try (Memory64Store store =
                Memory64Store.allocate(MemoryLayout.builder().addRegion("m", 32 * PAGE).build())) {
            store.registerLayer(0, "blk", 0, 32 * PAGE);
            AtomicLong last = new AtomicLong(-1);
            store.prefetch(0, (task, d, t) -> last.set(d)).get(30, TimeUnit.SECONDS);
            assertEquals(32 * PAGE, last.get());
            assertEquals(0, store.stats().bytesPrefetched());
        }
    }

    @Test
    void rejectsAnUnknownLayer() throws Exception {
        try (Memory64Store store = mappedStore(16)) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> store.prefetch(9));
            assertEquals("prefetch: no layer with id=9", e.getMessage());
        }
    }

    /** Holds the prefetch thread inside layer 0, fills the bound, and returns the queued hints. */
    static List<Future<?>> fillTheBound(Memory64Store store, CountDownLatch release)
            throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        futures.add(
                store.prefetch(
                        0,
                        (task, d, t) -> {
                            started.countDown();
                            try {
                                release.await(30, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }));
        assertTrue(started.await(30, TimeUnit.SECONDS));
        for (int i = 1; i < Prefetcher.IN_FLIGHT; i++) {
            Future<?> queued = store.prefetch(i);
            assertTrue(!queued.isDone(), "hint " + i + " is within the bound and queued");
            futures.add(queued);
        }
        assertTrue(store.prefetch(7).isDone(), "a hint beyond the bound is dropped at once");
        return futures;
    }

    @Test
    void dropsHintsBeyondTheInFlightBoundAndCancelsOnRequest() throws Exception {
        try (Memory64Store store = mappedStore(128)) {
            for (int round = 0; round < 2; round++) {
                CountDownLatch release = new CountDownLatch(1);
                List<Future<?>> futures = fillTheBound(store, release);
                assertTrue(futures.get(1).cancel(true));
                release.countDown();
                for (Future<?> f : futures) {
                    if (!f.isCancelled()) {
                        f.get(30, TimeUnit.SECONDS);
                    }
                }
                // The next round fills the bound again: a cancelled hint gave its place back.
            }
        }
    }

    @Test
    void closeStopsPrefetchingAndLaterHintsAreIgnored() throws Exception {
        Memory64Store store = mappedStore(128);
        CountDownLatch release = new CountDownLatch(1);
        List<Future<?>> futures = fillTheBound(store, release);
        store.close();
        release.countDown();
        for (int i = 1; i < futures.size(); i++) {
            assertTrue(futures.get(i).isCancelled(), "queued hint " + i + " cancelled by close");
        }
        futures.get(0).get(30, TimeUnit.SECONDS);
        assertTrue(store.prefetch(1).isDone());
    }

    @Test
    void aHintToAStoreClosedBeforeItsFirstPrefetchIsIgnored() throws Exception {
        // The prefetcher is made on the first hint: one made after close must start no thread.
        Memory64Store store = mappedStore(128);
        store.close();
        Future<?> hint = store.prefetch(1);
        assertTrue(hint.isDone());
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            assertTrue(
                    !thread.getName().startsWith("memory64-prefetch-" + store.name()),
                    "a prefetch thread started after close: " + thread.getName());
        }
    }
}
