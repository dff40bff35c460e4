package dev.memory64;

import java.util.List;

/**
 * The one walk over a store's regions: turns a layout range, or a layer's range through its
 * extents, into pieces (a region, an offset local to it, a length), span by span (one per extent
 * touched) and, within a span, region by region. The range check, pinning, copying, releasing and
 * loading of {@link RegionStorage} are each a {@link Step} run on it.
 */
final class RegionWalker {

    /**
     * What a walk does with each piece; {@code at} is how far into the walk the piece starts, plus
     * the base the walk was given. A piece that fails throws a {@link Failure} naming its region.
     */
    @FunctionalInterface
    interface Step<C> {
        void piece(C context, Region region, long local, long len, long at);
    }

    private final MemoryLayout layout;
    private final Region[] regions;

    /** The whole layout as one extent: a layout range is the range of it at its own offset. */
    final List<Layer.Extent> whole;

    RegionWalker(MemoryLayout layout, Region[] regions) {
        this.layout = layout;
        this.regions = regions;
        this.whole = List.of(new Layer.Extent(0, layout.size()));
    }

    /** {@link #walk(List, long, long, Step, Object, long)} for a step that needs no context. */
    void walk(List<Layer.Extent> extents, long from, long len, Step<Void> step) {
        walk(extents, from, len, step, null, 0);
    }

    /**
     * Runs {@code step} on every piece of {@code [from, from + len)} of the bytes that {@code
     * extents} hold in order, the first piece at {@code at}; a {@link Failure} leaves with the span
     * it was in filled in. The range is inside the extents (and a range of {@link #whole} inside
     * the layout): the caller has checked it.
     */
    <C> void walk(
            List<Layer.Extent> extents, long from, long len, Step<C> step, C context, long at) {
        // Small methods, so that the JIT inlines the walk into each operation and calls its step
        // directly: a layout range, or a contiguous layer, is one span.
        if (extents.size() > 1) {
            spans(extents, from, len, step, context, at);
        } else if (len > 0) {
            span(extents.getFirst().offset() + from, len, step, context, at);
        }
    }

    /** The spans of a range of several extents: the extents it touches, cut to it. */
    private <C> void spans(
            List<Layer.Extent> extents, long from, long len, Step<C> step, C context, long at) {
        int e = 0;
        long skip = from;
        while (e < extents.size() - 1 && skip >= extents.get(e).size()) {
            skip -= extents.get(e++).size();
        }
        for (long done = 0; done < len; e++, skip = 0) {
            Layer.Extent extent = extents.get(e);
            long n = Math.min(len - done, extent.size() - skip);
            span(extent.offset() + skip, n, step, context, at + done);
            done += n;
        }
    }

    /** The pieces of one span, a layout range of at least one byte, region by region. */
    private <C> void span(long offset, long len, Step<C> step, C context, long at) {
        try {
            long done = 0;
            for (int i = layout.regionIndex(offset); done < len; i++) {
                Region r = regions[i];
                long local = offset + done - r.start;
                long n = Math.min(len - done, r.size - local);
                step.piece(context, r, local, n, at + done);
                done += n;
            }
        } catch (Failure f) {
            throw f.in(offset, len);
        }
    }

    /**
     * A piece that failed inside a walk, on its way out to where the operation is known: its
     * region, where in the walk it started, the cause if any, and the span (a layout range) it was
     * in. Made only when something failed.
     */
    static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        final transient Region region;
        final long at;
        long offset = -1;
        long len = -1;

        Failure(Region region, long at) {
            this(region, at, null);
        }

        Failure(Region region, long at, Throwable cause) {
            super(null, cause, false, false);
            this.region = region;
            this.at = at;
        }

        Failure in(long spanOffset, long spanLen) {
            if (len < 0) {
                offset = spanOffset;
                len = spanLen;
            }
            return this;
        }
    }
}
