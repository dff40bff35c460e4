package dev.memory64.model;

import java.io.IOException;

/**
 * A format's rule from tensor names to layers: which tensors form block {@code N}, and the layer of
 * every other tensor with its kind. {@link LayerPlan} numbers the layers from it: the {@code
 * "embeddings"} layer 0, block {@code N} layer {@code N + 1}, with {@code B} blocks the {@code
 * "norm"} layer {@code B + 1} and the {@code "head"} layer {@code B + 2}, then every other layer
 * from {@code B + 3} in order of first appearance. At most one layer name has each of the kinds
 * {@code "embeddings"}, {@code "norm"} and {@code "head"}.
 */
public interface LayerNaming {

    /** The kind of a block's layer. */
    String BLOCK = "block";

    /** The kind of a layer that is neither a block, the embeddings, the norm nor the head. */
    String OTHER = "other";

    /**
     * Returns the tensor's block number.
     *
     * @param tensor the tensor
     * @return its block, from 0, or -1 if it is not a block's tensor
     * @throws IOException if the name claims a block but holds no valid block number
     */
    int block(TensorEntry tensor) throws IOException;

    /**
     * Returns the name of block {@code block}'s layer.
     *
     * @param block the block number
     * @return e.g. {@code blk.3}
     */
    String blockName(int block);

    /**
     * Returns the layer name of a tensor that is not a block's.
     *
     * @param tensor the tensor
     * @return the layer's name, not blank
     * @throws IOException if the name cannot name a layer
     */
    String layerName(TensorEntry tensor) throws IOException;

    /**
     * Returns the kind of a layer that is not a block.
     *
     * @param layerName a name {@link #layerName} returned
     * @return {@code "embeddings"}, {@code "norm"}, {@code "head"} or {@link #OTHER}
     */
    String kind(String layerName);

    /**
     * Returns the kind of a layer for a format whose embeddings, final norm and output head are
     * layers of these names; a format's {@link #kind} in one line.
     *
     * @param layerName the layer's name
     * @param embeddings the name of the embeddings' layer
     * @param norm the name of the final norm's layer
     * @param head the name of the output head's layer
     * @return {@code "embeddings"}, {@code "norm"}, {@code "head"} or {@link #OTHER}
     */
    static String kindOf(String layerName, String embeddings, String norm, String head) {
        if (layerName.equals(embeddings)) {
            return "embeddings";
        }
        if (layerName.equals(norm)) {
            return "norm";
        }
        return layerName.equals(head) ? "head" : OTHER;
    }
}
