package dev.memory64;

import dev.memory64.internal.Bytes;
import dev.memory64.internal.Logging;
import dev.memory64.internal.SparseReservation;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.slf4j.Logger;

/**
 * One region's bytes as its backing holds them, made by {@link #openAll} (the one place that knows
 * the kinds): memory the store holds ({@link Held}: allocated or reserved), a mapped file ({@link
 * FileMapped}) or a remote object with its chunk cache ({@link Remote}). Each answers what it can;
 * what does not apply to a kind is a no-op. Offsets here are local to the region; the storage has
 * checked every range it passes.
 */
abstract sealed class Region permits Region.Held, Region.FileMapped, Region.Remote {

    final MemoryRegion spec;
    final RegionBacking backing;
    final MemorySegment segment;

    /** The region's first byte in the layout, and its size (of which {@link #segment} backs). */
    final long start;

    final long size;

    private Region(MemoryRegion spec, RegionBacking backing, MemorySegment segment) {
        this.spec = spec;
        this.backing = backing;
        this.segment = segment;
        this.start = spec.start();
        this.size = spec.size();
    }

    /**
     * Makes a region's segment in {@code arena} as its backing says.
     *
     * @throws IOException if a file cannot be opened, created or mapped, or an object opened
     */
    private static Region open(Arena arena, MemoryRegion spec, RegionBacking backing)
            throws IOException {
        // instanceof, not a pattern switch: a first open then bootstraps no switch at run time.
        // Each kind is made by a method of its own class, typed Region: verifying this method
        // then loads none of them, and a first open loads only the kinds it makes.
        if (backing instanceof RegionBacking.Mapped m) {
            return FileMapped.of(spec, m, map(arena, spec, m));
        }
        if (backing instanceof RegionBacking.Remote r) {
            return Remote.of(spec, r, ChunkCache.open(arena, spec, r));
        }
        if (backing instanceof RegionBacking.Reserved r) {
            return Held.of(spec, backing, reserve(arena, spec, r));
        }
        return Held.of(spec, backing, arena.allocate(spec.size(), 64));
    }

    /**
     * Makes every region of a layout in {@code arena}; if one fails, closes those already made (the
     * arena is the caller's to close).
     *
     * @throws IOException if a file cannot be opened, created or mapped, or an object opened
     */
    static Region[] openAll(Arena arena, MemoryLayout layout, RegionBacking[] backings)
            throws IOException {
        Region[] regions = new Region[backings.length];
        boolean success = false;
        try {
            for (int i = 0; i < backings.length; i++) {
                regions[i] = open(arena, layout.region(i), backings[i]);
            }
            success = true;
            return regions;
        } finally {
            if (!success) {
                for (Region r : regions) {
                    if (r != null) {
                        r.close();
                    }
                }
            }
        }
    }

    /** The region's name, size and backing, for the store's log. */
    @Override
    public String toString() {
        return spec.name() + " " + Bytes.binary(size) + " " + backing;
    }

    /** Whether the host may write here. */
    abstract boolean writable();

    /** Whether {@link #pin} does anything, so that a store none of whose regions pin skips it. */
    boolean pins() {
        return false;
    }

    /**
     * Makes a range present and keeps it so until {@link #unpin}; on failure nothing stays pinned.
     *
     * @throws RemoteFetchException if the range cannot be fetched
     */
    void pin(long local, long len) throws RemoteFetchException {}

    /** Undoes {@link #pin} of the same range. */
    void unpin(long local, long len) {}

    /**
     * The most bytes one {@link #load} takes, so that a prefetch checks for a stop between loads.
     */
    long loadStep() {
        return RegionStorage.CHUNK_SIZE;
    }

    /**
     * Brings a range into memory.
     *
     * @return the bytes brought in (what a prefetch counts), or -1 if it failed
     */
    long load(long local, long len) {
        if (segment.isMapped() && local + len <= segment.byteSize()) {
            segment.asSlice(local, len).load();
            return len;
        }
        return 0;
    }

    /**
     * Gives back the resident pages of a range, where the kind can: they come back when touched.
     *
     * @return the bytes given back
     * @throws IllegalStateException or {@link InternalError} if the store is closing
     */
    long release(long local, long len) {
        return 0;
    }

    /** Closes what the region owns besides its segment (which the arena holds). */
    void close() {}

    /** The bytes of {@code [local, local + len)} that the segment backs, 0 if none. */
    final long backed(long local, long len) {
        return Math.min(len, Math.max(0, segment.byteSize() - local));
    }

