package dev.memory64.internal;

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
import java.util.Objects;

/**
 * The one way memory64 reserves address space larger than it means to touch: a read-write shared
 * mapping of a sparse file that is already deleted, so that only the pages written cost memory (or
 * disk) and nothing is left behind, even if the JVM dies.
 *
 * <p>The rules, in one place for every backing that reserves: the file system must have room for
 * the whole reservation when it is made (a sparse file that the file system cannot back later turns
 * a guest's write into a fault); the file is created owner-only ({@code rw-------}) where the file
 * system has POSIX permissions; it is opened with {@link StandardOpenOption#DELETE_ON_CLOSE} and
 * its channel is closed as soon as it is mapped, so on Unix it is unlinked at once. Untouched pages
 * of a file hole read as zero.
 *
 * @param directory the directory that holds the (deleted) file
 * @param segment the mapping, {@code bytes} zero bytes owned by the arena it was mapped into
 */
public record SparseReservation(Path directory, MemorySegment segment) {

    private static final String FILE_PREFIX = "memory64-";
    private static final String FILE_SUFFIX = ".reserved";

    /**
     * Checks the components.
     *
     * @param directory the directory
     * @param segment the mapping
     * @throws NullPointerException if an argument is null
     */
    public SparseReservation {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(segment, "segment");
    }

    /**
     * The directories tried by default, best first: {@code /dev/shm} where it is a writable
     * directory (a tmpfs, whose pages are plain memory and never written back to a disk), then
     * {@code java.io.tmpdir}.
     *
     * @return the candidate directories, never empty
     */
    public static List<Path> defaultDirectories() {
        List<Path> directories = new ArrayList<>(2);
        Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm)) {
            directories.add(shm);
        }
        directories.add(Path.of(System.getProperty("java.io.tmpdir")));
        return directories;
    }

    /**
     * Maps {@code bytes} zero bytes read-write into {@code arena}, backed by a sparse deleted file
     * in the first of {@code directories} whose file system has at least {@code bytes} usable
     * bytes. Closing the arena unmaps it; nothing else needs closing.
     *
     * @param directories the candidate directories, best first; {@link #defaultDirectories()} for
     *     the usual ones
     * @param bytes the size of the reservation; zero maps an empty segment
     * @param arena the arena that owns the mapping (a shared one where other threads touch it)
     * @return the reservation: the directory used and the mapping
     * @throws IOException if no directory could hold the reservation; the message names every
     *     directory with its reason (for one without room: its usable bytes and the bytes asked
     *     for), and each directory's failure is attached as a suppressed exception
     * @throws IllegalArgumentException if {@code bytes} is negative or {@code directories} is empty
     * @throws NullPointerException if an argument is null
     */
    public static SparseReservation map(List<Path> directories, long bytes, Arena arena)
            throws IOException {
        return map(directories, bytes, arena, true);
    }

    /**
     * Like {@link #map(List, long, Arena)}, but {@code requireRoom} false skips the free-space
     * check: an overcommitted reservation, for a cache whose pages are released behind its reader,
     * where a page touched beyond the file system's room faults on access instead.
     *
     * @param directories the candidate directories, best first
     * @param bytes the size of the reservation
     * @param arena the arena that owns the mapping
     * @param requireRoom whether the file system must have room for all of it now
     * @return the reservation
     * @throws IOException if no directory could hold the reservation (see {@link #map(List, long,
     *     Arena)})
     */
    public static SparseReservation map(
            List<Path> directories, long bytes, Arena arena, boolean requireRoom)
            throws IOException {
        Objects.requireNonNull(directories, "directories");
        Objects.requireNonNull(arena, "arena");
        if (bytes < 0) {
            throw new IllegalArgumentException("reserve bytes=" + bytes + ": must not be negative");
        }
        if (directories.isEmpty()) {
            throw new IllegalArgumentException("reserve bytes=" + bytes + ": no directory given");
        }
        List<Exception> failures = new ArrayList<>(directories.size());
        for (Path directory : directories) {
            try {
                FileStore store = Files.getFileStore(directory);
                long usable = store.getUsableSpace();
                if (requireRoom && usable < bytes) {
                    throw new IOException(
                            "directory "
                                    + directory
                                    + " has "
                                    + usable
                                    + " usable bytes, fewer than the "
                                    + bytes
                                    + " to reserve");
                }
                return new SparseReservation(directory, mapIn(directory, store, bytes, arena));
            } catch (IOException | RuntimeException e) {
                // RuntimeException: an UnsupportedOperationException or SecurityException from the
                // file system provider; the next directory may still do.
                failures.add(e);
            }
        }
        StringBuilder message =
                new StringBuilder("cannot reserve ")
                        .append(bytes)
                        .append(" bytes as a sparse mapped file in any of ")
                        .append(directories);
        for (Exception failure : failures) {
            message.append("; ").append(failure);
        }
        IOException failure = new IOException(message.toString());
        failures.forEach(failure::addSuppressed);
        throw failure;
    }

    /**
     * Creates a new file in {@code directory} readable and writable by its owner only (where the
     * file system has POSIX permissions) and opens it for reading and writing, deleted when the
     * channel closes; nothing is left behind if opening fails. The one way the store's reserved
     * regions, the segment memories and a remote region's cache make their backing files.
     *
     * @param directory where the file goes
     * @param store the directory's file store
     * @param prefix the file name's prefix
     * @param suffix the file name's suffix
     * @return the open channel
     * @throws IOException if the file cannot be created or opened
     */
    public static FileChannel openOwnerOnly(
            Path directory, FileStore store, String prefix, String suffix) throws IOException {
        FileAttribute<?>[] ownerOnly =
                store.supportsFileAttributeView("posix")
                        ? new FileAttribute<?>[] {
                            PosixFilePermissions.asFileAttribute(
                                    PosixFilePermissions.fromString("rw-------"))
                        }
                        : new FileAttribute<?>[0];
        Path file = Files.createTempFile(directory, prefix, suffix, ownerOnly);
        try {
            return FileChannel.open(
                    file,
                    StandardOpenOption.READ,
                    StandardOpenOption.WRITE,
                    StandardOpenOption.DELETE_ON_CLOSE);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
    }

    private static MemorySegment mapIn(Path directory, FileStore store, long bytes, Arena arena)
            throws IOException {
        FileChannel channel = openOwnerOnly(directory, store, FILE_PREFIX, FILE_SUFFIX);
        // The mapping outlives the channel; closing the channel deletes the file where the JDK has
        // not unlinked it already, and its pages live on until the arena unmaps them.
        try (channel) {
            return channel.map(FileChannel.MapMode.READ_WRITE, 0, bytes, arena);
        } catch (IOException e) {
            if (String.valueOf(e.getMessage()).contains("File too large")) {
                // EFBIG: the file system's largest file is smaller than the region.
                throw new IOException(
                        "directory "
                                + directory
                                + " is on a file system ("
                                + store.type()
                                + ") whose largest file is smaller than the "
                                + bytes
                                + " bytes to reserve"
                                + (store.type().startsWith("ext")
                                        ? " (ext4 with 4 KiB blocks: 16 TiB - 4 KiB ="
                                                + " 17592186040320 bytes)"
                                        : "")
                                + "; put it on one that holds larger files (XFS, btrfs, tmpfs)"
                                + " or use smaller regions",
                        e);
            }
            throw e;
        }
    }
}
