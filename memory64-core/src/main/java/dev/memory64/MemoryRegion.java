package dev.memory64;

import dev.memory64.internal.Bytes;
import java.util.Objects;

/**
 * One region of a {@link MemoryLayout}: a named, contiguous range {@code [start, start + size)} of
 * the 64-bit address space.
 *
 * <p>A region's size is non-zero, a multiple of the 64 KiB Wasm page, and at most {@link #MAX_SIZE}
 * (16 TiB); {@code start + size} does not overflow and is at most {@link Long#MAX_VALUE}, the
 * largest size of a {@code MemorySegment}.
 *
 * @param index the region's position in its layout, from 0
 * @param name the region's name, unique in its layout (non-blank)
 * @param purpose what the region holds, free text for people (e.g. {@code "layers"})
 * @param start the region's first offset in the layout's address space
 * @param size the region's size in bytes
 */
public record MemoryRegion(int index, String name, String purpose, long start, long size) {

    /** The Wasm page size, 64 KiB: every region size is a multiple of it. */
    public static final long PAGE_SIZE = 64 * 1024;

    /** The largest size of one region, 16 TiB. */
    public static final long MAX_SIZE = 16L << 40;

    /**
     * Validates and creates a region.
     *
     * @throws IllegalArgumentException if a rule above is broken; the message names the region and
     *     the values
     * @throws NullPointerException if {@code name} or {@code purpose} is null
     */
    public MemoryRegion {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(purpose, "purpose");
        if (name.isBlank()) {
            throw new IllegalArgumentException("region " + index + ": name is blank");
        }
        if (index < 0) {
            throw new IllegalArgumentException(
                    "region \"" + name + "\": index=" + index + " is negative");
        }
        checkSize(name, size);
        if (start < 0) {
            throw new IllegalArgumentException(
                    "region \""
                            + name
                            + "\": start="
                            + Unsigned64.toString(start)
                            + " exceeds Long.MAX_VALUE="
                            + Long.MAX_VALUE
                            + ", the largest size of a MemorySegment");
        }
        if (size > Long.MAX_VALUE - start) {
            throw new IllegalArgumentException(
                    "region \""
                            + name
                            + "\": start="
                            + start
                            + " + size="
                            + size
                            + " exceeds Long.MAX_VALUE="
                            + Long.MAX_VALUE
                            + ", the largest size of a MemorySegment");
        }
    }

    /**
     * Checks a region size: non-zero, a multiple of {@link #PAGE_SIZE}, at most {@link #MAX_SIZE}.
     *
     * @param name the region's name, for the message
     * @param size the size in bytes, read as unsigned
     * @throws IllegalArgumentException if the size breaks a rule
     */
    static void checkSize(String name, long size) {
        if (size == 0) {
            throw new IllegalArgumentException("region \"" + name + "\": size is 0");
        }
        if (Long.compareUnsigned(size, MAX_SIZE) > 0) {
            throw new IllegalArgumentException(
                    "region \""
                            + name
                            + "\": size="
                            + Unsigned64.toString(size)
                            + " exceeds the 16 TiB region limit ("
                            + MAX_SIZE
                            + " bytes)");
        }
        if (size % PAGE_SIZE != 0) {
            throw new IllegalArgumentException(
                    "region \""
                            + name
                            + "\": size="
                            + size
                            + " is not a multiple of the 64 KiB Wasm page ("
                            + PAGE_SIZE
                            + " bytes)");
        }
    }

    /**
     * Returns the first offset past this region.
     *
     * @return {@code start + size}
     */
    public long end() {
        return start + size;
    }

    /**
     * Tells whether an offset lies in this region.
     *
     * @param offset an offset in the layout's address space, read as unsigned
     * @return true if {@code start <= offset < end()}
     */
    public boolean contains(long offset) {
        return offset >= start && offset - start < size;
    }

    /**
     * Converts a layout offset into an offset from this region's start.
     *
     * @param offset an offset in the layout's address space, read as unsigned
     * @return {@code offset - start}
     * @throws IndexOutOfBoundsException if the offset is not in this region
     */
    public long localOffset(long offset) {
        if (!contains(offset)) {
            throw new IndexOutOfBoundsException(
                    "localOffset offset="
                            + Unsigned64.toString(offset)
                            + " is outside region \""
                            + name
                            + "\" ["
                            + start
                            + ", "
                            + end()
                            + ")");
        }
        return offset - start;
    }

    @Override
    public String toString() {
        return "region "
                + index
                + " \""
                + name
                + "\" ("
                + purpose
                + ") ["
                + start
                + ", "
                + end()
                + ") "
                + Bytes.binary(size);
    }
}
