package dev.memory64.safetensors;

import java.util.List;

/**
 * One tensor of a safetensors file, as its header declares it.
 *
 * @param name the tensor's name, unique in its file
 * @param dtype its element type
 * @param shape its shape, outermost dimension first (row-major, as the header lists it); empty for
 *     a scalar; a dimension may be 0
 * @param begin its first byte, from the start of the file's data (the header's {@code
 *     data_offsets[0]})
 * @param end the byte past its last, from the start of the data ({@code data_offsets[1]})
 */
public record SafetensorsTensor(
        String name, SafetensorsDtype dtype, List<Long> shape, long begin, long end) {

    /**
     * Copies the shape.
     *
     * @throws NullPointerException if an argument is null
     */
    public SafetensorsTensor {
        shape = List.copyOf(shape);
        java.util.Objects.requireNonNull(name, "name");
        java.util.Objects.requireNonNull(dtype, "dtype");
    }

    /**
     * Returns the tensor's size in bytes.
     *
     * @return {@code end - begin}
     */
    public long size() {
        return end - begin;
    }

    /**
     * Returns the tensor's element count, the product of its shape (1 for a scalar).
     *
     * @return the count
     * @throws ArithmeticException if the product overflows a {@code long} (not for a tensor read
     *     from a file: the reader refuses those)
     */
    public long elements() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }
}
