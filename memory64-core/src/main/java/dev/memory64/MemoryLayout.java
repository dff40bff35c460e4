package dev.memory64;

import dev.memory64.internal.Bytes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An immutable, non-empty list of {@link MemoryRegion}s laid end to end in one 64-bit address
 * space, starting at offset 0.
 *
 * <p>Region names are unique; the total size is at most {@link Long#MAX_VALUE}, the largest size of
 * a {@code MemorySegment}. Sizes given in GiB or bytes are read as unsigned 64-bit values and every
 * computation on them is checked: nothing wraps.
 *
 * <pre>{@code
 * MemoryLayout sevenB = MemoryLayout.single(8, "weights");
 * MemoryLayout seventyB = MemoryLayout.multi(
 *         Map.entry("emb", 2L), Map.entry("l0-15", 20L), Map.entry("l16-31", 20L));
 * MemoryLayout custom = MemoryLayout.builder()
 *         .addRegion("embeddings", 512L << 20, "embeddings")
 *         .addRegion("layers", 16L << 30)
 *         .build();
 * }</pre>
 *
 * <p>This type shares its simple name with {@code java.lang.foreign.MemoryLayout}, which is
 * unrelated.
 */
public final class MemoryLayout {

    /** One GiB, 2<sup>30</sup> bytes. */
    public static final long GIB = 1L << 30;

    /** The purpose given to regions that are created without one. */
    public static final String DEFAULT_PURPOSE = "layers";

    private final List<MemoryRegion> regions;
    private final long[] starts;
    private final long size;

    private MemoryLayout(List<MemoryRegion> regions) {
        this.regions = List.copyOf(regions);
        this.starts = new long[regions.size()];
        for (int i = 0; i < starts.length; i++) {
            starts[i] = regions.get(i).start();
        }
        MemoryRegion last = regions.get(regions.size() - 1);
        this.size = last.end();
    }

    /**
     * Creates a layout of one region named {@code "main"}.
     *
     * @param sizeGiB the region's size in GiB, read as unsigned
     * @param purpose what the region holds
     * @return the layout
     * @throws IllegalArgumentException if the size is 0 or larger than a region may be
     */
    public static MemoryLayout single(long sizeGiB, String purpose) {
        return builder().addRegion("main", gibToBytes("main", sizeGiB), purpose).build();
    }

    /**
     * Creates a layout of several regions from (name, size in GiB) pairs, in order.
     *
     * @param regions the regions' names and sizes in GiB (sizes read as unsigned)
     * @return the layout
     * @throws IllegalArgumentException if there are no regions, a name repeats, or a size breaks
     *     the region rules, or the total exceeds {@link Long#MAX_VALUE}
     */
    @SafeVarargs
    public static MemoryLayout multi(Map.Entry<String, Long>... regions) {
        List<Map.Entry<String, Long>> list = new ArrayList<>(regions.length);
        for (Map.Entry<String, Long> region : regions) {
            list.add(region);
        }
        return multi(list);
    }

    /**
     * Creates a layout of several regions from (name, size in GiB) pairs, in list order.
     *
     * @param regions the regions' names and sizes in GiB (sizes read as unsigned)
     * @return the layout
     * @throws IllegalArgumentException if there are no regions, a name repeats, a size breaks the
     *     region rules, or the total exceeds {@link Long#MAX_VALUE}
     */
    public static MemoryLayout multi(List<? extends Map.Entry<String, Long>> regions) {
        if (regions.isEmpty()) {
            throw new IllegalArgumentException("multi: a layout needs at least one region");
        }
        Builder builder = builder();
        for (Map.Entry<String, Long> region : regions) {
            String name = Objects.requireNonNull(region.getKey(), "region name");
            long gib = Objects.requireNonNull(region.getValue(), "region size");
            builder.addRegion(name, gibToBytes(name, gib));
        }
        return builder.build();
    }

    private static long gibToBytes(String name, long sizeGiB) {
        try {
            return Unsigned64.multiply(sizeGiB, GIB);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(
                    "region \""
                            + name
                            + "\": size="
                            + Unsigned64.toString(sizeGiB)
                            + " GiB overflows 64 bits in bytes ("
                            + e.getMessage()
                            + ")",
                    e);
        }
    }

    /**
     * Starts a layout built region by region, with sizes in bytes.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the regions in address order.
     *
     * @return an immutable list, never empty
     */
    public List<MemoryRegion> regions() {
        return regions;
    }

    /**
     * Returns the number of regions.
     *
     * @return at least 1
     */
    public int regionCount() {
        return starts.length;
    }

    /**
     * Returns a region by index.
     *
     * @param index the region's index
     * @return the region
     * @throws IndexOutOfBoundsException if there is no such region
     */
    public MemoryRegion region(int index) {
        return regions.get(index);
    }

    /**
     * Returns a region by name.
     *
     * @param name the region's name
     * @return the region
     * @throws IllegalArgumentException if no region has that name
     */
    public MemoryRegion region(String name) {
        for (MemoryRegion region : regions) {
            if (region.name().equals(name)) {
                return region;
            }
        }
        throw new IllegalArgumentException("no region named \"" + name + "\" in " + this);
    }

    /**
     * Returns the total size, the sum of the region sizes.
     *
     * @return the size in bytes, at most {@link Long#MAX_VALUE}
     */
    public long size() {
        return size;
    }

    /**
     * Tells whether an offset lies in the layout.
     *
     * @param offset an offset, read as unsigned
     * @return true if {@code offset < size()}
     */
    public boolean contains(long offset) {
        return offset >= 0 && offset < size;
    }

    /**
     * Finds the region holding an offset, by binary search.
     *
     * @param offset an offset, read as unsigned
     * @return the unique region that contains it
     * @throws IndexOutOfBoundsException if the offset is at or past {@link #size()}, including
     *     every unsigned value of 2<sup>63</sup> or more
     */
    public MemoryRegion findRegion(long offset) {
        return regions.get(regionIndex(offset));
    }

    /**
     * Finds the index of the region holding an offset, by binary search.
     *
     * @param offset an offset, read as unsigned
     * @return the index of the unique region that contains it
     * @throws IndexOutOfBoundsException if the offset is at or past {@link #size()}
     */
    public int regionIndex(long offset) {
        if (!contains(offset)) {
            throw new IndexOutOfBoundsException(
                    "findRegion offset="
                            + Unsigned64.toString(offset)
                            + " is at or past the layout size="
                            + size
                            + " ("
                            + Bytes.binary(size)
                            + ")");
        }
        int low = 0;
        int high = starts.length - 1;
        while (low < high) {
            int mid = (low + high + 1) >>> 1;
            if (starts[mid] <= offset) {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        return low;
    }

    /**
     * Returns a table of the regions, one per line, for people.
     *
     * @return the table, with a header line
     */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append(
                String.format(
                        Locale.ROOT,
                        "%-5s %-16s %-12s %20s %20s %10s%n",
                        "index",
                        "name",
                        "purpose",
                        "start",
                        "end",
                        "size"));
        for (MemoryRegion region : regions) {
            sb.append(
                    String.format(
                            Locale.ROOT,
                            "%-5d %-16s %-12s %20d %20d %10s%n",
                            region.index(),
                            region.name(),
                            region.purpose(),
                            region.start(),
                            region.end(),
                            Bytes.binary(region.size())));
        }
        sb.append(
                String.format(
                        Locale.ROOT,
                        "total: %d regions, %s (%d bytes)%n",
                        regions.size(),
                        Bytes.binary(size),
                        size));
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MemoryLayout other && regions.equals(other.regions);
    }

    @Override
    public int hashCode() {
        return regions.hashCode();
    }

    @Override
    public String toString() {
        return "MemoryLayout[" + regions.size() + " regions, " + Bytes.binary(size) + "]";
    }

    /** Builds a {@link MemoryLayout} region by region, with sizes in bytes. */
    public static final class Builder {
        private final List<MemoryRegion> regions = new ArrayList<>();
        private final Set<String> names = new HashSet<>();
        private long next;

        private Builder() {}

        /**
         * Appends a region with the {@linkplain #DEFAULT_PURPOSE default purpose}.
         *
         * @param name the region's name, unique in the layout
         * @param sizeBytes the size in bytes, read as unsigned
         * @return this builder
         * @throws IllegalArgumentException if the name repeats, the size breaks the region rules,
         *     or the layout would exceed {@link Long#MAX_VALUE} bytes
         */
        public Builder addRegion(String name, long sizeBytes) {
            return addRegion(name, sizeBytes, DEFAULT_PURPOSE);
        }

        /**
         * Appends a region.
         *
         * @param name the region's name, unique in the layout
         * @param sizeBytes the size in bytes, read as unsigned
         * @param purpose what the region holds
         * @return this builder
         * @throws IllegalArgumentException if the name repeats, the size breaks the region rules,
         *     or the layout would exceed {@link Long#MAX_VALUE} bytes
         */
        public Builder addRegion(String name, long sizeBytes, String purpose) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(purpose, "purpose");
            if (names.contains(name)) {
                throw new IllegalArgumentException(
                        "region \"" + name + "\": the name is already used in this layout");
            }
            MemoryRegion.checkSize(name, sizeBytes);
            if (sizeBytes > Long.MAX_VALUE - next) {
                throw new IllegalArgumentException(
                        "region \""
                                + name
                                + "\": layout size "
                                + next
                                + " + size="
                                + sizeBytes
                                + " exceeds Long.MAX_VALUE="
                                + Long.MAX_VALUE
                                + ", the largest size of a MemorySegment");
            }
            MemoryRegion region = new MemoryRegion(regions.size(), name, purpose, next, sizeBytes);
            regions.add(region);
            names.add(name);
            next = region.end();
            return this;
        }

        /**
         * Builds the layout.
         *
         * @return the layout
         * @throws IllegalStateException if no region was added
         */
        public MemoryLayout build() {
            if (regions.isEmpty()) {
                throw new IllegalStateException("a layout needs at least one region");
            }
            return new MemoryLayout(regions);
        }
    }
}
