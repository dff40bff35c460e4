package dev.memory64.linear;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Sequentially consistent atomic accesses of 1, 2, 4 or 8 little-endian bytes at an aligned offset
 * of a segment: a {@link VarHandle} in volatile mode, and for the 8- and 16-bit read-modify-writes
 * (which segment handles do not offer) a compare-and-set loop on the aligned 32-bit word that holds
 * the lane. Offsets out of the segment throw {@link IndexOutOfBoundsException}; a closed segment
 * {@link IllegalStateException}; {@link LinearMemory} translates both.
 */
final class SegmentAtomics {

    private static final VarHandle BYTE = ValueLayout.JAVA_BYTE.varHandle();
    private static final VarHandle SHORT =
            ValueLayout.JAVA_SHORT.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();
    private static final VarHandle INT =
            ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();
    private static final VarHandle LONG =
            ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();

    private SegmentAtomics() {}

    /** Reads {@code width} bytes at {@code offset}; zero-extended below 8. */
    static long load(MemorySegment bytes, long offset, int width) {
        return switch (width) {
            case 1 -> Byte.toUnsignedLong((byte) BYTE.getVolatile(bytes, offset));
            case 2 -> Short.toUnsignedLong((short) SHORT.getVolatile(bytes, offset));
            case 4 -> Integer.toUnsignedLong((int) INT.getVolatile(bytes, offset));
            default -> (long) LONG.getVolatile(bytes, offset);
        };
    }

    /** Writes the low {@code width} bytes of {@code value} at {@code offset}. */
    static void store(MemorySegment bytes, long offset, int width, long value) {
        switch (width) {
            case 1 -> BYTE.setVolatile(bytes, offset, (byte) value);
            case 2 -> SHORT.setVolatile(bytes, offset, (short) value);
            case 4 -> INT.setVolatile(bytes, offset, (int) value);
            default -> LONG.setVolatile(bytes, offset, value);
        }
    }

    /** Applies {@code op}; returns the old value, zero-extended below 8. */
    static long readModifyWrite(
            MemorySegment bytes, long offset, int width, LinearMemory.Rmw op, long operand) {
        if (width == 8) {
            return switch (op) {
                case ADD -> (long) LONG.getAndAdd(bytes, offset, operand);
                case AND -> (long) LONG.getAndBitwiseAnd(bytes, offset, operand);
                case OR -> (long) LONG.getAndBitwiseOr(bytes, offset, operand);
                case XOR -> (long) LONG.getAndBitwiseXor(bytes, offset, operand);
                case XCHG -> (long) LONG.getAndSet(bytes, offset, operand);
            };
        }
        if (width == 4) {
            int value = (int) operand;
            int old =
                    switch (op) {
                        case ADD -> (int) INT.getAndAdd(bytes, offset, value);
                        case AND -> (int) INT.getAndBitwiseAnd(bytes, offset, value);
                        case OR -> (int) INT.getAndBitwiseOr(bytes, offset, value);
                        case XOR -> (int) INT.getAndBitwiseXor(bytes, offset, value);
                        case XCHG -> (int) INT.getAndSet(bytes, offset, value);
                    };
            return Integer.toUnsignedLong(old);
        }
        return updateLane(bytes, offset, width, op, operand, 0, false);
    }

    /**
     * Replaces the value with {@code replacement} if it equals {@code expected} (already masked to
     * the width); returns the old value, zero-extended below 8.
     */
    static long compareExchange(
            MemorySegment bytes, long offset, int width, long expected, long replacement) {
        if (width == 8) {
            return (long) LONG.compareAndExchange(bytes, offset, expected, replacement);
        }
        if (width == 4) {
            return Integer.toUnsignedLong(
                    (int) INT.compareAndExchange(bytes, offset, (int) expected, (int) replacement));
        }
        return updateLane(bytes, offset, width, LinearMemory.Rmw.XCHG, replacement, expected, true);
    }

    /**
     * An 8- or 16-bit update as a compare-and-set loop on the aligned 32-bit word holding it, which
     * lies inside the memory whenever the lane does (its size is a multiple of 4).
     */
    private static long updateLane(
            MemorySegment bytes,
            long offset,
            int width,
            LinearMemory.Rmw op,
            long operand,
            long expected,
            boolean compare) {
        long word = offset & ~3L;
        int shift = (int) (offset & 3) * 8;
        int laneMask = width == 1 ? 0xFF : 0xFFFF;
        while (true) {
            int current = (int) INT.getVolatile(bytes, word);
            long old = (current >>> shift) & laneMask;
            if (compare && old != expected) {
                return old;
            }
            int lane = (int) op.apply(old, operand) & laneMask;
            int next = (current & ~(laneMask << shift)) | (lane << shift);
            if (INT.compareAndSet(bytes, word, current, next)) {
                return old;
            }
        }
    }
}
