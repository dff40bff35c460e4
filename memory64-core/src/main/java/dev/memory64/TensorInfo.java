package dev.memory64;

import java.util.List;
import java.util.Objects;

/**
 * A named tensor inside a layer, so that a guest that loaded the layer can find its weights.
 *
 * @param name the tensor's name (e.g. {@code "blk.0.attn_q.weight"}), unique in a store
 * @param layerId the id of the layer that holds it
 * @param offsetInLayer the offset of its first byte from the start of its layer
 * @param size its size in bytes
 * @param type its element type as a GGML type number (e.g. 0 for F32, 2 for Q4_0)
 * @param dims its dimensions, innermost first, 1 to 4 of them, each at least 1
 */
public record TensorInfo(
        String name, int layerId, long offsetInLayer, long size, int type, List<Long> dims) {

    /** The most dimensions a tensor has. */
    public static final int MAX_DIMS = 4;

    /**
     * Validates and creates a tensor description.
     *
     * @throws IllegalArgumentException if a number is negative, there are no or more than {@link
     *     #MAX_DIMS} dimensions, or a dimension is below 1
     * @throws NullPointerException if {@code name}, {@code dims} or a dimension is null
     */
    public TensorInfo {
        Objects.requireNonNull(name, "name");
        dims = List.copyOf(dims);
        if (layerId < 0 || offsetInLayer < 0 || size < 0 || type < 0) {
            throw new IllegalArgumentException(
                    "tensor \""
                            + name
                            + "\": layerId="
                            + layerId
                            + " offsetInLayer="
                            + offsetInLayer
                            + " size="
                            + size
                            + " type="
                            + type
                            + ": none may be negative");
        }
        if (dims.isEmpty() || dims.size() > MAX_DIMS) {
            throw new IllegalArgumentException(
                    "tensor \"" + name + "\": " + dims.size() + " dims, expected 1 to " + MAX_DIMS);
        }
        for (long dim : dims) {
            if (dim < 1) {
                throw new IllegalArgumentException(
                        "tensor \"" + name + "\": dims=" + dims + " has a dimension below 1");
            }
        }
    }
}
