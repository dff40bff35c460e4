package dev.memory64.linear;

import dev.memory64.internal.Logging;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.slf4j.Logger;

/**
 * Storage in zeroed off-heap allocations, one shared {@link Arena} per allocation: growing past the
 * capacity allocates a larger one (half as large again, at most the maximum), copies the used bytes
 * and closes the old arena, so that repeated growth copies a total amortised linear in the final
 * size.
 *
 * <p>The fallback when no reservation can be made; every byte of its capacity is committed memory.
 */
final class AllocatedStorage implements Storage {

    private static final Logger LOG = Logging.logger(AllocatedStorage.class);

    /** The alignment of every allocation: a cache line. */
    private static final long ALIGNMENT = 64;

    private final long maximumBytes;
    private Arena arena;
    private MemorySegment capacity;

    private AllocatedStorage(long maximumBytes, Arena arena, MemorySegment capacity) {
        this.maximumBytes = maximumBytes;
        this.arena = arena;
        this.capacity = capacity;
    }

    /**
     * Allocates {@code initialBytes} zero bytes that may grow to {@code maximumBytes}.
     *
     * @param initialBytes the initial size
     * @param maximumBytes the largest size {@link #grow} is ever asked for
     * @return the storage
     * @throws OutOfMemoryError if the initial bytes cannot be allocated
     */
    static AllocatedStorage allocate(long initialBytes, long maximumBytes) {
        Arena arena = Arena.ofShared();
        boolean success = false;
        try {
            MemorySegment capacity = arena.allocate(initialBytes, ALIGNMENT);
            success = true;
            return new AllocatedStorage(maximumBytes, arena, capacity);
        } finally {
            if (!success) {
                arena.close();
            }
        }
    }

    @Override
    public LinearMemory.Backing backing() {
        return LinearMemory.Backing.ALLOCATED;
    }

    @Override
    public MemorySegment grow(long oldBytes, long newBytes) {
        long current = capacity.byteSize();
        if (newBytes <= current) {
            // Bytes past the old size were never reachable, so they are still zero.
            return capacity.asSlice(0, newBytes);
        }
        long next = Math.min(maximumBytes, Math.max(newBytes, current + current / 2));
        Arena nextArena = Arena.ofShared();
        MemorySegment grown;
        try {
            grown = nextArena.allocate(next, ALIGNMENT);
        } catch (OutOfMemoryError e) {
            nextArena.close();
            LOG.debug("cannot allocate {} bytes to grow a memory to {} bytes", next, newBytes, e);
            return null;
        }
        MemorySegment.copy(capacity, 0, grown, 0, oldBytes);
        try {
            arena.close();
        } catch (IllegalStateException e) {
            nextArena.close();
            throw e;
        }
        arena = nextArena;
        capacity = grown;
        return capacity.asSlice(0, newBytes);
    }

    @Override
    public MemorySegment clear(long bytes) {
        MemorySegment cleared = capacity.asSlice(0, bytes);
        cleared.fill((byte) 0);
        return cleared;
    }

    @Override
    public void close() {
        arena.close();
    }

    @Override
    public String toString() {
        return "allocated "
                + capacity.byteSize()
                + " bytes of at most "
                + maximumBytes
                + " at 0x"
                + Long.toHexString(capacity.address());
    }
}
