package dev.memory64;

import java.util.Objects;

/**
 * A layer: a named byte range {@code [offset, offset + size)} of a store's layout that a guest
 * loads by id.
 *
 * @param id the layer id a guest passes to {@code memory64_load_layer}; non-negative
 * @param name the layer's name, for lookups by name (e.g. {@code "blk.3"}); non-blank
 * @param kind what the layer holds, free text (e.g. {@code "attention"}, {@code "embeddings"})
 * @param offset the layer's first byte in the layout's address space
 * @param size the layer's size in bytes, 1 to {@link Integer#MAX_VALUE} (the ABI returns an {@code
 *     i32} byte count)
 */
public record Layer(int id, String name, String kind, long offset, long size) {

    /** The largest layer size: a layer load returns its byte count as a guest {@code i32}. */
    public static final long MAX_SIZE = Integer.MAX_VALUE;

    /**
     * Validates and creates a layer; whether it fits a layout is checked when it is registered.
     *
     * @throws IllegalArgumentException if the id is negative, the name is blank, the offset is
     *     negative (2<sup>63</sup> or more unsigned), or the size is 0 or more than {@link
     *     #MAX_SIZE}
     * @throws NullPointerException if {@code name} or {@code kind} is null
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
        if (offset < 0) {
            throw new IllegalArgumentException(
                    "layer id="
                            + id
                            + " (\""
                            + name
                            + "\"): offset="
                            + Unsigned64.toString(offset)
                            + " exceeds Long.MAX_VALUE");
        }
        if (size <= 0 || size > MAX_SIZE) {
            throw new IllegalArgumentException(
                    "layer id="
                            + id
                            + " (\""
                            + name
                            + "\"): size="
                            + Unsigned64.toString(size)
                            + " is not in [1, "
                            + MAX_SIZE
                            + "] (the ABI returns an i32 byte count)");
        }
        if (size > Long.MAX_VALUE - offset) {
            throw new IllegalArgumentException(
                    "layer id="
                            + id
                            + " (\""
                            + name
                            + "\"): offset="
                            + offset
                            + " + size="
                            + size
                            + " overflows");
        }
    }

    /**
     * Returns the first offset past the layer.
     *
     * @return {@code offset + size}
     */
    public long end() {
        return offset + size;
    }
}
