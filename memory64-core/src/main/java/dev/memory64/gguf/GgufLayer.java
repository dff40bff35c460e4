package dev.memory64.gguf;

import java.util.List;
import java.util.Objects;

/**
 * One layer of a GGUF model: the contiguous byte range of the file that holds a group of tensors,
 * the unit a guest loads with {@code memory64_load_layer}.
 *
 * <p>Layer ids follow the model's order: {@code token_embd} is 0, {@code blk.N} is {@code N + 1},
 * then {@code output_norm} and {@code output}, then any other tensor prefix. See {@link
 * GgufFile#layers()} for the rules.
 *
 * @param id the layer id
 * @param name the layer's name: {@code token_embd}, {@code blk.0}, ..., {@code output_norm}, {@code
 *     output}, or another tensor name prefix such as {@code rope_freqs}
 * @param fileOffset the absolute offset of the layer's first byte in the file
 * @param size the layer's size in bytes, at most {@link Integer#MAX_VALUE}: from its first tensor's
 *     start to its last tensor's end, padding between them included
 * @param tensors the layer's tensors, in order of file offset (unmodifiable, never empty)
 */
public record GgufLayer(int id, String name, long fileOffset, long size, List<GgufTensor> tensors) {

    /**
     * Validates and copies the values.
     *
     * @throws NullPointerException if {@code name} or {@code tensors} is null
     * @throws IllegalArgumentException if {@code id}, {@code fileOffset} or {@code size} is
     *     negative, {@code size} exceeds {@link Integer#MAX_VALUE}, {@code tensors} is empty, or a
     *     tensor lies outside the layer's range
     */
    public GgufLayer {
        Objects.requireNonNull(name, "name");
        tensors = List.copyOf(tensors);
        if (id < 0
                || fileOffset < 0
                || size < 0
                || size > Integer.MAX_VALUE
                || size > Long.MAX_VALUE - fileOffset) {
            throw new IllegalArgumentException(
                    "layer \""
                            + name
                            + "\": id="
                            + id
                            + " fileOffset="
                            + fileOffset
                            + " size="
                            + size
                            + " out of range");
        }
        if (tensors.isEmpty()) {
            throw new IllegalArgumentException("layer \"" + name + "\": no tensors");
        }
        for (GgufTensor tensor : tensors) {
            if (tensor.fileOffset() < fileOffset
                    || tensor.byteSize() > fileOffset + size - tensor.fileOffset()) {
                throw new IllegalArgumentException(
                        "layer \""
                                + name
                                + "\" ["
                                + fileOffset
                                + ", "
                                + (fileOffset + size)
                                + "): "
                                + tensor
                                + " lies outside it");
            }
        }
    }

    /**
     * Returns the absolute offset just past the layer.
     *
     * @return {@code fileOffset() + size()}
     */
    public long fileEnd() {
        return fileOffset + size;
    }

    /**
     * Returns where a tensor of this layer starts within the layer's bytes, the offset to pass to
     * {@code memory64_load_layer_range} or to add to the guest buffer a layer was loaded into.
     *
     * @param tensor one of this layer's tensors
     * @return {@code tensor.fileOffset() - fileOffset()}
     * @throws IllegalArgumentException if the tensor is not one of this layer's
     */
    public long offsetInLayer(GgufTensor tensor) {
        if (!tensors.contains(tensor)) {
            throw new IllegalArgumentException(
                    "offsetInLayer: " + tensor + " is not in layer \"" + name + "\"");
        }
        return tensor.fileOffset() - fileOffset;
    }

    /**
     * Returns where a tensor of this layer, found by name, starts within the layer's bytes.
     *
     * @param tensorName the name of one of this layer's tensors
     * @return the tensor's offset from the layer's first byte
     * @throws IllegalArgumentException if no tensor of this layer has that name
     */
    public long offsetInLayer(String tensorName) {
        for (GgufTensor tensor : tensors) {
            if (tensor.name().equals(tensorName)) {
                return tensor.fileOffset() - fileOffset;
            }
        }
        throw new IllegalArgumentException(
                "offsetInLayer: no tensor \"" + tensorName + "\" in layer \"" + name + "\"");
    }

    @Override
    public String toString() {
        return "layer "
                + id
                + " \""
                + name
                + "\" ["
                + fileOffset
                + ", "
                + fileEnd()
                + ") "
                + size
                + " bytes, "
                + tensors.size()
                + " tensors";
    }
}
