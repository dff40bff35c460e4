package dev.memory64;

import dev.memory64.internal.Bytes;
import dev.memory64.internal.Logging;
import java.lang.foreign.MemorySegment;
import org.slf4j.Logger;

/**
 * A store's refusals in one place: the checks of a host's arguments that come before a walk (an
 * array slice, a destination, a layer range), and the failures of the walk itself (outside the
 * layout, unbacked, read-only, closed, a fault). Every one is counted as an error and logged at
 * DEBUG by {@link #rejected}; messages name the operation and every operand.
 */
final class StoreChecks {

    private static final Logger LOG = Logging.logger(Logging.STORE);

    private final String storeName;
    private final MemoryLayout layout;
    private final StatsCounter stats;

    StoreChecks(String storeName, MemoryLayout layout, StatsCounter stats) {
        this.storeName = storeName;
        this.layout = layout;
        this.stats = stats;
    }

    /** Counts a rejected or failed operation and logs it at DEBUG, then returns it to throw. */
    <T extends Exception> T rejected(T failure) {
        stats.error();
        LOG.debug("{}", failure.getMessage());
        return failure;
    }

    /** Checks an array slice of a host read or write. */
    void slice(String op, long offset, int index, int len, int arrayLength) {
        if ((index | len) < 0 || len > arrayLength - index) {
            throw rejected(
                    new IndexOutOfBoundsException(
                            op
                                    + " offset="
                                    + Unsigned64.toString(offset)
                                    + ": array slice index="
                                    + index
                                    + " len="
                                    + len
                                    + " is outside the array of length="
                                    + arrayLength));
        }
    }

    /** Checks that a host read's destination segment can be written. */
    void writable(String op, long offset, MemorySegment dst) {
        if (dst.isReadOnly()) {
            throw rejected(
                    new IllegalArgumentException(
                            op
                                    + " offset="
                                    + Unsigned64.toString(offset)
                                    + " len="
                                    + dst.byteSize()
                                    + ": the destination segment is read-only"));
        }
    }

    /** Checks that {@code len} bytes fit in a destination segment. */
    void fits(String op, long offset, MemorySegment dst, long len) {
        if (len < 0 || len > dst.byteSize()) {
            throw rejected(
                    new IndexOutOfBoundsException(
                            op
                                    + " offset="
                                    + Unsigned64.toString(offset)
                                    + " len="
                                    + Unsigned64.toString(len)
                                    + " exceeds the destination size="
                                    + dst.byteSize()));
        }
    }

    /**
     * Checks a range of a layer's logical bytes.
     *
     * @param layer the layer found for {@code layerId}, or null if none was
     * @return the layer
     */
    Layer layerRange(String op, int layerId, Layer layer, long layerOffset, long len) {
        if (layer == null) {
            throw rejected(new IllegalArgumentException(op + ": no layer with id=" + layerId));
        }
        long size = layer.size();
        if ((layerOffset | len) < 0 || layerOffset > size || len > size - layerOffset) {
            throw rejected(
                    new StoreRangeException(
                            op
                                    + " layer id="
                                    + layerId
                                    + " (\""
                                    + layer.name()
                                    + "\") layerOffset="
                                    + Unsigned64.toString(layerOffset)
                                    + " len="
                                    + Unsigned64.toString(len)
                                    + " exceeds the layer size="
                                    + size));
        }
        return layer;
    }

    StoreRangeException outsideLayout(String op, long offset, long len) {
        MemoryRegion r =
                layout.contains(offset)
                        ? layout.findRegion(offset)
                        : layout.region(layout.regionCount() - 1);
        return rejected(
                new StoreRangeException(
                        op
                                + " offset="
                                + Unsigned64.toString(offset)
                                + " len="
                                + Unsigned64.toString(len)
                                + " exceeds layout size="
                                + layout.size()
                                + " (region \""
                                + r.name()
                                + "\", "
                                + Bytes.binary(r.size())
                                + ")"));
    }

    /**
     * A layout range refused by region {@code r}: it reaches past the region's backed part, or else
     * (a write) the region is read-only.
     */
    RuntimeException refused(String op, long offset, long len, Region r) {
        long backedEnd = r.start + r.segment.byteSize();
        if (offset + len > backedEnd && backedEnd < r.start + r.size) {
            return rejected(
                    new StoreRangeException(
                            op
                                    + " offset="
                                    + offset
                                    + " len="
                                    + len
                                    + " reaches past the backed part of region \""
                                    + r.spec.name()
                                    + "\" ("
                                    + r.backing
                                    + ", "
                                    + r.segment.byteSize()
                                    + " of "
                                    + r.size
                                    + " bytes backed)"));
        }
        return rejected(
                new IllegalStateException(
                        op
                                + " offset="
                                + offset
                                + " len="
                                + len
                                + " touches read-only region \""
                                + r.spec.name()
                                + "\" ("
                                + r.backing
                                + ")"));
    }

    /** The storage of region {@code r} faulted while {@code [offset, offset + len)} moved. */
    Memory64Exception fault(String op, long offset, long len, Region r, Throwable e) {
        return rejected(
                new Memory64Exception(
                        op
                                + " offset="
                                + offset
                                + " len="
                                + len
                                + ": the storage of region \""
                                + r.spec.name()
                                + "\" ("
                                + r.backing
                                + ") faulted; a mapped file may have been truncated, or the"
                                + " file system behind a reserved region is full",
                        e));
    }

    /** The store was closed before an operation on {@code [offset, offset + len)} began. */
    StoreClosedException closed(String op, long offset, long len) {
        return closed(op, offset, len, null);
    }

    /**
     * The store was closed during an operation on {@code [offset, offset + len)}; {@code cause} is
     * what stopped it, if anything did (null when the walk saw the flag before a chunk).
     */
    StoreClosedException closed(String op, long offset, long len, Throwable cause) {
        return rejected(
                new StoreClosedException(
                        op
                                + " offset="
                                + Unsigned64.toString(offset)
                                + " len="
                                + Unsigned64.toString(len)
                                + ": store \""
                                + storeName
                                + "\" is closed",
                        cause));
    }
}
