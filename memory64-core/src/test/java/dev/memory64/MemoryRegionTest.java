package dev.memory64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

class MemoryRegionTest {

    private static final long PAGE = MemoryRegion.PAGE_SIZE;
    private static final long TIB_16 = MemoryRegion.MAX_SIZE;

    private static BigInteger unsigned(long value) {
        return new BigInteger(Long.toUnsignedString(value));
    }

    private static IllegalArgumentException rejected(long start, long size) {
        return assertThrows(
                IllegalArgumentException.class,
                () -> new MemoryRegion(0, "layers", "weights", start, size));
    }

    // ---- the constants

    @Test
    void pageIs64KibAndTheRegionLimitIs16Tib() {
        assertEquals(65_536, MemoryRegion.PAGE_SIZE);
        assertEquals(17_592_186_044_416L, MemoryRegion.MAX_SIZE);
    }

    // ---- validation

    @Test
    void acceptsOnePageAndExactly16Tib() {
        assertEquals(PAGE, new MemoryRegion(0, "a", "p", 0, PAGE).size());
        assertEquals(TIB_16, new MemoryRegion(0, "a", "p", 0, TIB_16).size());
    }

    @Test
    void rejectsSizeZeroNamingTheRegion() {
        assertEquals("region \"layers\": size is 0", rejected(0, 0).getMessage());
    }

    @Test
    void rejectsSizeOneByteShortOfAPageNamingTheSizeAndThePage() {
        assertEquals(
                "region \"layers\": size=65535 is not a multiple of the 64 KiB Wasm page (65536"
                        + " bytes)",
                rejected(0, PAGE - 1).getMessage());
        assertEquals(
                "region \"layers\": size=131073 is not a multiple of the 64 KiB Wasm page (65536"
                        + " bytes)",
                rejected(0, 2 * PAGE + 1).getMessage());
    }

    @Test
    void rejectsOnePagePast16TibNamingTheSizeAndTheLimit() {
        assertEquals(
                "region \"layers\": size=17592186109952 exceeds the 16 TiB region limit"
                        + " (17592186044416 bytes)",
                rejected(0, TIB_16 + PAGE).getMessage());
    }

    @Test
    void rejectsAnUnsignedHugeSizeShowingItInUnsignedDecimal() {
        // -1L is 2^64-1, not minus one
        assertEquals(
                "region \"layers\": size=18446744073709551615 exceeds the 16 TiB region limit"
                        + " (17592186044416 bytes)",
                rejected(0, -1L).getMessage());
        // 2^63 is a multiple of the page: only the limit stops it
        assertEquals(
                "region \"layers\": size=9223372036854775808 exceeds the 16 TiB region limit"
                        + " (17592186044416 bytes)",
                rejected(0, Long.MIN_VALUE).getMessage());
    }

    @Test
    void rejectsAStartFromTwoToThe63ShowingItInUnsignedDecimal() {
        assertEquals(
                "region \"layers\": start=18446744073709486080 exceeds Long.MAX_VALUE="
                        + "9223372036854775807, the largest size of a MemorySegment",
                rejected(-PAGE, PAGE).getMessage());
    }

    @Test
    void rejectsAnEndPastLongMaxValueNamingStartSizeAndLimit() {
        long start = Long.MAX_VALUE - PAGE + 2; // end would be 2^63 + 1
        assertEquals(
                "region \"layers\": start="
                        + start
                        + " + size=65536 exceeds Long.MAX_VALUE=9223372036854775807,"
                        + " the largest size of a MemorySegment",
                rejected(start, PAGE).getMessage());
    }

    @Test
    void acceptsARegionEndingExactlyAtLongMaxValue() {
        MemoryRegion last = new MemoryRegion(0, "last", "p", Long.MAX_VALUE - PAGE, PAGE);
        assertEquals(Long.MAX_VALUE, last.end());
        assertTrue(last.contains(Long.MAX_VALUE - 1));
        assertFalse(last.contains(Long.MAX_VALUE));
        assertFalse(last.contains(Long.MIN_VALUE));
        assertEquals(PAGE - 1, last.localOffset(Long.MAX_VALUE - 1));
    }

    @Test
    void rejectsAnEndOneBytePastLongMaxValue() {
        IllegalArgumentException e = rejected(Long.MAX_VALUE - PAGE + 1, PAGE);
        assertTrue(
                e.getMessage().contains("start=9223372036854710272 + size=65536"), e.getMessage());
    }

