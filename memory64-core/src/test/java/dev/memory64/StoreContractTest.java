package dev.memory64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.quicktheories.generators.SourceDSL;

/**
 * The behaviour every backing of a {@link Memory64Store} must have, run over each of them by a
 * subclass.
 */
abstract class StoreContractTest {

    static final long PAGE = MemoryRegion.PAGE_SIZE;

    /** Three regions: 64 KiB, 128 KiB, 64 KiB. */
    static final MemoryLayout LAYOUT =
            MemoryLayout.builder()
                    .addRegion("a", PAGE)
                    .addRegion("b", 2 * PAGE, "middle")
                    .addRegion("c", PAGE)
                    .build();

    @TempDir Path dir;

    Memory64Store store;

    abstract Memory64Store open(MemoryLayout layout, Path dir) throws IOException;

    @BeforeEach
    void openStore() throws IOException {
        store = open(LAYOUT, dir);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    static byte[] pattern(int len, int seed) {
        byte[] bytes = new byte[len];
        for (int i = 0; i < len; i++) {
            bytes[i] = (byte) (i * 31 + seed * 7 + (i >>> 8));
        }
        return bytes;
    }

    byte[] contents() throws Memory64Exception {
        byte[] all = new byte[(int) LAYOUT.size()];
        store.read(0, all);
        return all;
    }

    @Test
    void shouldStartZeroed() throws Exception {
        assertArrayEquals(new byte[(int) LAYOUT.size()], contents());
    }

    @Test
    void shouldRoundTripAcrossEveryRegionBoundary() throws Exception {
        for (MemoryRegion region : LAYOUT.regions()) {
            if (region.start() == 0) {
                continue;
            }
            byte[] src = pattern(1000, region.index());
            long offset = region.start() - 500;
            store.write(offset, src);
            byte[] dst = new byte[1000];
            store.read(offset, dst);
            assertArrayEquals(src, dst, "across the start of " + region);
        }
    }

    @Test
    void shouldRoundTripTheWholeLayoutThroughEveryApi() throws Exception {
        byte[] src = pattern((int) LAYOUT.size(), 3);
        store.write(0, ByteBuffer.wrap(src));
        assertArrayEquals(src, contents());

        ByteBuffer direct = ByteBuffer.allocateDirect(src.length);
        store.read(0, direct);
        assertEquals(src.length, direct.position());
        direct.flip();
        byte[] viaBuffer = new byte[src.length];
        direct.get(viaBuffer);
        assertArrayEquals(src, viaBuffer);

        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(src.length + 10);
            store.copyTo(5, segment, src.length - 5);
            assertArrayEquals(
                    Arrays.copyOfRange(src, 5, src.length),
                    segment.asSlice(0, src.length - 5)
                            .toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            MemorySegment viaSegment = arena.allocate(100);
            store.read(PAGE - 50, viaSegment);
            assertArrayEquals(
                    Arrays.copyOfRange(src, (int) PAGE - 50, (int) PAGE + 50),
                    viaSegment.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void shouldStreamARangeAcrossRegionsToASinkInOrder() throws Exception {
        byte[] src = pattern((int) LAYOUT.size(), 5);
        store.write(0, src);
        long from = PAGE - 7;
        int len = (int) (2 * PAGE + 20);
        byte[] seen = new byte[len];
        List<Long> offsets = new ArrayList<>();
        store.copyTo(
                from,
                (offset, chunk) -> {
                    offsets.add(offset);
                    MemorySegment.copy(
                            chunk, 0, MemorySegment.ofArray(seen), offset - 1000, chunk.byteSize());
                },
                1000,
                len);
        assertArrayEquals(Arrays.copyOfRange(src, (int) from, (int) from + len), seen);
        assertEquals(List.of(1000L, 1007L, 1007L + 2 * PAGE), offsets); // split at region ends
        assertEquals(1, store.stats().reads());
    }

    @Test
    void countsEveryRejectedHostCallAndNamesTheBadDestination() throws Exception {
        assertThrows(
                java.nio.ReadOnlyBufferException.class,
                () -> store.read(0, ByteBuffer.allocate(8).asReadOnlyBuffer()));
        IllegalArgumentException readOnly =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> store.read(16, MemorySegment.ofArray(new byte[8]).asReadOnly()));
        assertEquals(
                "read offset=16 len=8: the destination segment is read-only",
                readOnly.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> store.copyTo(0, MemorySegment.ofArray(new byte[8]).asReadOnly(), 8));
        IndexOutOfBoundsException slice =
                assertThrows(
                        IndexOutOfBoundsException.class, () -> store.read(0, new byte[4], 3, 2));
        assertEquals(
                "read offset=0: array slice index=3 len=2 is outside the array of length=4",
                slice.getMessage());
        assertEquals(4, store.stats().errors());
        assertEquals(0, store.stats().reads());
    }

    @Test
    void findsNoLayerOrTensorForANullName() {
        assertNull(store.layer((String) null));
        assertNull(store.tensor(null));
    }

    @Test
    void shouldWriteFromArraySliceAndSegment() throws Exception {
        byte[] src = pattern(300, 9);
        store.write(10, src, 100, 50);
        store.write(3 * PAGE + 7, MemorySegment.ofArray(src));
        byte[] dst = new byte[50];
        store.read(10, dst);
        assertArrayEquals(Arrays.copyOfRange(src, 100, 150), dst);
        byte[] dst2 = new byte[300];
        store.read(3 * PAGE + 7, dst2, 0, 300);
        assertArrayEquals(src, dst2);
    }

    @Test
    void shouldAcceptEmptyRangesUpToTheEnd() throws Exception {
        store.write(LAYOUT.size(), new byte[0]);
        store.read(LAYOUT.size(), new byte[0]);
        store.read(0, new byte[0]);
    }

    @Test
    void rejectsReadsOutsideTheLayoutWithTheValuesAndChangesNothing() throws Exception {
        byte[] dst = pattern(16, 1);
        byte[] before = dst.clone();
        IndexOutOfBoundsException e =
                assertThrows(
                        IndexOutOfBoundsException.class, () -> store.read(LAYOUT.size() - 8, dst));
        assertEquals(
                "read offset=262136 len=16 exceeds layout size=262144 (region \"c\", 64 KiB)",
                e.getMessage());
        assertArrayEquals(before, dst);
        assertEquals(1, store.stats().errors());
        assertEquals(0, store.stats().reads());
    }

    @Test
    void rejectsUnsignedHugeOffsetsWithTheUnsignedValue() {
        IndexOutOfBoundsException e =
                assertThrows(IndexOutOfBoundsException.class, () -> store.read(-1L, new byte[1]));
        assertTrue(
                e.getMessage()
                        .startsWith(
                                "read offset=18446744073709551615 len=1 exceeds layout size=262144"),
                e.getMessage());
        IndexOutOfBoundsException overflow =
                assertThrows(
                        IndexOutOfBoundsException.class,
                        () -> store.copyTo(Long.MAX_VALUE, MemorySegment.ofArray(new byte[2]), 2));
        assertTrue(
                overflow.getMessage().contains("offset=9223372036854775807 len=2"),
                overflow.getMessage());
    }

    @Test
    void rejectsWritesOutsideTheLayoutAndChangesNothing() throws Exception {
        byte[] before = contents();
        assertThrows(
                IndexOutOfBoundsException.class, () -> store.write(LAYOUT.size() - 1, new byte[2]));
        assertThrows(
                IndexOutOfBoundsException.class, () -> store.write(LAYOUT.size() + 1, new byte[0]));
        assertThrows(
                IndexOutOfBoundsException.class, () -> store.write(Long.MIN_VALUE, new byte[1]));
        assertThrows(IndexOutOfBoundsException.class, () -> store.write(0, new byte[4], 2, 3));
        assertArrayEquals(before, contents());
        assertEquals(4, store.stats().errors()); // the bad array slice counts too
    }

    @Test
    void rejectsCopyToLongerThanItsDestination() {
        IndexOutOfBoundsException e =
                assertThrows(
                        IndexOutOfBoundsException.class,
                        () -> store.copyTo(0, MemorySegment.ofArray(new byte[4]), 5));
        assertEquals("copyTo offset=0 len=5 exceeds the destination size=4", e.getMessage());
        assertThrows(
                IndexOutOfBoundsException.class,
                () -> store.copyTo(0, MemorySegment.ofArray(new byte[4]), -1));
    }

    @Test
    void shouldCountReadsWritesAndBytes() throws Exception {
        store.write(0, new byte[100]);
        store.write(PAGE, new byte[28]);
        store.read(0, new byte[10]);
        assertEquals(new Memory64Stats(1, 2, 10, 128, 0), store.stats());
    }

    @Test
    void failsEveryAccessAfterCloseWithClosedException() throws Exception {
        store.write(0, new byte[] {1});
        store.close();
        store.close();
        assertTrue(store.isClosed());
        StoreClosedException e =
                assertThrows(StoreClosedException.class, () -> store.read(0, new byte[1]));
        assertTrue(e.getMessage().contains("is closed"), e.getMessage());
        assertTrue(e.getMessage().startsWith("read offset=0 len=1: store \""), e.getMessage());
        assertThrows(StoreClosedException.class, () -> store.write(0, new byte[1]));
        assertThrows(
                StoreClosedException.class,
                () -> store.copyTo(0, MemorySegment.ofArray(new byte[1]), 1));
    }

    @Test
    void shouldRegisterAndFindLayers() {
        store.registerLayer(0, "embeddings", 0, 100);
        store.registerLayers(
                List.of(
                        new Layer(2, "blk.1", "block", 2 * PAGE, PAGE),
                        new Layer(1, "blk.0", "block", PAGE - 10, PAGE + 10)));
        assertEquals(List.of(0, 1, 2), store.layers().stream().map(Layer::id).toList());
        assertEquals(PAGE - 10, store.layer(1).offset());
        assertEquals(1, store.layer("blk.0").id());
        assertNull(store.layer(3));
        assertNull(store.layer(-1));
        assertNull(store.layer("nope"));
        assertEquals("embeddings", store.layer("embeddings").kind());
    }

    @Test
    void shouldFindSparseLayerIds() {
        store.registerLayer(1_000_000, "far", 0, 10);
        store.registerLayer(7, "near", 10, 10);
        store.registerLayer(Integer.MAX_VALUE, "last", 20, 10);
        assertEquals("far", store.layer(1_000_000).name());
        assertEquals("near", store.layer(7).name());
        assertEquals("last", store.layer(Integer.MAX_VALUE).name());
        assertNull(store.layer(1_000_001));
        assertNull(store.layer(0));
    }

    @Test
    void rejectsADuplicateLayerIdAndRegistersNothingOfTheBatch() {
        store.registerLayer(4, "first", 0, 10);
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                store.registerLayers(
                                        List.of(
                                                new Layer(5, "fine", "k", 0, 10),
                                                new Layer(4, "again", "k", 0, 10))));
        assertEquals(
                "registerLayer id=4 (\"again\"): the id is already registered to \"first\"",
                e.getMessage());
        assertNull(store.layer(5));
        assertEquals(1, store.layers().size());
    }

    @Test
    void rejectsALayerOutsideTheLayout() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> store.registerLayer(0, "x", LAYOUT.size() - 10, 11));
        assertEquals(
                "registerLayer id=0 (\"x\") offset=262134 size=11 exceeds layout size=262144 (256 KiB)",
                e.getMessage());
    }

