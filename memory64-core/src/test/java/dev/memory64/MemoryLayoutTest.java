package dev.memory64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.memory64.internal.Bytes;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

class MemoryLayoutTest {

    private static final long GIB = MemoryLayout.GIB;
    private static final long PAGE = MemoryRegion.PAGE_SIZE;
    private static final long TIB_16 = MemoryRegion.MAX_SIZE;

    private static MemoryLayout seventyB() {
        return MemoryLayout.multi(
                Map.entry("emb", 2L), Map.entry("l0-15", 20L), Map.entry("l16-31", 20L));
    }

    private static void assertRegion(
            MemoryRegion region, int index, String name, String purpose, long start, long size) {
        assertEquals(new MemoryRegion(index, name, purpose, start, size), region);
    }

    // ---- the origin design's sample layouts

    @Test
    void holdsA7bModelInOneEightGibRegion() {
        MemoryLayout layout = MemoryLayout.single(8, "weights");
        assertEquals(1, layout.regionCount());
        assertRegion(layout.region(0), 0, "main", "weights", 0, 8 * GIB);
        assertEquals(8 * GIB, layout.size());
        assertSame(layout.region(0), layout.findRegion(0));
        assertSame(layout.region(0), layout.findRegion(8 * GIB - 1));
        IndexOutOfBoundsException e =
                assertThrows(IndexOutOfBoundsException.class, () -> layout.findRegion(8 * GIB));
        assertEquals(
                "findRegion offset=8589934592 is at or past the layout size=8589934592 (8 GiB)",
                e.getMessage());
    }

    @Test
    void holdsA70bModelInThreeRegionsLaidEndToEnd() {
        MemoryLayout layout = seventyB();
        assertEquals(3, layout.regionCount());
        assertRegion(layout.region(0), 0, "emb", "layers", 0, 2 * GIB);
        assertRegion(layout.region(1), 1, "l0-15", "layers", 2 * GIB, 20 * GIB);
        assertRegion(layout.region(2), 2, "l16-31", "layers", 22 * GIB, 20 * GIB);
        assertEquals(42 * GIB, layout.size());

        assertEquals("emb", layout.findRegion(2 * GIB - 1).name());
        assertEquals("l0-15", layout.findRegion(2 * GIB).name());
        assertEquals("l0-15", layout.findRegion(22 * GIB - 1).name());
        assertEquals("l16-31", layout.findRegion(22 * GIB).name());
        assertEquals("l16-31", layout.findRegion(42 * GIB - 1).name());
        assertEquals(2, layout.regionIndex(42 * GIB - 1));
    }

    @Test
    void holdsA405bModelInFiveRegionsOfFiveAndFourTimesSixtyGib() {
        MemoryLayout layout =
                MemoryLayout.multi(
                        List.of(
                                Map.entry("emb", 5L),
                                Map.entry("l0-31", 60L),
                                Map.entry("l32-63", 60L),
                                Map.entry("l64-95", 60L),
                                Map.entry("l96-125", 60L)));
        assertEquals(5, layout.regionCount());
        assertEquals(245 * GIB, layout.size());
        assertRegion(layout.region(0), 0, "emb", "layers", 0, 5 * GIB);
        for (int i = 1; i < 5; i++) {
            MemoryRegion region = layout.region(i);
            assertEquals((5 + 60L * (i - 1)) * GIB, region.start(), region.toString());
            assertEquals(60 * GIB, region.size(), region.toString());
            assertSame(region, layout.findRegion(region.start()));
            assertSame(region, layout.findRegion(region.end() - 1));
        }
        assertEquals("l96-125", layout.findRegion(245 * GIB - 1).name());
        assertThrows(IndexOutOfBoundsException.class, () -> layout.findRegion(245 * GIB));
    }

    @Test
    void buildsRegionsInBytesWithAGivenOrDefaultPurpose() {
        MemoryLayout layout =
                MemoryLayout.builder()
                        .addRegion("embeddings", 512L << 20, "embeddings")
                        .addRegion("layers", 16L << 30)
                        .build();
        assertRegion(layout.region(0), 0, "embeddings", "embeddings", 0, 512L << 20);
        assertRegion(
                layout.region(1), 1, "layers", MemoryLayout.DEFAULT_PURPOSE, 512L << 20, 16 * GIB);
        assertEquals("layers", MemoryLayout.DEFAULT_PURPOSE);
        assertEquals((512L << 20) + 16 * GIB, layout.size());
    }

