package dev.memory64;

import java.util.Objects;

/**
 * How much of a streamed model stays mapped in memory: a window around where each reader is, in
 * layers or in bytes. Off by default ({@link #off()}).
 *
 * <p>The store sees every successful read of a layer's bytes (a guest's layer or range load, a host
 * read, a copy to a sink) and places the reading thread (a <em>streamer</em>) there. Layers are
 * ordered by id and laid end to end (the <em>stream</em>); a streamer's window is the part of the
 * stream from {@link #behind()} before its position to {@link #ahead()} after it:
 *
 * <ul>
 *   <li>in {@link Unit#LAYERS}: the layer being read, {@code behind} layers before it and {@code
 *       ahead} layers after it;
 *   <li>in {@link Unit#BYTES}: {@code behind} bytes before the end of the last read and {@code
 *       ahead} bytes after it.
 * </ul>
 *
 * <p>Pages of mapped <em>read-only</em> regions that a streamer read (or that were prefetched) and
 * that are in no live streamer's window any more are released ({@code MemorySegment.unload()}: on
 * Linux {@code madvise(MADV_DONTNEED)}: the pages leave the process's resident set and stay in the
 * page cache, where the kernel may reclaim them; a later read brings them back from the file). What
 * lies ahead in a window is prefetched. Allocated, reserved and writable mapped regions are never
 * released: their contents live only in those pages, or are being written.
 *
 * @param unit what {@code behind} and {@code ahead} count
 * @param behind how much before a streamer's position stays resident, non-negative
 * @param ahead how much after it is prefetched and stays resident, non-negative
 */
public record ResidencyPolicy(Unit unit, long behind, long ahead) {

    /** What a window counts. */
    public enum Unit {
        /** Nothing: the policy is off; pages stay mapped until the kernel reclaims them. */
        OFF,
        /** Whole layers before and after the layer being read. */
        LAYERS,
        /** Bytes before and after the end of the last read. */
        BYTES
    }

    private static final ResidencyPolicy OFF = new ResidencyPolicy(Unit.OFF, 0, 0);

    /**
     * Validates a policy.
     *
     * @throws NullPointerException if {@code unit} is null
     * @throws IllegalArgumentException if {@code behind} or {@code ahead} is negative, or {@code
     *     unit} is {@code OFF} and either is not 0
     */
    public ResidencyPolicy {
        Objects.requireNonNull(unit, "unit");
        if (behind < 0 || ahead < 0) {
            throw new IllegalArgumentException(
                    "residency "
                            + unit
                            + ": behind="
                            + behind
                            + " ahead="
                            + ahead
                            + ": both must be non-negative");
        }
        if (unit == Unit.OFF && (behind | ahead) != 0) {
            throw new IllegalArgumentException(
                    "residency OFF: behind=" + behind + " ahead=" + ahead + ": both must be 0");
        }
    }

    /**
     * No residency management: the default.
     *
     * @return the policy
     */
    public static ResidencyPolicy off() {
        return OFF;
    }

    /**
     * A window of whole layers around the layer being read.
     *
     * @param behind layers before it that stay resident
     * @param ahead layers after it that are prefetched
     * @return the policy
     * @throws IllegalArgumentException if either is negative
     */
    public static ResidencyPolicy layers(int behind, int ahead) {
        return new ResidencyPolicy(Unit.LAYERS, behind, ahead);
    }

    /**
     * A window of bytes around the end of the last read.
     *
     * @param behind bytes before it that stay resident
     * @param ahead bytes after it that are prefetched
     * @return the policy
     * @throws IllegalArgumentException if either is negative
     */
    public static ResidencyPolicy bytes(long behind, long ahead) {
        return new ResidencyPolicy(Unit.BYTES, behind, ahead);
    }

    /**
     * Tells whether the policy manages anything.
     *
     * @return false for {@link #off()}
     */
    public boolean enabled() {
        return unit != Unit.OFF;
    }

    @Override
    public String toString() {
        return switch (unit) {
            case OFF -> "off";
            case LAYERS -> "layers(behind=" + behind + ", ahead=" + ahead + ")";
            case BYTES -> "bytes(behind=" + behind + ", ahead=" + ahead + ")";
        };
    }
}