    @Test
    void rejectsLayersOutsideTheLayoutOrBreakingTheRules() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> store.registerLayer(0, "huge", 0, Integer.MAX_VALUE + 1L));
        assertTrue(
                e.getMessage().contains("size=2147483648 exceeds layout size=262144"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> store.registerLayer(-1, "neg", 0, 1));
        assertThrows(IllegalArgumentException.class, () -> store.registerLayer(0, "zero", 0, 0));
        IllegalArgumentException negative =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> store.registerLayer(0, "neg-off", -5, 1));
        assertEquals(
                "layer id=0 (\"neg-off\"): extent offset=18446744073709551611 size=1: the offset"
                        + " must be below 2^63, the size positive, and their sum must not overflow",
                negative.getMessage());
        assertTrue(store.layers().isEmpty());
    }

    @Test
    void shouldRegisterTensorsInsideTheirLayer() {
        store.registerLayers(
                List.of(new Layer(0, "blk.0", "block", 0, 1000)),
                List.of(new TensorInfo("blk.0.w", 0, 100, 800, 0, List.of(200L))));
        assertEquals(100, store.tensor("blk.0.w").offsetInLayer());
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                store.registerLayers(
                                        List.of(),
                                        List.of(
                                                new TensorInfo(
                                                        "blk.0.x", 0, 900, 101, 0, List.of(1L)))));
        assertEquals(
                "registerTensor \"blk.0.x\": offsetInLayer=900 size=101 exceeds layer id=0 (\"blk.0\") size=1000",
                e.getMessage());
    }

    /** Offsets and lengths that hit the edges of the layout and of unsigned arithmetic often. */
    static Gen<Long> edgy(long size) {
        Gen<Long> near =
                SourceDSL.integers()
                        .between(-3, 3)
                        .zip(
                                Generate.pick(
                                        List.of(
                                                0L,
                                                PAGE,
                                                3 * PAGE,
                                                size,
                                                size / 2,
                                                Long.MAX_VALUE,
                                                -1L,
                                                Long.MIN_VALUE)),
                                (d, base) -> base + d);
        return Generate.frequency(
                org.quicktheories.api.Pair.of(3, near),
                org.quicktheories.api.Pair.of(3, SourceDSL.longs().between(0, size + 10)),
                org.quicktheories.api.Pair.of(1, SourceDSL.longs().all()));
    }

    @Test
    void anyRangeEitherRoundTripsExactlyOrIsRejectedChangingNothing() throws Exception {
        long size = LAYOUT.size();
        byte[] base = pattern((int) size, 5);
        store.write(0, base);
        qt().withExamples(1000)
                .withFixedSeed(64)
                .forAll(edgy(size), SourceDSL.integers().between(0, 3000))
                .checkAssert(
                        (offset, len) -> {
                            byte[] src = pattern(len, (int) (offset & 0xff));
                            boolean fits = offset >= 0 && offset <= size && len <= size - offset;
                            try {
                                store.write(offset, src);
                                byte[] back = new byte[len];
                                store.read(offset, back);
                                assertTrue(fits, "accepted offset=" + offset + " len=" + len);
                                assertArrayEquals(src, back);
                                store.write(offset, base, (int) (long) offset, len);
                            } catch (IndexOutOfBoundsException e) {
                                assertTrue(!fits, "rejected offset=" + offset + " len=" + len);
                                assertTrue(
                                        e.getMessage()
                                                .contains(
                                                        "offset=" + Long.toUnsignedString(offset)),
                                        e.getMessage());
                            } catch (Memory64Exception e) {
                                throw new AssertionError(e);
                            }
                            try {
                                assertArrayEquals(base, contents());
                            } catch (Memory64Exception e) {
                                throw new AssertionError(e);
                            }
                        });
    }

    @Test
    void shouldStayIndependentOfTheArenaOfAnotherStore() throws Exception {
        Memory64Store other = open(LAYOUT, dir.resolve("."));
        other.write(0, new byte[] {42});
        other.close();
        store.write(0, new byte[] {7});
        byte[] b = new byte[1];
        store.read(0, b);
        assertEquals(7, b[0]);
        assertSame(LAYOUT, store.layout());
    }
}
