package dev.memory64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

import dev.memory64.testkit.SmallModels;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quicktheories.generators.SourceDSL;

/** Layers as ordered lists of extents: the bytes a guest sees, large layers, registration. */
class LayerExtentsTest {

    private static final long PAGE = MemoryRegion.PAGE_SIZE;

    @TempDir Path dir;

    private static Memory64Store twoRegions() throws Exception {
        Memory64Store store =
                Memory64Store.allocate(
                        MemoryLayout.builder().addRegion("a", PAGE).addRegion("b", PAGE).build());
        store.write(0, SmallModels.bytes((int) (2 * PAGE), 1));
        return store;
    }

    /**
     * Registers {@code layer} in a {@link #twoRegions()} store and returns the bytes it reads as:
     * its extents' bytes, concatenated in their order.
     */
    private static byte[] register(Memory64Store store, Layer layer) {
        store.registerLayers(List.of(layer));
        byte[] all = SmallModels.bytes((int) (2 * PAGE), 1);
        ByteArrayOutputStream concat = new ByteArrayOutputStream();
        for (Layer.Extent e : layer.extents()) {
            concat.write(all, (int) e.offset(), (int) e.size());
        }
        return concat.toByteArray();
    }

    @Test
    void shouldMergeExtentsThatTouchSoAContiguousLayerIsOneExtent() {
        Layer layer =
                new Layer(
                        3,
                        "blk.0",
                        "block",
                        List.of(
                                new Layer.Extent(100, 50),
                                new Layer.Extent(150, 10),
                                new Layer.Extent(500, 5)));
        assertEquals(List.of(new Layer.Extent(100, 60), new Layer.Extent(500, 5)), layer.extents());
        assertEquals(65, layer.size());
        assertEquals(100, layer.offset());
        assertEquals(505, layer.end());
        assertFalse(layer.isContiguous());
        assertEquals(
                new Layer(3, "blk.0", "block", 100, 60),
                new Layer(
                        3,
                        "blk.0",
                        "block",
                        List.of(new Layer.Extent(100, 10), new Layer.Extent(110, 50))));
        assertThrows(IllegalArgumentException.class, () -> new Layer(0, "x", "k", List.of()));
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        new Layer(
                                0,
                                "x",
                                "k",
                                List.of(
                                        new Layer.Extent(0, Long.MAX_VALUE),
                                        new Layer.Extent(0, 1))));
    }

    @Test
    void shouldReadALayersExtentsAsOneByteSequenceInTheirOrder() throws Exception {
        try (Memory64Store store = twoRegions()) {
            // A later piece first, then one straddling the region boundary, then an early one.
            List<Layer.Extent> extents =
                    List.of(
                            new Layer.Extent(PAGE + 1000, 300),
                            new Layer.Extent(PAGE - 20, 40),
                            new Layer.Extent(7, 9));
            byte[] expected = register(store, new Layer(1, "mixed", "block", extents));
            byte[] seen = new byte[349];
            store.readLayer(1, 0, MemorySegment.ofArray(seen));
            assertArrayEquals(expected, seen);

            byte[] middle = new byte[30];
            store.readLayer(1, 290, MemorySegment.ofArray(middle));
            assertArrayEquals(java.util.Arrays.copyOfRange(seen, 290, 320), middle);

            List<Long> offsets = new ArrayList<>();
            byte[] sunk = new byte[349];
            store.copyLayerTo(
                    1,
                    0,
                    (offset, chunk) -> {
                        offsets.add(offset);
                        MemorySegment.copy(
                                chunk,
                                0,
                                MemorySegment.ofArray(sunk),
                                offset - 64,
                                chunk.byteSize());
                    },
                    64,
                    349);
            assertArrayEquals(seen, sunk);
            assertEquals(List.of(64L, 364L, 384L, 404L), offsets); // extent 2 splits at the region
            assertEquals(3, store.stats().reads()); // one per call, whatever the extents
        }
    }

    @Test
    void shouldAgreeWithTheConcatenationForEveryRangeOfALayer() throws Exception {
        try (Memory64Store store = twoRegions()) {
            List<Layer.Extent> extents =
                    List.of(
                            new Layer.Extent(PAGE + 5, 1000),
                            new Layer.Extent(3, 2000),
                            new Layer.Extent(PAGE - 500, 1500));
            byte[] logical = register(store, new Layer(0, "l", "k", extents));
            qt().withExamples(2_000)
                    .forAll(
                            SourceDSL.integers().between(0, logical.length),
                            SourceDSL.integers().between(0, logical.length))
                    .checkAssert(
                            (x, y) -> {
                                int from = Math.min(x, y);
                                int len = Math.max(x, y) - from;
                                byte[] seen = new byte[len];
                                try {
                                    store.readLayer(0, from, MemorySegment.ofArray(seen));
                                } catch (Memory64Exception e) {
                                    throw new AssertionError(e);
                                }
                                assertArrayEquals(
                                        java.util.Arrays.copyOfRange(logical, from, from + len),
                                        seen);
                            });
        }
    }

    @Test
    void shouldRefuseARangeTouchingAnUnbackedExtentBeforeMovingAByte() throws Exception {
        Path file = dir.resolve("short.bin");
        Files.write(file, SmallModels.bytes(1000, 2));
        MemoryLayout layout =
                MemoryLayout.builder().addRegion("weights", PAGE).addRegion("model", PAGE).build();
        try (Memory64Store store =
                Memory64Store.builder(layout)
                        .withDefaultBacking(RegionBacking.allocated())
                        .withBacking("model", RegionBacking.mapped(file, 0, false))
                        .build()) {
            store.registerLayers(
                    List.of(
                            new Layer(
                                    0,
                                    "half-backed",
                                    "k",
                                    List.of(
                                            new Layer.Extent(PAGE, 500),
                                            new Layer.Extent(PAGE + 900, 200)))));
            List<Long> delivered = new ArrayList<>();
            IndexOutOfBoundsException e =
                    assertThrows(
                            IndexOutOfBoundsException.class,
                            () -> store.copyLayerTo(0, 0, (o, c) -> delivered.add(o), 0, 700));
            assertTrue(e.getMessage().contains("reaches past the backed part"), e.getMessage());
            assertEquals(List.of(), delivered);
            assertEquals(1, store.stats().errors());
            byte[] head = new byte[500];
            store.readLayer(0, 0, MemorySegment.ofArray(head));
            assertArrayEquals(java.util.Arrays.copyOf(SmallModels.bytes(1000, 2), 500), head);
        }
    }

    @Test
    void shouldRejectALayerRangeOutsideTheLayerNamingIt() throws Exception {
        try (Memory64Store store = twoRegions()) {
            store.registerLayer(2, "two", 0, 100);
            IndexOutOfBoundsException e =
                    assertThrows(
                            IndexOutOfBoundsException.class,
                            () -> store.readLayer(2, 90, MemorySegment.ofArray(new byte[11])));
            assertEquals(
                    "readLayer layer id=2 (\"two\") layerOffset=90 len=11 exceeds the layer size=100",
                    e.getMessage());
            assertThrows(
                    IllegalArgumentException.class,
                    () -> store.readLayer(9, 0, MemorySegment.ofArray(new byte[1])));
            assertEquals(2, store.stats().errors());
        }
    }

    @Test
    void shouldHoldAndStreamALayerLargerThanTwoGiB() throws Exception {
        long gib = 1L << 30;
        try (Memory64Store store =
                Memory64Store.builder(MemoryLayout.builder().addRegion("big", 4 * gib).build())
                        .withDefaultBacking(RegionBacking.reservedOvercommitted(dir))
                        .build()) {
            byte[] head = SmallModels.bytes(4096, 3);
            byte[] tail = SmallModels.bytes(4096, 4);
            store.write(0, head);
            store.write(3 * gib - 4096, tail);
            Layer big = store.registerLayer(0, "token_embd", 0, 3 * gib);
            assertEquals(3 * gib, big.size());
            assertSame(big, store.layer("token_embd"));
            byte[] seen = new byte[4096];
            store.readLayer(0, 3 * gib - 4096, MemorySegment.ofArray(seen));
            assertArrayEquals(tail, seen);
            store.readLayer(0, 0, MemorySegment.ofArray(seen));
            assertArrayEquals(head, seen);
        }
    }

    @Test
    void shouldRegisterAHundredThousandLayersOneByOneAndInBulk() throws Exception {
        try (Memory64Store store =
                Memory64Store.allocate(MemoryLayout.builder().addRegion("a", PAGE).build())) {
            long start = System.nanoTime();
            for (int i = 0; i < 100_000; i++) {
                store.registerLayer(i, "layer-" + (i % 50_000), i % 1000, 1);
            }
            long oneByOne = System.nanoTime() - start;
            List<Layer> bulk = new ArrayList<>();
            for (int i = 0; i < 100_000; i++) {
                bulk.add(new Layer(1_000_000 + 7 * i, "bulk-" + i, "k", i % 1000, 1));
            }
            start = System.nanoTime();
            store.registerLayers(bulk);
            long inBulk = System.nanoTime() - start;
            // Printed, not asserted: a quadratic table would take minutes here, not milliseconds.
            System.out.printf(
                    "registered 100,000 layers one by one in %d ms and 100,000 in bulk in %d ms%n",
                    oneByOne / 1_000_000, inBulk / 1_000_000);
            assertEquals(200_000, store.layers().size());
            for (int i = 0; i < 100_000; i += 997) {
                assertEquals(i % 1000, store.layer(i).offset());
                assertEquals("bulk-" + i, store.layer(1_000_000 + 7 * i).name());
            }
            // A name shared by two layers resolves to the lower id.
            assertEquals(17, store.layer("layer-17").id());
            assertNull(store.layer(1_000_001));
        }
    }

    @Test
    void shouldGiveANameToTheLowerIdWhateverTheOrderOfRegistration() throws Exception {
        try (Memory64Store store =
                Memory64Store.allocate(MemoryLayout.builder().addRegion("a", PAGE).build())) {
            store.registerLayer(9, "shared", 0, 1);
            Layer nine = store.layer("shared");
            store.registerLayer(4, "shared", 0, 1);
            assertEquals(4, store.layer("shared").id());
            assertEquals(9, nine.id());
            store.registerLayer(6, "shared", 0, 1);
            assertEquals(4, store.layer("shared").id());
        }
    }

    @Test
    void shouldShowABatchAllAtOnceToConcurrentReaders() throws Exception {
        try (Memory64Store store =
                Memory64Store.allocate(MemoryLayout.builder().addRegion("a", PAGE).build())) {
            AtomicBoolean done = new AtomicBoolean();
            AtomicReference<String> torn = new AtomicReference<>();
            Thread reader =
                    Thread.ofPlatform()
                            .start(
                                    () -> {
                                        while (!done.get()) {
                                            for (int k = 0; k < 2_000; k += 7) {
                                                // The batch registers 2k + 1 before 2k: seeing the
                                                // first without the second would be a torn batch.
                                                boolean second = store.layer(2 * k + 1) != null;
                                                boolean first = store.layer(2 * k) != null;
                                                if (second && !first) {
                                                    torn.set("batch " + k);
                                                }
                                            }
                                        }
                                    });
            for (int k = 0; k < 2_000; k++) {
                store.registerLayers(
                        List.of(
                                new Layer(2 * k + 1, "odd" + k, "k", 0, 1),
                                new Layer(2 * k, "even" + k, "k", 0, 1)));
            }
            done.set(true);
            reader.join();
            assertNull(torn.get());
        }
    }
}
