package dev.memory64.chicory;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Storage that reserves the memory's maximum size up front as a shared mapping of a sparse,
 * already-deleted temporary file, so that only the pages a guest touches cost memory and growing
 * never copies.
 *
 * <p>The file is created in the first candidate directory whose file store has room for the whole
 * reservation (on Linux {@code /dev/shm}, a tmpfs whose pages are plain memory, then {@code
 * java.io.tmpdir}), opened with {@link StandardOpenOption#DELETE_ON_CLOSE} (on Unix the JDK unlinks
 * it at once, so nothing is left behind even if the JVM dies) and mapped read-write into a shared
 * {@link Arena}. Reading an untouched page of a file hole yields zeros.
 */
final class ReservedStorage implements Storage {

    private static final Logger LOG = LoggerFactory.getLogger(ReservedStorage.class);

    private static final String FILE_PREFIX = "memory64-segment-";
    private static final String FILE_SUFFIX = ".mem";

    private final Path directory;
    private Arena arena;
    private MemorySegment reservation;

    private ReservedStorage(Path directory, Arena arena, MemorySegment reservation) {
        this.directory = directory;
        this.arena = arena;
        this.reservation = reservation;
    }

    /**
     * The directories tried by default, best first: {@code /dev/shm} where it is a writable
     * directory, then {@code java.io.tmpdir}.
     *
     * @return the candidate directories, never empty
     */
    static List<Path> defaultDirectories() {
        List<Path> directories = new ArrayList<>(2);
        Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm)) {
            directories.add(shm);
        }
        directories.add(Path.of(System.getProperty("java.io.tmpdir")));
        return directories;
    }

    /**
     * Reserves {@code bytes} bytes in the first of {@code directories} that has room for them.
     *
     * @param directories the candidate directories, best first
     * @param bytes the size of the reservation
     * @return the storage; its reservation is {@code bytes} zero bytes
     * @throws IOException if no directory could hold the reservation; every directory's failure is
     *     attached as a suppressed exception
     */
    static ReservedStorage reserve(List<Path> directories, long bytes) throws IOException {
        IOException failure =
                new IOException(
                        "cannot reserve "
                                + bytes
                                + " bytes as a sparse mapped file in any of "
                                + directories);
        for (Path directory : directories) {
            try {
                FileStore store = Files.getFileStore(directory);
                long usable = store.getUsableSpace();
                if (usable < bytes) {
                    failure.addSuppressed(
                            new IOException(
                                    "directory "
                                            + directory
                                            + " has "
                                            + usable
                                            + " usable bytes, fewer than the "
                                            + bytes
                                            + " to reserve"));
                    continue;
                }
                Arena arena = Arena.ofShared();
                boolean success = false;
                try {
                    MemorySegment reservation = map(directory, store, bytes, arena);
                    success = true;
                    return new ReservedStorage(directory, arena, reservation);
                } finally {
                    if (!success) {
                        arena.close();
                    }
                }
            } catch (IOException | RuntimeException e) {
                // RuntimeException: an UnsupportedOperationException or SecurityException from the
                // file system provider; the next directory may still do.
                failure.addSuppressed(e);
            }
        }
        throw failure;
    }

    private static MemorySegment map(Path directory, FileStore store, long bytes, Arena arena)
            throws IOException {
        FileAttribute<?>[] ownerOnly =
                store.supportsFileAttributeView("posix")
                        ? new FileAttribute<?>[] {
                            PosixFilePermissions.asFileAttribute(
                                    PosixFilePermissions.fromString("rw-------"))
                        }
                        : new FileAttribute<?>[0];
        Path file = Files.createTempFile(directory, FILE_PREFIX, FILE_SUFFIX, ownerOnly);
        FileChannel channel;
        try {
            channel =
                    FileChannel.open(
                            file,
                            StandardOpenOption.READ,
                            StandardOpenOption.WRITE,
                            StandardOpenOption.DELETE_ON_CLOSE);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
        // The mapping outlives the channel; closing the channel deletes the file where the JDK has
        // not unlinked it already, and its pages live on until the arena unmaps them.
        try (channel) {
            return channel.map(FileChannel.MapMode.READ_WRITE, 0, bytes, arena);
        }
    }

    @Override
    public SegmentMemory.Backing backing() {
        return SegmentMemory.Backing.RESERVED;
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
            FileStore store = Files.getFileStore(directory);
            fresh = map(directory, store, reservation.byteSize(), freshArena);
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
