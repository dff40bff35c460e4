package dev.memory64.abi;

/**
 * The guest ABI's error codes, one table for every function.
 *
 * <p>Every ABI function returns either its documented non-negative result or one of these negative
 * codes. The numeric values are part of the contract with guests and never change.
 */
public enum ErrorCode {
    /** The host has memory64 disabled. */
    DISABLED(-1),
    /** No layer (or tensor) with that id or name. */
    LAYER_NOT_FOUND(-2),
    /** {@code max_size} (or {@code len}) is smaller than what must be written. */
    BUFFER_TOO_SMALL(-3),
    /**
     * The offset or length is outside the layout, or the host read failed (closed store, I/O fault
     * of a mapped file). The destination may have been partly written.
     */
    HOST_RANGE(-4),
    /** The calling instance has no memory. */
    NO_GUEST_MEMORY(-5),
    /** {@code dst_ptr + len} overflows 32 bits. */
    POINTER_OVERFLOW(-6),
    /** {@code dst_ptr + len} is beyond the guest memory's current size. */
    OUT_OF_BOUNDS(-7),
    /** The copy into guest memory failed; the destination may have been partly written. */
    GUEST_WRITE(-8),
    /** The range or layer is not granted to this guest. */
    ACCESS_DENIED(-9);

    private static final ErrorCode[] BY_NEGATED_CODE = values();

    private final int code;

    ErrorCode(int code) {
        this.code = code;
    }

    /**
     * Returns the numeric value a guest sees.
     *
     * @return a negative number, stable across releases
     */
    public int code() {
        return code;
    }

    /**
     * Looks an error code up by its numeric value.
     *
     * @param code a value returned by an ABI function
     * @return the error code, or null if {@code code} is not one (a result, not an error)
     */
    public static ErrorCode of(long code) {
        if (code >= 0 || code < -BY_NEGATED_CODE.length) {
            return null;
        }
        return BY_NEGATED_CODE[(int) -code - 1];
    }
}
