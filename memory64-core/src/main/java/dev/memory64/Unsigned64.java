package dev.memory64;

/**
 * Checked arithmetic on {@code long} values read as unsigned 64-bit integers.
 *
 * <p>A value that comes from outside the JVM (a guest's {@code i64}, a field of a model file) is
 * unsigned: {@code -1L} means 2<sup>64</sup>-1, not minus one. Every add and multiply here either
 * returns the exact result or throws an {@link ArithmeticException} naming both operands in
 * unsigned decimal; nothing wraps.
 */
public final class Unsigned64 {

    /** 2<sup>64</sup>-1, the largest unsigned 64-bit value ({@code -1L} as a bit pattern). */
    public static final long MAX_VALUE = -1L;

    private Unsigned64() {}

    /**
     * Returns {@code a + b} as an unsigned 64-bit value.
     *
     * @param a an unsigned 64-bit operand
     * @param b an unsigned 64-bit operand
     * @return the exact unsigned sum
     * @throws ArithmeticException if the sum exceeds 2<sup>64</sup>-1
     */
    public static long add(long a, long b) {
        long sum = a + b;
        if (Long.compareUnsigned(sum, a) < 0) {
            throw new ArithmeticException(
                    "unsigned 64-bit overflow: " + toString(a) + " + " + toString(b));
        }
        return sum;
    }

    /**
     * Returns {@code a * b} as an unsigned 64-bit value.
     *
     * @param a an unsigned 64-bit operand
     * @param b an unsigned 64-bit operand
     * @return the exact unsigned product
     * @throws ArithmeticException if the product exceeds 2<sup>64</sup>-1
     */
    public static long multiply(long a, long b) {
        long low = a * b;
        if (Math.unsignedMultiplyHigh(a, b) != 0) {
            throw new ArithmeticException(
                    "unsigned 64-bit overflow: " + toString(a) + " * " + toString(b));
        }
        return low;
    }

    /**
     * Returns {@code a - b} as an unsigned 64-bit value.
     *
     * @param a an unsigned 64-bit operand
     * @param b an unsigned 64-bit operand
     * @return the exact unsigned difference
     * @throws ArithmeticException if {@code b > a} (unsigned)
     */
    public static long subtract(long a, long b) {
        if (Long.compareUnsigned(a, b) < 0) {
            throw new ArithmeticException(
                    "unsigned 64-bit underflow: " + toString(a) + " - " + toString(b));
        }
        return a - b;
    }

    /**
     * Compares two values as unsigned 64-bit integers.
     *
     * @param a an unsigned 64-bit value
     * @param b an unsigned 64-bit value
     * @return a negative number, zero or a positive number as {@code a} is less than, equal to or
     *     greater than {@code b}
     */
    public static int compare(long a, long b) {
        return Long.compareUnsigned(a, b);
    }

    /**
     * Formats a value as an unsigned decimal: {@code toString(-1L)} is {@code
     * "18446744073709551615"}.
     *
     * @param value an unsigned 64-bit value
     * @return its unsigned decimal form
     */
    public static String toString(long value) {
        return Long.toUnsignedString(value);
    }

    /**
     * Returns the value as a non-negative {@code long}, the form every size and offset takes past
     * the boundary where it entered.
     *
     * @param value an unsigned 64-bit value
     * @param what what the value is, for the message (e.g. {@code "offset"})
     * @return {@code value}, which is at most {@link Long#MAX_VALUE}
     * @throws ArithmeticException if the value is 2<sup>63</sup> or more, past the largest size a
     *     {@code MemorySegment} can have
     */
    public static long toNonNegative(long value, String what) {
        if (value < 0) {
            throw new ArithmeticException(
                    what
                            + "="
                            + toString(value)
                            + " exceeds Long.MAX_VALUE="
                            + Long.MAX_VALUE
                            + ", the largest size of a MemorySegment");
        }
        return value;
    }
}