    // ---- validation

    @Test
    void rejectsABuilderWithNoRegions() {
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> MemoryLayout.builder().build());
        assertEquals("a layout needs at least one region", e.getMessage());
    }

    @Test
    void rejectsMultiWithNoEntries() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> MemoryLayout.multi());
        assertEquals("multi: a layout needs at least one region", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MemoryLayout.multi(List.of()));
        assertEquals("multi: a layout needs at least one region", e.getMessage());
    }

    @Test
    void rejectsADuplicateNameNamingIt() {
        MemoryLayout.Builder builder = MemoryLayout.builder().addRegion("emb", PAGE);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> builder.addRegion("emb", PAGE));
        assertEquals("region \"emb\": the name is already used in this layout", e.getMessage());

        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                MemoryLayout.multi(
                                        Map.entry("l0", 1L),
                                        Map.entry("l1", 1L),
                                        Map.entry("l0", 1L)));
        assertEquals("region \"l0\": the name is already used in this layout", e.getMessage());
    }

    @Test
    void rejectsARegionOnePagePast16Tib() {
        MemoryLayout.Builder builder = MemoryLayout.builder();
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> builder.addRegion("huge", TIB_16 + PAGE));
        assertEquals(
                "region \"huge\": size=17592186109952 exceeds the 16 TiB region limit"
                        + " (17592186044416 bytes)",
                e.getMessage());
        assertEquals(TIB_16, builder.addRegion("huge", TIB_16).build().size());
    }

    @Test
    void acceptsSingleUpTo16384GibAndRejects16385() {
        assertEquals(TIB_16, MemoryLayout.single(16_384, "weights").size());
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> MemoryLayout.single(16_385, "weights"));
        assertEquals(
                "region \"main\": size=17593259786240 exceeds the 16 TiB region limit"
                        + " (17592186044416 bytes)",
                e.getMessage());
    }

    @Test
    void rejectsASizeOneByteShortOfAPage() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> MemoryLayout.builder().addRegion("emb", PAGE - 1));
        assertEquals(
                "region \"emb\": size=65535 is not a multiple of the 64 KiB Wasm page (65536"
                        + " bytes)",
                e.getMessage());
    }

    @Test
    void rejectsSizeZeroInBytesAndInGib() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> MemoryLayout.builder().addRegion("emb", 0));
        assertEquals("region \"emb\": size is 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MemoryLayout.single(0, "weights"));
        assertEquals("region \"main\": size is 0", e.getMessage());
    }

    @Test
    void rejectsAGibSizeWhoseByteCountOverflowsShowingItInUnsignedDecimal() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> MemoryLayout.single(-1L, "w"));
        assertEquals(
                "region \"main\": size=18446744073709551615 GiB overflows 64 bits in bytes"
                        + " (unsigned 64-bit overflow: 18446744073709551615 * 1073741824)",
                e.getMessage());
        assertTrue(e.getCause() instanceof ArithmeticException, String.valueOf(e.getCause()));

        // 2^34 GiB is exactly 2^64 bytes
        e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> MemoryLayout.multi(Map.entry("emb", 1L), Map.entry("big", 1L << 34)));
        assertEquals(
                "region \"big\": size=17179869184 GiB overflows 64 bits in bytes"
                        + " (unsigned 64-bit overflow: 17179869184 * 1073741824)",
                e.getMessage());
    }

    @Test
    void rejectsTheOriginDesignsOverflowCase() {
        // the origin design wrapped: a first region of u64::MAX / 2^30 GiB, then one more GiB
        long maxGib = Long.divideUnsigned(Unsigned64.MAX_VALUE, GIB);
        assertEquals(17_179_869_183L, maxGib);
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> MemoryLayout.multi(Map.entry("all", maxGib), Map.entry("one", 1L)));
        // maxGib GiB is 2^64 - 2^30 bytes: it fits in 64 bits, so the region limit stops it
        assertEquals(
                "region \"all\": size=18446744072635809792 exceeds the 16 TiB region limit"
                        + " (17592186044416 bytes)",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MemoryLayout.single(maxGib, "w"));
        assertThrows(
                IllegalArgumentException.class,
                () -> MemoryLayout.builder().addRegion("all", maxGib * GIB).addRegion("one", GIB));
    }

    @Test
    void rejectsTheFirstPagePastLongMaxValueInTotalSayingSo() {
        // Long.MAX_VALUE = 2^63 - 1 holds 2^19 - 1 regions of 16 TiB (2^44) and then 2^28 - 1 pages
        MemoryLayout.Builder builder = MemoryLayout.builder();
        int full = (int) (Long.MAX_VALUE / TIB_16);
        assertEquals((1 << 19) - 1, full);
        for (int i = 0; i < full; i++) {
            builder.addRegion("r" + i, TIB_16);
        }
        long used = full * TIB_16;
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class, () -> builder.addRegion("over", TIB_16));
        assertEquals(
                "region \"over\": layout size "
                        + used
                        + " + size=17592186044416 exceeds Long.MAX_VALUE=9223372036854775807,"
                        + " the largest size of a MemorySegment",
                e.getMessage());

        builder.addRegion("tail", TIB_16 - PAGE);
        e = assertThrows(IllegalArgumentException.class, () -> builder.addRegion("over", PAGE));
        assertEquals(
                "region \"over\": layout size 9223372036854710272 + size=65536 exceeds"
                        + " Long.MAX_VALUE=9223372036854775807, the largest size of a MemorySegment",
                e.getMessage());

        // the rejected regions left the builder as it was
        MemoryLayout layout = builder.build();
        assertEquals(full + 1, layout.regionCount());
        assertEquals(Long.MAX_VALUE - PAGE + 1, layout.size());
        assertEquals("tail", layout.findRegion(Long.MAX_VALUE - PAGE).name());
        assertEquals("r0", layout.findRegion(0).name());
        assertEquals("r" + (full / 2), layout.findRegion((full / 2) * TIB_16 + 7).name());
        IndexOutOfBoundsException out =
                assertThrows(
                        IndexOutOfBoundsException.class,
                        () -> layout.findRegion(Long.MAX_VALUE - PAGE + 1));
        assertEquals(
                "findRegion offset=9223372036854710272 is at or past the layout"
                        + " size=9223372036854710272 (8.0 EiB)",
                out.getMessage());
    }

    @Test
    void leavesTheBuilderUnchangedWhenARegionIsRejected() {
        MemoryLayout.Builder builder = MemoryLayout.builder().addRegion("emb", 2 * GIB);
        assertThrows(IllegalArgumentException.class, () -> builder.addRegion("emb", GIB));
        assertThrows(IllegalArgumentException.class, () -> builder.addRegion("bad", PAGE + 1));
        assertThrows(IllegalArgumentException.class, () -> builder.addRegion(" ", PAGE));
        assertThrows(NullPointerException.class, () -> builder.addRegion(null, PAGE));
        assertThrows(NullPointerException.class, () -> builder.addRegion("p", PAGE, null));
        MemoryLayout layout = builder.addRegion("bad", GIB).build();
        assertEquals(
                MemoryLayout.builder().addRegion("emb", 2 * GIB).addRegion("bad", GIB).build(),
                layout);
    }

    @Test
    void rejectsABlankNameNamingTheRegionsIndex() {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () -> MemoryLayout.builder().addRegion("emb", PAGE).addRegion("", PAGE));
        assertEquals("region 1: name is blank", e.getMessage());
    }

    // ---- lookups

    @Test
    void rejectsOffsetsAtOrPastTheEndIncludingUnsignedHugeOnesGivingOffsetAndSize() {
        MemoryLayout layout = seventyB();
        long[] outside = {42 * GIB, 42 * GIB + 1, Long.MAX_VALUE, Long.MIN_VALUE, -1L, -PAGE};
        for (long offset : outside) {
            assertFalse(layout.contains(offset), Long.toUnsignedString(offset));
            IndexOutOfBoundsException e =
                    assertThrows(IndexOutOfBoundsException.class, () -> layout.findRegion(offset));
            assertEquals(
                    "findRegion offset="
                            + Long.toUnsignedString(offset)
                            + " is at or past the layout size=45097156608 (42 GiB)",
                    e.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> layout.regionIndex(offset));
        }
    }

    @Test
    void findsARegionByName() {
        MemoryLayout layout = seventyB();
        assertSame(layout.region(1), layout.region("l0-15"));
        assertSame(layout.region(2), layout.region("l16-31"));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> layout.region("l32-47"));
        assertEquals(
                "no region named \"l32-47\" in MemoryLayout[3 regions, 42 GiB]", e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> layout.region(3));
        assertThrows(IndexOutOfBoundsException.class, () -> layout.region(-1));
    }

    // ---- value behaviour

    @Test
    void equalsALayoutWithTheSameRegionsHoweverBuilt() {
        MemoryLayout byBytes =
                MemoryLayout.builder()
                        .addRegion("emb", 2 * GIB)
                        .addRegion("l0-15", 20 * GIB)
                        .addRegion("l16-31", 20 * GIB, "layers")
                        .build();
        assertEquals(seventyB(), byBytes);
        assertEquals(seventyB().hashCode(), byBytes.hashCode());
        assertEquals(seventyB().regions().hashCode(), byBytes.hashCode());
    }

    @Test
    void differsFromALayoutWithAnyRegionDifferent() {
        MemoryLayout layout = seventyB();
        assertNotEquals(
                layout,
                MemoryLayout.multi(
                        Map.entry("emb", 2L), Map.entry("l0-15", 20L), Map.entry("l16-32", 20L)));
        assertNotEquals(
                layout,
                MemoryLayout.multi(
                        Map.entry("emb", 2L), Map.entry("l0-15", 20L), Map.entry("l16-31", 21L)));
        assertNotEquals(
                layout,
                MemoryLayout.multi(
                        Map.entry("l0-15", 20L), Map.entry("emb", 2L), Map.entry("l16-31", 20L)));
        assertNotEquals(
                layout,
                MemoryLayout.builder()
                        .addRegion("emb", 2 * GIB, "embeddings")
                        .addRegion("l0-15", 20 * GIB)
                        .addRegion("l16-31", 20 * GIB)
                        .build());
        assertNotEquals(layout, MemoryLayout.multi(Map.entry("emb", 2L)));
        assertFalse(layout.equals(null));
        assertFalse(layout.equals(layout.regions()));
    }

    @Test
    void exposesItsRegionsOnlyAsAnUnmodifiableList() {
        MemoryLayout layout = seventyB();
        List<MemoryRegion> regions = layout.regions();
        MemoryRegion extra = new MemoryRegion(3, "extra", "layers", 42 * GIB, PAGE);
        assertThrows(UnsupportedOperationException.class, () -> regions.add(extra));
        assertThrows(UnsupportedOperationException.class, () -> regions.set(0, extra));
        assertThrows(UnsupportedOperationException.class, () -> regions.remove(0));
        assertThrows(UnsupportedOperationException.class, regions::clear);
        assertEquals(seventyB(), layout);
    }

    @Test
    void isNotChangedByAddingToItsBuilderAfterBuild() {
        MemoryLayout.Builder builder = MemoryLayout.builder().addRegion("emb", 2 * GIB);
        MemoryLayout first = builder.build();
        MemoryLayout second = builder.addRegion("layers", 20 * GIB).build();
        assertEquals(1, first.regionCount());
        assertEquals(2 * GIB, first.size());
        assertEquals(1, first.regions().size());
        assertEquals(2, second.regionCount());
        assertEquals(22 * GIB, second.size());
        assertEquals("emb", first.findRegion(2 * GIB - 1).name());
        assertThrows(IndexOutOfBoundsException.class, () -> first.findRegion(2 * GIB));
    }

    @Test
    void describesEveryRegionAndTheTotal() {
        MemoryLayout layout = seventyB();
        String[] lines = layout.describe().split("\\R");
        assertEquals(5, lines.length, layout.describe());
        assertTrue(lines[0].matches("index\\s+name\\s+purpose\\s+start\\s+end\\s+size"), lines[0]);
        assertTrue(lines[1].matches("0\\s+emb\\s+layers\\s+0\\s+2147483648\\s+2 GiB"), lines[1]);
        assertTrue(
                lines[2].matches("1\\s+l0-15\\s+layers\\s+2147483648\\s+23622320128\\s+20 GiB"),
                lines[2]);
        assertTrue(
                lines[3].matches("2\\s+l16-31\\s+layers\\s+23622320128\\s+45097156608\\s+20 GiB"),
                lines[3]);
        assertEquals("total: 3 regions, 42 GiB (45097156608 bytes)", lines[4]);
    }

    @Test
    void describesWithAsciiDigitsWhateverTheDefaultLocale() {
        Locale saved = Locale.getDefault();
        String described;
        try {
            // Arabic (Egypt) formats %d with Arabic-Indic digits
            Locale.setDefault(Locale.forLanguageTag("ar-EG"));
            described = seventyB().describe();
        } finally {
            Locale.setDefault(saved);
        }
        assertEquals(seventyB().describe(), described);
        assertTrue(described.contains("45097156608"), described);
    }

    @Test
    void showsItsRegionCountAndSize() {
        assertEquals("MemoryLayout[3 regions, 42 GiB]", seventyB().toString());
    }

    // ---- properties

    /** Region sizes in bytes: 1 page, 16 TiB, 1 GiB and their neighbours often, any page count. */
    private static Gen<Long> regionSizes() {
        long maxPages = TIB_16 / PAGE;
        Gen<Long> pages =
                Generate.frequency(
                        List.of(
                                Pair.of(
                                        2,
                                        Generate.pick(
                                                List.of(
                                                        1L,
                                                        2L,
                                                        maxPages,
                                                        maxPages - 1,
                                                        GIB / PAGE,
                                                        GIB / PAGE + 1))),
                                Pair.of(2, longs().between(1, 64)),
                                Pair.of(3, longs().between(1, maxPages))));
        return pages.map(n -> n * PAGE);
    }

    private static MemoryLayout build(List<Long> sizes) {
        MemoryLayout.Builder builder = MemoryLayout.builder();
        for (int i = 0; i < sizes.size(); i++) {
            builder.addRegion("r" + i, sizes.get(i), "p" + i);
        }
        return builder.build();
    }

    @Test
    void layoutsAreContiguousDisjointAndFindTheUniqueRegionOfEveryOffset() {
        Gen<List<Long>> sizeLists = lists().of(regionSizes()).ofSizeBetween(1, 20);
        Gen<List<Long>> probes = lists().of(Unsigned64Generators.unsigned64()).ofSizeBetween(0, 20);
        qt().withExamples(2_000)
                .withShrinkCycles(200)
                .forAll(sizeLists, probes)
                .checkAssert(
                        (sizes, randoms) -> {
                            MemoryLayout layout = build(sizes);
                            List<MemoryRegion> regions = layout.regions();

                            // laid end to end from 0, in order, with the given sizes
                            assertEquals(sizes.size(), layout.regionCount());
                            long expectedStart = 0;
                            for (int i = 0; i < regions.size(); i++) {
                                MemoryRegion region = regions.get(i);
                                assertRegion(
                                        region, i, "r" + i, "p" + i, expectedStart, sizes.get(i));
                                assertSame(region, layout.region("r" + i));
                                expectedStart = region.end();
                            }
                            BigInteger total =
                                    sizes.stream()
                                            .map(BigInteger::valueOf)
                                            .reduce(BigInteger.ZERO, BigInteger::add);
                            assertEquals(total.longValueExact(), layout.size());
                            for (int i = 0; i < regions.size(); i++) {
                                for (int j = i + 1; j < regions.size(); j++) {
                                    assertTrue(regions.get(i).end() <= regions.get(j).start());
                                }
                            }

                            // every region's edges, and random offsets folded into range
                            List<Long> inside = new ArrayList<>();
                            for (MemoryRegion region : regions) {
                                inside.add(region.start());
                                inside.add(region.start() + 1);
                                inside.add(region.end() - 1);
                            }
                            for (long random : randoms) {
                                inside.add(Long.remainderUnsigned(random, layout.size()));
                            }
                            for (long offset : inside) {
                                assertFoundUniquely(layout, offset);
                            }

                            // the end and everything past it, up to 2^64 - 1
                            List<Long> outside =
                                    new ArrayList<>(
                                            List.of(
                                                    layout.size(),
                                                    layout.size() + 1,
                                                    Long.MAX_VALUE,
                                                    Long.MIN_VALUE,
                                                    -1L));
                            for (long random : randoms) {
                                long span = -layout.size(); // 2^64 - size offsets lie outside
                                outside.add(layout.size() + Long.remainderUnsigned(random, span));
                            }
                            for (long offset : outside) {
                                assertRejected(layout, offset);
                            }
                        });
    }

    private static void assertFoundUniquely(MemoryLayout layout, long offset) {
        String at = "offset " + Long.toUnsignedString(offset);
        MemoryRegion found = layout.findRegion(offset);
        assertTrue(layout.contains(offset), at);
        assertTrue(found.contains(offset), at);
        assertEquals(found.index(), layout.regionIndex(offset), at);
        assertEquals(offset - found.start(), found.localOffset(offset), at);
        long holders = layout.regions().stream().filter(r -> r.contains(offset)).count();
        assertEquals(1, holders, at);
    }

    private static void assertRejected(MemoryLayout layout, long offset) {
        String at = "offset " + Long.toUnsignedString(offset);
        assertFalse(layout.contains(offset), at);
        IndexOutOfBoundsException e =
                assertThrows(IndexOutOfBoundsException.class, () -> layout.findRegion(offset), at);
        assertEquals(
                "findRegion offset="
                        + Long.toUnsignedString(offset)
                        + " is at or past the layout size="
                        + layout.size()
                        + " ("
                        + Bytes.binary(layout.size())
                        + ")",
                e.getMessage());
        assertTrue(layout.regions().stream().noneMatch(r -> r.contains(offset)), at);
    }

    @Test
    void multiInGibEqualsTheBuilderInBytes() {
        Gen<Long> gib =
                Generate.frequency(
                        List.of(
                                Pair.of(1, Generate.pick(List.of(1L, 2L, 16_383L, 16_384L))),
                                Pair.of(3, longs().between(1, 16_384))));
        qt().withExamples(1_000)
                .withShrinkCycles(200)
                .forAll(lists().of(gib).ofSizeBetween(1, 20))
                .checkAssert(
                        sizes -> {
                            List<Map.Entry<String, Long>> entries = new ArrayList<>();
                            MemoryLayout.Builder builder = MemoryLayout.builder();
                            for (int i = 0; i < sizes.size(); i++) {
                                entries.add(Map.entry("r" + i, sizes.get(i)));
                                builder.addRegion("r" + i, sizes.get(i) * GIB);
                            }
                            assertEquals(builder.build(), MemoryLayout.multi(entries));
                        });
    }

    @Test
    void singleAcceptsExactlyOneTo16384Gib() {
        Gen<Long> gib =
                Generate.frequency(
                        List.of(
                                Pair.of(3, Unsigned64Generators.unsigned64()),
                                Pair.of(2, longs().between(-2, 16_386))));
        qt().withExamples(5_000)
                .withShrinkCycles(200)
                .forAll(gib)
                .checkAssert(
                        sizeGib -> {
                            if (Long.compareUnsigned(sizeGib - 1, 16_384) < 0) {
                                MemoryLayout layout = MemoryLayout.single(sizeGib, "weights");
                                assertEquals(sizeGib * GIB, layout.size());
                                assertRegion(
                                        layout.region(0), 0, "main", "weights", 0, sizeGib * GIB);
                            } else {
                                IllegalArgumentException e =
                                        assertThrows(
                                                IllegalArgumentException.class,
                                                () -> MemoryLayout.single(sizeGib, "weights"));
                                assertTrue(
                                        e.getMessage().startsWith("region \"main\": size"),
                                        e.getMessage());
                                BigInteger bytes =
                                        new BigInteger(Long.toUnsignedString(sizeGib))
                                                .shiftLeft(30);
                                if (bytes.bitLength() > 64) {
                                    assertTrue(
                                            e.getMessage()
                                                    .contains(
                                                            "size="
                                                                    + Long.toUnsignedString(sizeGib)
                                                                    + " GiB overflows"),
                                            e.getMessage());
                                } else if (sizeGib != 0) {
                                    assertTrue(
                                            e.getMessage().contains("size=" + bytes + " exceeds"),
                                            e.getMessage());
                                }
                            }
                        });
    }
}
