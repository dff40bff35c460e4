package dev.memory64.linear;

import java.lang.foreign.MemorySegment;

/**
 * The off-heap bytes behind a {@link LinearMemory}: a segment that grows, can be cleared, and is
 * released once.
 *
 * <p>Not thread-safe: {@link LinearMemory} calls every method under its own monitor.
 */
sealed interface Storage permits ReservedStorage, AllocatedStorage {

    /**
     * Returns how the bytes are held.
     *
     * @return the backing, never null
     */
    LinearMemory.Backing backing();

    /**
     * Returns a segment of {@code newBytes} bytes whose first {@code oldBytes} bytes are those of
     * the current segment and whose other bytes are zero.
     *
     * @param oldBytes the current size, a multiple of the Wasm page size
     * @param newBytes the new size, at least {@code oldBytes} and at most the maximum this storage
     *     was created for
     * @return the grown segment, or null if the memory for it could not be had (the current segment
     *     stays valid)
     */
    MemorySegment grow(long oldBytes, long newBytes);

    /**
     * Sets every byte of {@code [0, bytes)} to zero.
     *
     * @param bytes the current size
     * @return the segment of {@code bytes} zero bytes to use from now on; segments returned earlier
     *     may be invalid
     */
    MemorySegment clear(long bytes);

    /**
     * Releases the bytes: every segment this storage returned becomes inaccessible.
     *
     * @throws IllegalStateException if a segment is in use by an operation that acquired it (for
     *     example an asynchronous I/O); the storage then stays open
     */
    void close();
}
