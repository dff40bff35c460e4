package dev.memory64.abi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.memory64.Memory64Store;
import dev.memory64.MemoryLayout;
import dev.memory64.RegionBacking;
import dev.memory64.testkit.HeapGuestMemory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Read-ahead (docs/GUIDE.md, "Read-ahead and prefetch"): a whole-layer load of layer N, and a range
 * load of layer N that starts it (offset 0), prefetch layer N+1; a range load inside a layer
 * prefetches nothing. The store's single prefetch thread runs prefetches in order, so a prefetch
 * the test asks for last and waits on marks the end of those the ABI started.
 */
class ReadAheadTest {
    static final long PAGE = 64 * 1024;
    static final long LAYER = 16 * PAGE;

    @TempDir Path dir;

    private Memory64Store mappedStore() throws Exception {
        Path file = dir.resolve("model.bin");
        Files.write(file, new byte[(int) (8 * LAYER)]);
        Memory64Store store =
                Memory64Store.builder(MemoryLayout.builder().addRegion("m", 8 * LAYER).build())
                        .withDefaultBacking(RegionBacking.mapped(file, 0, false))
                        .build();
        for (int i = 0; i < 8; i++) {
            store.registerLayer(i, "blk." + i, i * LAYER, LAYER);
        }
        return store;
    }

    /** Waits until the prefetches started so far have run, then returns the bytes prefetched. */
    private static long prefetchedAfterABarrier(Memory64Store store) throws Exception {
        store.prefetch(7).get(30, TimeUnit.SECONDS);
        return store.stats().bytesPrefetched() - LAYER; // the barrier's own layer
    }

    @Test
    void aRangeLoadThatStartsALayerReadsTheNextOneAhead() throws Exception {
        try (Memory64Store store = mappedStore()) {
            Memory64Abi abi = Memory64Abi.builder(store).withReadAhead(true).build();
            HeapGuestMemory guest = new HeapGuestMemory((int) PAGE);
            assertEquals(4096, abi.loadLayerRange(guest, 0, 0, 0, 4096)); // starts layer 0
            assertEquals(LAYER, prefetchedAfterABarrier(store)); // layer 1 came in
            assertEquals(4096, abi.loadLayerRange(guest, 2, 4096, 0, 4096)); // inside layer 2
            assertEquals(4096, abi.loadLayerRange(guest, 2, LAYER - 4096, 0, 4096));
            assertEquals(
                    LAYER, prefetchedAfterABarrier(store) - LAYER); // nothing more but the barrier
        }
    }

    @Test
    void withoutReadAheadARangeLoadPrefetchesNothing() throws Exception {
        try (Memory64Store store = mappedStore()) {
            Memory64Abi abi = Memory64Abi.builder(store).build();
            HeapGuestMemory guest = new HeapGuestMemory((int) PAGE);
            assertEquals(4096, abi.loadLayerRange(guest, 0, 0, 0, 4096));
            assertEquals(0, prefetchedAfterABarrier(store));
        }
    }
}
