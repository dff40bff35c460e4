package dev.memory64.gguf;

import dev.memory64.Layer;
import java.util.List;
import java.util.Objects;

/**
 * One layer of a GGUF model: a group of tensors, the unit a guest loads with {@code
 * memory64_load_layer}, and the byte ranges ({@link Layer.Extent}s) of the file that hold it.
 *
 * <p>Layer ids follow the model's order: {@code token_embd} is 0, {@code blk.N} is {@code N + 1},
 * then {@code output_norm} and {@code output}, then any other tensor prefix. The layer's bytes are
 * its tensors in file order: tensors that follow one another in the file with no other layer's
 * tensor between them (and in the same part of a split model) form one extent, the padding between
 * them included. A layer whose tensors lie together is therefore one extent, from its first
 * tensor's start to its last tensor's end; one interleaved with another layer's tensors, or cut
 * between two parts of a split model, is several. See {@link GgufFile#layers()}.
 *
 * @param id the layer id
 * @param name the layer's name: {@code token_embd}, {@code blk.0}, ..., {@code output_norm}, {@code
 *     output}, or another tensor name prefix such as {@code rope_freqs}
 * @param extents the layer's byte ranges in file order (in a model, offsets in the store's layout)
 * @param tensors the layer's tensors, in order of file offset (unmodifiable, never empty)
 */
public record GgufLayer(int id, String name, List<Layer.Extent> extents, List<GgufTensor> tensors) {

    /**
     * Validates and copies the values.
     *
     * @throws NullPointerException if {@code name}, {@code extents} or {@code tensors} is null
     * @throws IllegalArgumentException if {@code id} is negative, there is no extent or no tensor,
     *     or a tensor lies outside every extent
     */
    public GgufLayer {
        Objects.requireNonNull(name, "name");
        extents = List.copyOf(extents);
        tensors = List.copyOf(tensors);
        if (id < 0) {
            throw new IllegalArgumentException("layer \"" + name + "\": id=" + id + " is negative");
        }
        if (extents.isEmpty() || tensors.isEmpty()) {
            throw new IllegalArgumentException("layer \"" + name + "\": no extent or no tensors");
        }
        for (GgufTensor tensor : tensors) {
            if (extentOf(extents, tensor) < 0) {
                throw new IllegalArgumentException(
                        "layer \"" + name + "\" " + extents + ": " + tensor + " lies outside it");
            }
        }
    }

    /**
     * A layer of one extent, {@code [fileOffset, fileOffset + size)}.
     *
     * @param id the layer id
     * @param name the layer's name
     * @param fileOffset the offset of the layer's first byte
     * @param size the layer's size in bytes, at least one
     * @param tensors the layer's tensors, in order of file offset
     * @throws IllegalArgumentException as the canonical constructor, or if the range is not an
     *     {@link Layer.Extent}
     */
    public GgufLayer(int id, String name, long fileOffset, long size, List<GgufTensor> tensors) {
        this(id, name, List.of(new Layer.Extent(fileOffset, size)), tensors);
    }

    private static int extentOf(List<Layer.Extent> extents, GgufTensor tensor) {
        for (int i = 0; i < extents.size(); i++) {
            Layer.Extent e = extents.get(i);
            if (tensor.fileOffset() >= e.offset()
                    && tensor.byteSize() <= e.end() - tensor.fileOffset()) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Returns the offset of the layer's first byte: its first extent's.
     *
     * @return the offset
     */
    public long fileOffset() {
        return extents.getFirst().offset();
    }

    /**
     * Returns the layer's size: the sum of its extents, the bytes a guest loads.
     *
     * @return the size in bytes
     */
    public long size() {
        long total = 0;
        for (Layer.Extent e : extents) {
            total += e.size();
        }
        return total;
    }

    /**
     * Returns the offset just past the layer's last extent; for a contiguous layer, {@code
     * fileOffset() + size()}.
     *
     * @return the end of the last extent
     */
    public long fileEnd() {
        return extents.getLast().end();
    }

    /**
     * Tells whether the layer is one range of the file.
     *
     * @return true if it has one extent
     */
    public boolean isContiguous() {
        return extents.size() == 1;
    }

    /**
     * Returns where a tensor of this layer starts within the layer's bytes (the logical sequence of
     * its extents), the offset to pass to {@code memory64_load_layer_range} or to add to the guest
     * buffer a layer was loaded into.
     *
     * @param tensor one of this layer's tensors
     * @return the tensor's offset from the layer's first byte
     * @throws IllegalArgumentException if the tensor is not one of this layer's
     */
    public long offsetInLayer(GgufTensor tensor) {
        if (!tensors.contains(tensor)) {
            throw new IllegalArgumentException(
                    "offsetInLayer: " + tensor + " is not in layer \"" + name + "\"");
        }
        return offsetOfMember(tensor);
    }

    /** {@link #offsetInLayer(GgufTensor)} of a tensor known to be one of {@link #tensors()}. */
    long offsetOfMember(GgufTensor tensor) {
        int index = extentOf(extents, tensor);
        long before = 0;
        for (int i = 0; i < index; i++) {
            before += extents.get(i).size();
        }
        return before + tensor.fileOffset() - extents.get(index).offset();
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
                return offsetInLayer(tensor);
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
                + "\" "
                + (isContiguous()
                        ? "[" + fileOffset() + ", " + fileEnd() + ")"
                        : extents.toString())
                + " "
                + size()
                + " bytes, "
                + tensors.size()
                + " tensors";
    }
}