    @Test
    void rejectsABlankNameNamingTheIndex() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> new MemoryRegion(3, " \t", "p", 0, PAGE));
        assertEquals("region 3: name is blank", e.getMessage());
    }

    @Test
    void rejectsANegativeIndexNamingTheRegionAndTheIndex() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> new MemoryRegion(-1, "emb", "p", 0, PAGE));
        assertEquals("region \"emb\": index=-1 is negative", e.getMessage());
    }

    @Test
    void rejectsANullNameOrPurposeSayingWhichIsNull() {
        NullPointerException name =
                assertThrows(
                        NullPointerException.class, () -> new MemoryRegion(0, null, "p", 0, PAGE));
        assertEquals("name", name.getMessage());
        NullPointerException purpose =
                assertThrows(
                        NullPointerException.class, () -> new MemoryRegion(0, "a", null, 0, PAGE));
        assertEquals("purpose", purpose.getMessage());
    }

    // ---- contains and localOffset

    @Test
    void containsItsStartAndLastByteButNotItsEnd() {
        MemoryRegion region = new MemoryRegion(1, "l0-15", "layers", 2 * PAGE, 3 * PAGE);
        assertEquals(5 * PAGE, region.end());
        assertFalse(region.contains(2 * PAGE - 1));
        assertTrue(region.contains(2 * PAGE));
        assertTrue(region.contains(5 * PAGE - 1));
        assertFalse(region.contains(5 * PAGE));
    }

    @Test
    void convertsItsStartAndLastByteToLocalOffsets() {
        MemoryRegion region = new MemoryRegion(1, "l0-15", "layers", 2 * PAGE, 3 * PAGE);
        assertEquals(0, region.localOffset(2 * PAGE));
        assertEquals(3 * PAGE - 1, region.localOffset(5 * PAGE - 1));
    }

    @Test
    void rejectsLocalOffsetAtTheEndNamingTheOffsetAndTheRange() {
        MemoryRegion region = new MemoryRegion(1, "l0-15", "layers", 2 * PAGE, 3 * PAGE);
        IndexOutOfBoundsException e =
                assertThrows(IndexOutOfBoundsException.class, () -> region.localOffset(5 * PAGE));
        assertEquals(
                "localOffset offset=327680 is outside region \"l0-15\" [131072, 327680)",
                e.getMessage());
        e = assertThrows(IndexOutOfBoundsException.class, () -> region.localOffset(2 * PAGE - 1));
        assertEquals(
                "localOffset offset=131071 is outside region \"l0-15\" [131072, 327680)",
                e.getMessage());
    }

    @Test
    void doesNotContainUnsignedHugeOffsets() {
        // a region at 0 is where "offset >= start" alone would let every negative long through
        MemoryRegion first = new MemoryRegion(0, "emb", "embeddings", 0, TIB_16);
        for (long huge : new long[] {-1L, Long.MIN_VALUE, -PAGE, Long.MIN_VALUE + 1}) {
            assertFalse(first.contains(huge), Long.toUnsignedString(huge));
            IndexOutOfBoundsException e =
                    assertThrows(IndexOutOfBoundsException.class, () -> first.localOffset(huge));
            assertEquals(
                    "localOffset offset="
                            + Long.toUnsignedString(huge)
                            + " is outside region \"emb\" [0, 17592186044416)",
                    e.getMessage());
        }
    }

    // ---- record behaviour

    @Test
    void isAValueComparedByAllItsComponents() {
        MemoryRegion region = new MemoryRegion(0, "a", "p", 0, PAGE);
        assertEquals(new MemoryRegion(0, "a", "p", 0, PAGE), region);
        assertEquals(new MemoryRegion(0, "a", "p", 0, PAGE).hashCode(), region.hashCode());
        assertFalse(region.equals(new MemoryRegion(1, "a", "p", 0, PAGE)));
        assertFalse(region.equals(new MemoryRegion(0, "b", "p", 0, PAGE)));
        assertFalse(region.equals(new MemoryRegion(0, "a", "q", 0, PAGE)));
        assertFalse(region.equals(new MemoryRegion(0, "a", "p", PAGE, PAGE)));
        assertFalse(region.equals(new MemoryRegion(0, "a", "p", 0, 2 * PAGE)));
    }

    @Test
    void describesItselfWithNamePurposeRangeAndSize() {
        MemoryRegion region = new MemoryRegion(2, "l16-31", "layers", 22L << 30, 20L << 30);
        assertEquals(
                "region 2 \"l16-31\" (layers) [23622320128, 45097156608) 20 GiB",
                region.toString());
    }

    // ---- properties

    /** Region sizes, weighted towards the rule edges: 0, the page, 16 TiB, 2^63, 2^64-1. */
    private static Gen<Long> sizes() {
        Gen<Long> pages = longs().between(0, TIB_16 / PAGE + 2);
        return Generate.frequency(
                List.of(
                        Pair.of(5, Unsigned64Generators.unsigned64()),
                        Pair.of(3, pages.map(n -> n * PAGE)),
                        Pair.of(2, pages.zip(longs().between(-1, 1), (n, d) -> n * PAGE + d))));
    }

    @Test
    void acceptsExactlyTheNonZeroPageMultiplesUpTo16Tib() {
        qt().withExamples(5_000)
                .withShrinkCycles(200)
                .forAll(sizes())
                .checkAssert(
                        size -> {
                            boolean valid =
                                    size != 0
                                            && Long.compareUnsigned(size, TIB_16) <= 0
                                            && Long.remainderUnsigned(size, PAGE) == 0;
                            if (valid) {
                                MemoryRegion region = new MemoryRegion(0, "r", "p", 0, size);
                                assertEquals(size, region.size());
                                assertEquals(size, region.end());
                            } else {
                                IllegalArgumentException e = rejected(0, size);
                                String expected =
                                        size == 0 ? "size is 0" : "size=" + unsigned(size) + " ";
                                assertTrue(
                                        e.getMessage().startsWith("region \"layers\": " + expected),
                                        e.getMessage());
                            }
                        });
    }

    @Test
    void acceptsExactlyTheStartsWhoseEndFitsInLongMaxValue() {
        Gen<Long> nearLongMaxValue =
                longs().between(-(2 * TIB_16), 0).map(below -> Long.MAX_VALUE + below);
        Gen<Long> starts =
                Generate.frequency(
                        List.of(
                                Pair.of(1, Unsigned64Generators.unsigned64()),
                                Pair.of(1, nearLongMaxValue)));
        Gen<Long> validSizes = longs().between(1, TIB_16 / PAGE).map(pages -> pages * PAGE);
        qt().withExamples(5_000)
                .withShrinkCycles(200)
                .forAll(starts, validSizes)
                .checkAssert(
                        (start, size) -> {
                            BigInteger end = unsigned(start).add(unsigned(size));
                            boolean valid =
                                    start >= 0
                                            && end.compareTo(BigInteger.valueOf(Long.MAX_VALUE))
                                                    <= 0;
                            if (valid) {
                                MemoryRegion region = new MemoryRegion(0, "r", "p", start, size);
                                assertEquals(end.longValueExact(), region.end());
                            } else {
                                IllegalArgumentException e = rejected(start, size);
                                assertTrue(
                                        e.getMessage().contains("start=" + unsigned(start)),
                                        e.getMessage());
                                assertTrue(
                                        e.getMessage().contains("Long.MAX_VALUE=" + Long.MAX_VALUE),
                                        e.getMessage());
                            }
                        });
    }

    @Test
    void containsExactlyTheOffsetsFromStartToEndAndConvertsThem() {
        Gen<MemoryRegion> regions =
                Generate.frequency(
                                List.of(
                                        Pair.of(2, longs().between(0, Long.MAX_VALUE - TIB_16)),
                                        Pair.of(
                                                1,
                                                Generate.pick(
                                                        List.of(0L, Long.MAX_VALUE - TIB_16)))))
                        .zip(
                                longs().between(1, TIB_16 / PAGE),
                                (start, pages) ->
                                        new MemoryRegion(0, "r", "p", start, pages * PAGE));
        Gen<Long> deltas = Unsigned64Generators.unsigned64();
        // the offset is start + delta (mod 2^64): near the start, near the end, or anywhere
        qt().withExamples(5_000)
                .withShrinkCycles(200)
                .forAll(regions, deltas, Generate.pick(List.of(0, 1, 2)))
                .checkAssert(
                        (region, delta, anchor) -> {
                            long offset =
                                    switch (anchor) {
                                        case 0 -> region.start() + delta;
                                        case 1 -> region.end() + delta;
                                        default -> delta;
                                    };
                            BigInteger o = unsigned(offset);
                            boolean inside =
                                    o.compareTo(unsigned(region.start())) >= 0
                                            && o.compareTo(unsigned(region.end())) < 0;
                            assertEquals(inside, region.contains(offset));
                            if (inside) {
                                assertEquals(
                                        o.subtract(unsigned(region.start())).longValueExact(),
                                        region.localOffset(offset));
                            } else {
                                IndexOutOfBoundsException e =
                                        assertThrows(
                                                IndexOutOfBoundsException.class,
                                                () -> region.localOffset(offset));
                                assertTrue(
                                        e.getMessage().startsWith("localOffset offset=" + o + " "),
                                        e.getMessage());
                            }
                        });
    }
}
