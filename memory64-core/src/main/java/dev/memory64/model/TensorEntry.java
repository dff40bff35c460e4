package dev.memory64.model;

import java.util.List;

/**
 * One tensor as a format's header places it, in the format-neutral terms of the store's tensor
 * table.
 *
 * @param name the tensor's name, unique in the model
 * @param type its element type as the format numbers it (GGML's numbering for GGUF)
 * @param dims its dimensions, innermost first, 1 to 4, each at least 1 (a scalar is {@code [1]})
 * @param offset its first byte: in its part as a format reads it, in the store's layout once the
 *     open flow has placed the parts
 * @param size its size in bytes, at least 1
 */
public record TensorEntry(String name, int type, List<Long> dims, long offset, long size) {

    /**
     * Returns the offset just past the tensor's bytes.
     *
     * @return {@code offset + size}
     */
    public long end() {
        return offset + size;
    }

    /** This tensor moved by {@code start}, the offset of its part in the layout. */
    TensorEntry placedAt(long start) {
        return start == 0
                ? this
                : new TensorEntry(name, type, dims, Math.addExact(start, offset), size);
    }
}
