package dev.memory64.linear;

import dev.memory64.internal.Logging;
import dev.memory64.internal.SparseReservation;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;

/**
 * Storage that reserves the memory's maximum size up front as a {@link SparseReservation} in a
 * shared {@link Arena}, so that only the pages a guest touches cost memory and growing never copies
 * or moves a byte: only the limit moves.
 */
final class ReservedStorage implements Storage {

    private static final Logger LOG = Logging.logger(ReservedStorage.class);

    private final Path directory;
    private Arena arena;
    private MemorySegment reservation;

    private ReservedStorage(Path directory, Arena arena, MemorySegment reservation) {
        this.directory = directory;
        this.arena = arena;
        this.reservation = reservation;
    }

    /**
     * Reserves {@code bytes} bytes in the first of {@code directories} that has room for them.
     *
     * @param directories the candidate directories, best first
     * @param bytes the size of the reservation
     * @return the storage; its reservation is {@code bytes} zero bytes
     * @throws IOException if no directory could hold the reservation (see {@link
     *     SparseReservation#map})
     */
    static ReservedStorage reserve(List<Path> directories, long bytes) throws IOException {
        Arena arena = Arena.ofShared();
        boolean success = false;
        try {
            SparseReservation reservation = SparseReservation.map(directories, bytes, arena);
            success = true;
            return new ReservedStorage(reservation.directory(), arena, reservation.segment());
        } finally {
            if (!success) {
                arena.close();
            }
        }
    }

    @Override
    public LinearMemory.Backing backing() {
        return LinearMemory.Backing.RESERVED;
    }

    @Override
    public MemorySegment grow(long oldBytes, long newBytes) {
        return reservation.asSlice(0, newBytes);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Replaces the reservation with a fresh one, which releases every touched page at once and
     * costs no time proportional to the size; only if no fresh reservation can be made does it fill
     * the current one with zeros.
     */
    @Override
    public MemorySegment clear(long bytes) {
        if (bytes == 0) {
            // A memory that is empty now has always been empty: nothing was ever written.
            return reservation.asSlice(0, 0);
        }
        Arena freshArena = Arena.ofShared();
        MemorySegment fresh = null;
        try {
            fresh =
                    SparseReservation.map(List.of(directory), reservation.byteSize(), freshArena)
                            .segment();
        } catch (IOException | RuntimeException e) {
            freshArena.close();
            LOG.debug(
                    "cannot make a fresh reservation of {} bytes in {}; filling {} bytes with zeros"
                            + " instead",
                    reservation.byteSize(),
                    directory,
                    bytes,
                    e);
        }
        if (fresh == null) {
            reservation.asSlice(0, bytes).fill((byte) 0);
            return reservation.asSlice(0, bytes);
        }
        try {
            arena.close();
        } catch (IllegalStateException e) {
            freshArena.close();
            throw e;
        }
        arena = freshArena;
        reservation = fresh;
        return reservation.asSlice(0, bytes);
    }

    @Override
    public void close() {
        arena.close();
    }

    @Override
    public String toString() {
        return "reserved "
                + reservation.byteSize()
                + " bytes in "
                + directory
                + " at 0x"
                + Long.toHexString(reservation.address());
    }
}
