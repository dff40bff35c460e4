package dev.memory64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The residency policy: what it releases, what it never touches, and that bytes stay right. */
class ResidencyTest {

    static final int LAYERS = 8;
    static final int LAYER = 1 << 20;

    @TempDir Path dir;

    /** A file of pseudo-random bytes, {@code LAYERS} layers of {@code LAYER} bytes. */
    private byte[] writeModel(Path file) throws IOException {
        byte[] bytes = new byte[LAYERS * LAYER];
        new Random(11).nextBytes(bytes);
        Files.write(file, bytes);
        return bytes;
    }

    private static MemoryLayout layout() {
        return MemoryLayout.builder().addRegion("model", (long) LAYERS * LAYER).build();
    }

    private static void registerLayers(Memory64Store store) {
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < LAYERS; i++) {
            layers.add(new Layer(i, "blk." + i, "block", (long) i * LAYER, LAYER));
        }
        store.registerLayers(layers);
    }

    private Memory64Store mapped(Path file, boolean writable, ResidencyPolicy policy)
            throws IOException {
        Memory64Store store =
                Memory64Store.builder(layout())
                        .withBacking("model", RegionBacking.mapped(file, 0, writable))
                        .withResidency(policy)
                        .build();
        registerLayers(store);
        return store;
    }

    /** Reads a layer the way a guest's range loads do: through a sink, in pieces. */
    private static byte[] stream(Memory64Store store, int layer, int piece)
            throws Memory64Exception {
        byte[] out = new byte[LAYER];
        for (int at = 0; at < LAYER; at += piece) {
            int base = at;
            store.copyTo(
                    (long) layer * LAYER + at,
                    (dstOffset, chunk) ->
                            java.lang.foreign.MemorySegment.copy(
                                    chunk,
                                    0,
                                    java.lang.foreign.MemorySegment.ofArray(out),
                                    base + dstOffset,
                                    chunk.byteSize()),
                    0,
                    Math.min(piece, LAYER - at));
        }
        return out;
    }

    /**
     * Streams layers {@code from} to the last in pieces of {@code piece} bytes, checking that each
     * reads as the model's bytes.
     */
    private static void streamLayers(Memory64Store store, byte[] expected, int from, int piece)
            throws Memory64Exception {
        for (int i = from; i < LAYERS; i++) {
            assertArrayEquals(slice(expected, i), stream(store, i, piece), "layer " + i);
        }
    }

    private static byte[] slice(byte[] all, int layer) {
        byte[] out = new byte[LAYER];
        System.arraycopy(all, layer * LAYER, out, 0, LAYER);
        return out;
    }

    @Test
    void releasesLayersBehindAndRereadsThemCorrectly() throws Exception {
        Path file = dir.resolve("model.bin");
        byte[] expected = writeModel(file);
        try (Memory64Store store = mapped(file, false, ResidencyPolicy.layers(0, 0))) {
            streamLayers(store, expected, 0, 256 << 10);
            Memory64Stats stats = store.stats();
            assertEquals((long) (LAYERS - 1) * LAYER, stats.bytesReleased());
            assertEquals(LAYER, stats.windowBytes());
            assertEquals(0, stats.bytesPrefetched());
            // Every released layer reads back as the file holds it, by host read and by sink.
            for (int i = 0; i < LAYERS; i++) {
                byte[] again = new byte[LAYER];
                store.read((long) i * LAYER, again);
                assertArrayEquals(slice(expected, i), again, "layer " + i + " re-read");
                assertArrayEquals(slice(expected, i), stream(store, i, LAYER), "layer " + i);
            }
        }
    }

    @Test
    void keepsTheLayersBehindTheWindowAsksFor() throws Exception {
        Path file = dir.resolve("model.bin");
        byte[] expected = writeModel(file);
        try (Memory64Store store = mapped(file, false, ResidencyPolicy.layers(2, 0))) {
            streamLayers(store, expected, 0, LAYER);
            assertEquals((long) (LAYERS - 3) * LAYER, store.stats().bytesReleased());
            assertEquals(3L * LAYER, store.stats().windowBytes());
        }
    }

    @Test
    void aNewPassReleasesTheEndOfTheLastOne() throws Exception {
        Path file = dir.resolve("model.bin");
        byte[] expected = writeModel(file);
        try (Memory64Store store = mapped(file, false, ResidencyPolicy.layers(0, 0))) {
            for (int pass = 0; pass < 2; pass++) {
                streamLayers(store, expected, 0, LAYER);
            }
            assertEquals((2L * LAYERS - 1) * LAYER, store.stats().bytesReleased());
        }
    }

    @Test
    void bytesWindowReleasesInsideALayerAndReadsBack() throws Exception {
        Path file = dir.resolve("model.bin");
        byte[] expected = writeModel(file);
        try (Memory64Store store = mapped(file, false, ResidencyPolicy.bytes(64 << 10, 0))) {
            streamLayers(store, expected, 0, 128 << 10);
            Memory64Stats stats = store.stats();
            // Swept on entering each layer, after its first 128 KiB: the first 64 KiB of every
            // layer and the rest of every layer but the last are released.
            assertEquals((LAYERS - 1) * (long) LAYER + (64L << 10), stats.bytesReleased());
            assertEquals(LAYER - (64L << 10), stats.windowBytes());
            streamLayers(store, expected, 0, 4096);
        }
    }

    @Test
    void neverReleasesAllocatedReservedOrWritableRegions() throws Exception {
        Path file = dir.resolve("model.bin");
        byte[] expected = writeModel(file);
        List<Memory64Store> stores = new ArrayList<>();
        stores.add(
                Memory64Store.builder(layout())
                        .withDefaultBacking(RegionBacking.allocated())
                        .withResidency(ResidencyPolicy.layers(0, 0))
                        .build());
        stores.add(
                Memory64Store.builder(layout())
                        .withDefaultBacking(RegionBacking.reserved(dir))
                        .withResidency(ResidencyPolicy.layers(0, 0))
                        .build());
        stores.add(mapped(file, true, ResidencyPolicy.layers(0, 0)));
        for (Memory64Store store : stores) {
            try (store) {
                if (store.layers().isEmpty()) {
                    registerLayers(store);
                    store.write(0, expected);
                }
                streamLayers(store, expected, 0, LAYER);
                assertEquals(0, store.stats().bytesReleased(), store.toString());
                streamLayers(store, expected, 0, LAYER);
            }
        }
    }

    @Test
    void releasesOnlyTheReadOnlyMappedPartOfALayerAcrossRegions() throws Exception {
        Path file = dir.resolve("half.bin");
        byte[] expected = new byte[LAYERS * LAYER];
        new Random(5).nextBytes(expected);
        int half = LAYERS * LAYER / 2;
        Files.write(file, java.util.Arrays.copyOf(expected, half));
        MemoryLayout layout =
                MemoryLayout.builder().addRegion("file", half).addRegion("heap", half).build();
        try (Memory64Store store =
                Memory64Store.builder(layout)
                        .withBacking("file", RegionBacking.mapped(file, 0, false))
                        .withBacking("heap", RegionBacking.allocated())
                        .withResidency(ResidencyPolicy.layers(0, 0))
                        .build()) {
            store.write(half, java.util.Arrays.copyOfRange(expected, half, expected.length));
            // Two layers, each half in the file and half on the heap; then one more on the heap.
            long quarter = half / 2;
            store.registerLayers(
                    List.of(
                            new Layer(0, "a", "x", 0, quarter),
                            new Layer(1, "b", "x", quarter, half),
                            new Layer(2, "c", "x", quarter + half, quarter)));
            byte[] all = new byte[LAYERS * LAYER];
            store.read(0, all, 0, (int) quarter);
            store.read(quarter, all, (int) quarter, half);
            store.read(quarter + half, all, (int) (quarter + half), (int) quarter);
            assertArrayEquals(expected, all);
            // Leaving a: all of it (in the file); leaving b: its half in the file.
            assertEquals(quarter + quarter, store.stats().bytesReleased());
            byte[] again = new byte[LAYERS * LAYER];
            store.read(0, again);
            assertArrayEquals(expected, again);
        }
    }

    @Test
    void twoStreamersAtDifferentLayersKeepTheirWindowsAndReadCorrectBytes() throws Exception {
        Path file = dir.resolve("model.bin");
        byte[] expected = writeModel(file);
        try (Memory64Store store = mapped(file, false, ResidencyPolicy.layers(0, 0))) {
            CountDownLatch slowAtLayer0 = new CountDownLatch(1);
            CountDownLatch counted = new CountDownLatch(1);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread slow =
                    new Thread(
                            () -> {
                                try {
                                    assertArrayEquals(slice(expected, 0), stream(store, 0, 4096));
                                    slowAtLayer0.countDown();
                                    counted.await();
                                    // Still in its window: re-read while the other moved on.
                                    assertArrayEquals(slice(expected, 0), stream(store, 0, 4096));
                                    streamLayers(store, expected, 1, 65536);
                                } catch (Throwable t) {
                                    failure.compareAndSet(null, t);
                                    slowAtLayer0.countDown();
                                }
                            });
            Thread fast =
                    new Thread(
                            () -> {
                                try {
                                    slowAtLayer0.await();
                                    streamLayers(store, expected, 1, 65536);
                                } catch (Throwable t) {
                                    failure.compareAndSet(null, t);
                                }
                            });
            slow.start();
            fast.start();
            fast.join();
            // The fast reader left layers 1..6 behind; layer 0 stays: it is the slow one's window.
            long releasedWhileBothLive = store.stats().bytesReleased();
            counted.countDown();
            slow.join();
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            assertEquals(6L * LAYER, releasedWhileBothLive);
            assertTrue(store.stats().bytesReleased() >= releasedWhileBothLive + LAYER);
        }
    }

    @Test
    void aLayerPrefetchedByTheHostIsCountedAndReleasedWhenNoWindowHoldsIt() throws Exception {
        Path file = dir.resolve("model.bin");
        byte[] expected = writeModel(file);
        try (Memory64Store store = mapped(file, false, ResidencyPolicy.layers(0, 0))) {
            store.prefetch(5).get();
            assertEquals(LAYER, store.stats().bytesPrefetched());
            assertEquals(LAYER, store.stats().windowBytes());
            assertArrayEquals(slice(expected, 0), stream(store, 0, LAYER));
            // Entering layer 0 swept layer 5 away: no streamer's window holds it.
            assertEquals(LAYER, store.stats().bytesReleased());
            assertArrayEquals(slice(expected, 5), stream(store, 5, LAYER));
            assertEquals(2L * LAYER, store.stats().bytesReleased());
        }
    }

    @Test
    void offReleasesNothingAndIsTheDefault() throws Exception {
        Path file = dir.resolve("model.bin");
        byte[] expected = writeModel(file);
        try (Memory64Store store =
                Memory64Store.builder(layout())
                        .withBacking("model", RegionBacking.mapped(file, 0, false))
                        .build()) {
            registerLayers(store);
            assertEquals(ResidencyPolicy.off(), store.residency());
            streamLayers(store, expected, 0, LAYER);
            assertEquals(0, store.stats().bytesReleased());
            assertEquals(0, store.stats().windowBytes());
            store.useResidency(ResidencyPolicy.layers(1, 2));
            assertEquals(ResidencyPolicy.layers(1, 2), store.residency());
            store.useResidency(ResidencyPolicy.off());
            assertFalse(store.residency().enabled());
        }
    }

    @Test
    void jmxShowsResidency() throws Exception {
        Path file = dir.resolve("model.bin");
        writeModel(file);
        try (Memory64Store store = mapped(file, false, ResidencyPolicy.layers(0, 0))) {
            ObjectName name = store.registerMBean();
            stream(store, 0, LAYER);
            stream(store, 1, LAYER);
            var server = ManagementFactory.getPlatformMBeanServer();
            assertEquals((long) LAYER, server.getAttribute(name, "BytesReleased"));
            assertEquals((long) LAYER, server.getAttribute(name, "WindowBytes"));
            assertEquals(0L, server.getAttribute(name, "BytesPrefetched"));
            assertEquals("layers(behind=0, ahead=0)", server.getAttribute(name, "Residency"));
        }
    }

    @Test
    void rejectsNegativeWindows() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ResidencyPolicy.layers(-1, 0));
        assertEquals(
                "residency LAYERS: behind=-1 ahead=0: both must be non-negative", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ResidencyPolicy.bytes(0, -5));
        assertEquals(
                "residency BYTES: behind=0 ahead=-5: both must be non-negative", e.getMessage());
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> new ResidencyPolicy(ResidencyPolicy.Unit.OFF, 1, 0));
        assertEquals("residency OFF: behind=1 ahead=0: both must be 0", e.getMessage());
    }
}
