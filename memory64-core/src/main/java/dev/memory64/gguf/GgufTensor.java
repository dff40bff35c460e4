package dev.memory64.gguf;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor of a GGUF file: its name, type, shape and where its bytes are.
 *
 * <p>{@code dims} is ggml's {@code ne}: {@code dims[0]} is the fastest-varying dimension (the row
 * length). The array is copied on the way in and on the way out, so a record cannot be changed.
 *
 * @param name the tensor's name, e.g. {@code blk.0.attn_q.weight}
 * @param type the tensor's data type
 * @param dims the tensor's dimensions (1 to 4 in files written by ggml; 0 means a single element),
 *     each positive
 * @param offset the offset of the tensor's data from the start of the file's tensor data ({@link
 *     GgufFile#dataStart()})
 * @param byteSize the size of the tensor's data: {@code type.byteSize(dims)}
 * @param fileOffset the absolute offset of the tensor's data in the file: {@code dataStart +
 *     offset}
 */
public record GgufTensor(
        String name, GgmlType type, long[] dims, long offset, long byteSize, long fileOffset) {

    /** The largest number of dimensions a tensor has in ggml ({@code GGML_MAX_DIMS}). */
    public static final int MAX_DIMS = 4;

    /**
     * Validates and copies the values.
     *
     * @throws NullPointerException if {@code name}, {@code type} or {@code dims} is null
     * @throws IllegalArgumentException if the shape is not valid for the type (see {@link
     *     GgmlType#byteSize(long...)}), {@code byteSize} is not {@code type.byteSize(dims)}, an
     *     offset is negative, {@code fileOffset < offset}, or the data would end past {@link
     *     Long#MAX_VALUE}
     * @throws ArithmeticException if the byte size of the shape overflows
     */
    public GgufTensor {
        // Refusals are built in methods of their own: a model's open makes a thousand tensors on a
        // cold JVM, and a small constructor compiles sooner and in a fraction of the time.
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        dims = Objects.requireNonNull(dims, "dims").clone();
        long expected = type.byteSize(dims);
        if (byteSize != expected) {
            throw wrongSize(name, type, dims, byteSize, expected);
        }
        if (offset < 0 || fileOffset < offset || byteSize > Long.MAX_VALUE - fileOffset) {
            throw badPlacement(name, offset, fileOffset, byteSize);
        }
    }

    private static IllegalArgumentException wrongSize(
            String name, GgmlType type, long[] dims, long byteSize, long expected) {
        return new IllegalArgumentException(
                "tensor \""
                        + name
                        + "\": byteSize="
                        + byteSize
                        + " but "
                        + type
                        + " "
                        + Arrays.toString(dims)
                        + " takes "
                        + expected
                        + " bytes");
    }

    private static IllegalArgumentException badPlacement(
            String name, long offset, long fileOffset, long byteSize) {
        return new IllegalArgumentException(
                "tensor \""
                        + name
                        + "\": offset="
                        + Long.toUnsignedString(offset)
                        + " fileOffset="
                        + Long.toUnsignedString(fileOffset)
                        + " byteSize="
                        + byteSize
                        + " is not a valid placement");
    }

    /**
     * Returns a copy of the tensor's dimensions.
     *
     * @return the dimensions, {@code ne[0]} first
     */
    @Override
    public long[] dims() {
        return dims.clone();
    }

    /**
     * Returns one dimension.
     *
     * @param index the dimension's index, 0 for {@code ne[0]}
     * @return the dimension
     * @throws IndexOutOfBoundsException if {@code index} is not in {@code [0, nDims())}
     */
    public long dim(int index) {
        return dims[Objects.checkIndex(index, dims.length)];
    }

    /**
     * Returns the number of dimensions.
     *
     * @return the number of dimensions, 0 to 4
     */
    public int nDims() {
        return dims.length;
    }

    /**
     * Returns the number of elements: the product of the dimensions.
     *
     * @return the element count
     */
    public long elementCount() {
        long count = 1;
        for (long dim : dims) {
            count *= dim; // cannot overflow: the constructor computed the byte size
        }
        return count;
    }

    /**
     * Returns the absolute offset just past the tensor's data.
     *
     * @return {@code fileOffset() + byteSize()}
     */
    public long fileEnd() {
        return fileOffset + byteSize;
    }

    /**
     * Returns the prefix of the name before its first {@code '.'} (the whole name if it has none),
     * which decides the tensor's layer.
     *
     * @return e.g. {@code "blk"} for {@code blk.3.ffn_up.weight}
     */
    public String prefix() {
        int dot = name.indexOf('.');
        return dot < 0 ? name : name.substring(0, dot);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof GgufTensor that
                && name.equals(that.name)
                && type == that.type
                && Arrays.equals(dims, that.dims)
                && offset == that.offset
                && byteSize == that.byteSize
                && fileOffset == that.fileOffset;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, Arrays.hashCode(dims), offset, byteSize, fileOffset);
    }

    @Override
    public String toString() {
        return "tensor \""
                + name
                + "\" "
                + type
                + " "
                + Arrays.toString(dims)
                + " ["
                + fileOffset
                + ", "
                + fileEnd()
                + ") "
                + byteSize
                + " bytes";
    }
}
