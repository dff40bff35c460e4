package dev.memory64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The one walk: layout ranges and layers' extents as (region, local offset, length) pieces. */
class RegionWalkerTest {

    private static final long PAGE = MemoryRegion.PAGE_SIZE;

    private Arena arena;
    private Region[] regions;
    private RegionWalker walker;

    /** A piece as the walk yields it: region index, local offset, length, position in the walk. */
    private record Piece(int region, long local, long len, long at) {}

    @BeforeEach
    void setUp() throws Exception {
        MemoryLayout layout =
                MemoryLayout.builder()
                        .addRegion("a", PAGE)
                        .addRegion("b", 2 * PAGE)
                        .addRegion("c", PAGE)
                        .build();
        arena = Arena.ofShared();
        RegionBacking[] backings = new RegionBacking[layout.regionCount()];
        Arrays.fill(backings, RegionBacking.allocated());
        regions = Region.openAll(arena, layout, backings);
        walker = new RegionWalker(layout, regions);
    }

    @AfterEach
    void tearDown() {
        arena.close();
    }

    private List<Piece> walk(List<Layer.Extent> extents, long from, long len, long at) {
        List<Piece> pieces = new ArrayList<>();
        walker.walk(
                extents,
                from,
                len,
                (into, r, local, n, pieceAt) ->
                        into.add(new Piece(r.spec.index(), local, n, pieceAt)),
                pieces,
                at);
        return pieces;
    }

    @Test
    void shouldCutALayoutRangeAtRegionBoundaries() {
        assertEquals(
                List.of(
                        new Piece(0, PAGE - 10, 10, 7),
                        new Piece(1, 0, 2 * PAGE, 17),
                        new Piece(2, 0, 5, 17 + 2 * PAGE)),
                walk(walker.whole, PAGE - 10, 15 + 2 * PAGE, 7));
    }

    @Test
    void shouldWalkALayersExtentsInTheGuestsOrder() {
        // The layer's bytes: 50 at the start of c, then 2 pages from 10 bytes into a.
        List<Layer.Extent> extents =
                List.of(new Layer.Extent(3 * PAGE, 50), new Layer.Extent(10, 2 * PAGE));
        assertEquals(
                List.of(
                        new Piece(2, 20, 30, 0),
                        new Piece(0, 10, PAGE - 10, 30),
                        new Piece(1, 0, 40, 20 + PAGE)),
                walk(extents, 20, 30 + PAGE + 30, 0));
        assertEquals(List.of(new Piece(1, 5, 7, 0)), walk(extents, 50 + PAGE + 5 - 10, 7, 0));
    }

    @Test
    void shouldYieldNothingForAnEmptyRange() {
        assertEquals(List.of(), walk(walker.whole, 4 * PAGE, 0, 0));
        assertEquals(
                List.of(),
                walk(List.of(new Layer.Extent(0, 8), new Layer.Extent(99, 8)), 16, 0, 0));
    }

    @Test
    void shouldNameTheFailedPieceAndItsSpan() {
        List<Layer.Extent> extents =
                List.of(new Layer.Extent(PAGE - 4, 8), new Layer.Extent(3 * PAGE, 16));
        RegionWalker.Failure f =
                assertThrows(
                        RegionWalker.Failure.class,
                        () ->
                                walker.walk(
                                        extents,
                                        0,
                                        24,
                                        (Void unused, Region r, long local, long n, long at) -> {
                                            if (r.spec.index() == 1) {
                                                throw new RegionWalker.Failure(r, at);
                                            }
                                        }));
        assertSame(regions[1], f.region);
        assertEquals(4, f.at);
        assertEquals(PAGE - 4, f.offset);
        assertEquals(8, f.len);
    }

    @Test
    void shouldCoverEveryByteOfAnyRangeOnceAndInOrder() {
        List<Layer.Extent> extents =
                List.of(
                        new Layer.Extent(3 * PAGE + 100, 300),
                        new Layer.Extent(PAGE - 50, PAGE + 100),
                        new Layer.Extent(7, 60));
        long total = 300 + PAGE + 100 + 60;
        qt().forAll(
                        integers().between(0, (int) total),
                        integers().between(0, (int) total),
                        integers().between(0, 1000))
                .checkAssert(
                        (from, seed, at) -> {
                            // Any length that fits after from: no assumption to reject cases.
                            long len = seed % (total - from + 1);
                            long expected = at;
                            long covered = 0;
                            for (Piece p : walk(extents, from, len, at)) {
                                Region r = regions[p.region()];
                                assertEquals(expected, p.at());
                                assertTrue(p.len() > 0 && p.local() + p.len() <= r.size);
                                assertEquals(
                                        layoutOffset(extents, from + p.at() - at),
                                        r.start + p.local());
                                expected += p.len();
                                covered += p.len();
                            }
                            assertEquals(len, covered);
                        });
    }

    /** Where byte {@code k} of the extents' logical sequence lies in the layout. */
    private static long layoutOffset(List<Layer.Extent> extents, long k) {
        for (Layer.Extent e : extents) {
            if (k < e.size()) {
                return e.offset() + k;
            }
            k -= e.size();
        }
        throw new AssertionError("past the extents: " + k);
    }
}