    /** Allocated or reserved memory: writable, nothing to release, loaded if it is a mapping. */
    static final class Held extends Region {
        Held(MemoryRegion spec, RegionBacking backing, MemorySegment segment) {
            super(spec, backing, segment);
        }

        static Region of(MemoryRegion spec, RegionBacking backing, MemorySegment segment) {
            return new Held(spec, backing, segment);
        }

        @Override
        boolean writable() {
            return true;
        }
    }

    /** A mapped file: read-only mappings give pages back (the file holds every byte of them). */
    static final class FileMapped extends Region {
        private final boolean writable;

        FileMapped(MemoryRegion spec, RegionBacking.Mapped backing, MemorySegment segment) {
            super(spec, backing, segment);
            this.writable = backing.writable();
        }

        static Region of(MemoryRegion spec, RegionBacking.Mapped backing, MemorySegment segment) {
            return new FileMapped(spec, backing, segment);
        }

        @Override
        boolean writable() {
            return writable;
        }

        @Override
        long release(long local, long len) {
            long backed = backed(local, len);
            if (writable || !segment.isMapped() || backed == 0) {
                return 0;
            }
            segment.asSlice(local, backed).unload();
            return backed;
        }
    }

    /** An object on an HTTP server, read through the chunk cache this region owns. */
    static final class Remote extends Region {
        private static final Logger LOG = Logging.logger(Logging.REMOTE);

        private final ChunkCache cache;

        Remote(MemoryRegion spec, RegionBacking.Remote backing, ChunkCache cache) {
            super(spec, backing, cache.segment());
            this.cache = cache;
        }

        static Region of(MemoryRegion spec, RegionBacking.Remote backing, ChunkCache cache) {
            return new Remote(spec, backing, cache);
        }

        @Override
        boolean writable() {
            return false;
        }

        @Override
        boolean pins() {
            return true;
        }

        @Override
        void pin(long local, long len) throws RemoteFetchException {
            cache.ensure(local, len);
        }

        @Override
        void unpin(long local, long len) {
            cache.unpin(local, len);
        }

        /** The whole piece at once, so that its chunks are fetched in parallel. */
        @Override
        long loadStep() {
            return Long.MAX_VALUE;
        }

        @Override
        long load(long local, long len) {
            long backed = Math.min(len, segment.byteSize() - local);
            try {
                cache.ensure(local, backed);
            } catch (RemoteFetchException e) {
                LOG.debug("load: {}", e.getMessage());
                return -1;
            }
            cache.unpin(local, backed);
            return backed;
        }

        @Override
        long release(long local, long len) {
            long backed = backed(local, len);
            return backed == 0 ? 0 : cache.release(local, backed);
        }

        @Override
        void close() {
            cache.close();
        }
    }

    private static MemorySegment reserve(
            Arena arena, MemoryRegion region, RegionBacking.Reserved backing) throws IOException {
        try {
            return SparseReservation.map(
                            List.of(backing.directory()),
                            region.size(),
                            arena,
                            !backing.overcommitted())
                    .segment();
        } catch (IOException e) {
            throw new IOException(
                    "reserve region \""
                            + region.name()
                            + "\" ("
                            + region.size()
                            + " bytes, "
                            + Bytes.binary(region.size())
                            + ") in "
                            + backing.directory()
                            + ": "
                            + e.getMessage(),
                    e);
        }
    }

    private static MemorySegment map(Arena arena, MemoryRegion region, RegionBacking.Mapped m)
            throws IOException {
        if (Files.isDirectory(m.file())) {
            throw new IOException(
                    "map region \"" + region.name() + "\": " + m.file() + " is a directory");
        }
        StandardOpenOption[] options =
                m.writable()
                        ? new StandardOpenOption[] {
                            StandardOpenOption.READ, StandardOpenOption.WRITE
                        }
                        : new StandardOpenOption[] {StandardOpenOption.READ};
        try (FileChannel channel = FileChannel.open(m.file(), options)) {
            long fileSize = channel.size();
            if (m.fileOffset() > fileSize) {
                throw new IllegalArgumentException(
                        "map region \""
                                + region.name()
                                + "\": fileOffset="
                                + m.fileOffset()
                                + " is past the end of "
                                + m.file()
                                + " (size="
                                + fileSize
                                + ")");
            }
            long backed = Math.min(region.size(), fileSize - m.fileOffset());
            if (backed == 0) {
                return MemorySegment.NULL;
            }
            FileChannel.MapMode mode =
                    m.writable() ? FileChannel.MapMode.READ_WRITE : FileChannel.MapMode.READ_ONLY;
            return channel.map(mode, m.fileOffset(), backed, arena);
        }
    }
}
