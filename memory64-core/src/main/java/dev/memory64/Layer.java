package dev.memory64;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A layer: a named, ordered list of byte ranges ({@link Extent}s) of a store's layout that a guest
 * sees as one logical byte sequence and loads by id.
 *
 * <p>Most layers are one extent, {@code [offset, offset + size)}: the tensors of a block that lie
 * together in one file. A block whose tensors lie apart (interleaved with another block's, or on
 * both sides of a cut between two files of a split model) is several extents, in the order the
 * guest sees them; extents that touch in the layout are merged, so a contiguous layer is always one
 * extent. A layer may be larger than 2 GiB: {@code memory64_load_layer} cannot return such a size
 * in its {@code i32} result (it answers {@code BUFFER_TOO_SMALL}), and the guest streams it with
 * {@code memory64_load_layer_range}.
 *
 * @param id the layer id a guest passes to {@code memory64_load_layer}; non-negative
 * @param name the layer's name, for lookups by name (e.g. {@code "blk.3"}); non-blank
 * @param kind what the layer holds, free text (e.g. {@code "attention"}, {@code "embeddings"})
 * @param extents the byte ranges, in the guest's order; at least one, none empty; their total is at
 *     most {@link Long#MAX_VALUE}
 */
public record Layer(int id, String name, String kind, List<Extent> extents) {

    /**
     * The largest layer {@code memory64_load_layer} copies whole: its result is a guest {@code
     * i32}. Larger layers are streamed with {@code memory64_load_layer_range}.
     */
    public static final long MAX_SIZE = Integer.MAX_VALUE;

    /**
     * One byte range of a layer in the layout's address space.
     *
     * @param offset the first byte
     * @param size how many bytes; at least one
     */
    public record Extent(long offset, long size) {

        /**
         * Checks the range.
         *
         * @throws IllegalArgumentException if the offset is negative (2<sup>63</sup> or more as
         *     unsigned), the size is not positive, or the end overflows
         */
        public Extent {
            if (offset < 0 || size <= 0 || size > Long.MAX_VALUE - offset) {
                throw new IllegalArgumentException(
                        "extent offset="
                                + Unsigned64.toString(offset)
                                + " size="
                                + Unsigned64.toString(size)
                                + ": the offset must be below 2^63, the size positive, and their"
                                + " sum must not overflow");
            }
        }

        /**
         * Returns the first byte past the range.
         *
         * @return {@code offset + size}
         */
        public long end() {
            return offset + size;
        }
    }

    /**
     * Checks the layer and merges extents that touch.
     *
     * @throws IllegalArgumentException if the id is negative, the name blank, there is no extent,
     *     or the total size overflows
     */
    public Layer {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        if (id < 0) {
            throw new IllegalArgumentException(
                    "layer id=" + id + " (\"" + name + "\"): ids are non-negative");
        }
        if (name.isBlank()) {
            throw new IllegalArgumentException("layer id=" + id + ": name is blank");
        }
        if (extents.isEmpty()) {
            throw new IllegalArgumentException(
                    "layer id=" + id + " (\"" + name + "\"): a layer has at least one extent");
        }
        List<Extent> merged = new ArrayList<>(extents.size());
        long total = 0;
        for (Extent e : extents) {
            Objects.requireNonNull(e, "extent");
            if (total > Long.MAX_VALUE - e.size()) {
                throw new IllegalArgumentException(
                        "layer id=" + id + " (\"" + name + "\"): the total size overflows");
            }
            total += e.size();
            Extent last = merged.isEmpty() ? null : merged.getLast();
            if (last != null && last.end() == e.offset()) {
                merged.set(merged.size() - 1, new Extent(last.offset(), last.size() + e.size()));
            } else {
                merged.add(e);
            }
        }
        extents = List.copyOf(merged);
    }

    /**
     * Creates a layer of one extent, {@code [offset, offset + size)}.
     *
     * @param id the layer id
     * @param name the layer's name
     * @param kind what the layer holds
     * @param offset the layer's first byte in the layout
     * @param size the layer's size in bytes, at least one
     * @throws IllegalArgumentException if a rule of the layer or of {@link Extent} is broken
     */
    public Layer(int id, String name, String kind, long offset, long size) {
        this(id, name, kind, List.of(extent(id, name, offset, size)));
    }

    private static Extent extent(int id, String name, long offset, long size) {
        try {
            return new Extent(offset, size);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "layer id=" + id + " (\"" + name + "\"): " + e.getMessage(), e);
        }
    }

    /**
     * Returns the layer's first byte in the layout: the first extent's offset.
     *
     * @return the offset
     */
    public long offset() {
        return extents.getFirst().offset();
    }

    /**
     * Returns the layer's size: the sum of its extents.
     *
     * @return the size in bytes
     */
    public long size() {
        if (extents.size() == 1) {
            return extents.getFirst().size();
        }
        long total = 0;
        for (Extent e : extents) {
            total += e.size();
        }
        return total;
    }

    /**
     * Tells whether the layer is one range of the layout.
     *
     * @return true if it has one extent
     */
    public boolean isContiguous() {
        return extents.size() == 1;
    }

    /**
     * Returns the first byte past the last extent; for a contiguous layer, {@code offset() +
     * size()}.
     *
     * @return the end of the last extent
     */
    public long end() {
        return extents.getLast().end();
    }
}
