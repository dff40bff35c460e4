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
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import org.slf4j.Logger;

/**
 * The bytes of a store: one segment per region from its backing, all in one shared {@link Arena}
 * owned here, and the one copy loop every host read, write and guest load goes through (range
 * checks, chunking, close checks between chunks, fault translation, counting).
 */
final class RegionStorage {

    /** The most bytes one copy step moves before checking for close again: 4 MiB. */
    static final long CHUNK_SIZE = 4L << 20;

    private static final Logger LOG = Logging.logger(Logging.STORE);

    private final String storeName;
    private final MemoryLayout layout;
    private final Arena arena;
    private final MemorySegment[] segments;
    private final RegionBacking[] backings;
    private final boolean[] writable;
    private final boolean[] releasable;
    private final StatsCounter stats;

    /** Per region, the cache of a remote region; null when no region is remote. */
    private final ChunkCache[] remote;

    private volatile boolean closed;
    private volatile Residency residency;

    private RegionStorage(
            String storeName,
            MemoryLayout layout,
            Arena arena,
            MemorySegment[] segments,
            RegionBacking[] backings,
            StatsCounter stats,
            ChunkCache[] remote) {
        this.storeName = storeName;
        this.remote = remote;
        this.layout = layout;
        this.arena = arena;
        this.segments = segments;
        this.backings = backings;
        this.stats = stats;
        this.writable = new boolean[backings.length];
        this.releasable = new boolean[backings.length];
        for (int i = 0; i < backings.length; i++) {
            writable[i] =
                    backings[i] instanceof RegionBacking.Mapped m
                            ? m.writable()
                            : !(backings[i] instanceof RegionBacking.Remote);
            // Only a read-only mapping can give its pages back: the file holds every byte of it.
            // A remote region's cache gives its chunks back itself (ChunkCache.release).
            releasable[i] =
                    !writable[i]
                            && segments[i].isMapped()
                            && !(backings[i] instanceof RegionBacking.Remote);
        }
    }

    /**
     * Creates every region's segment; if one fails, those already created are released.
     *
     * @throws IOException if a file cannot be opened, created or mapped
     */
    static RegionStorage open(
            String storeName, MemoryLayout layout, RegionBacking[] backings, StatsCounter stats)
            throws IOException {
        MemorySegment[] segments = new MemorySegment[backings.length];
        ChunkCache[] remote = null;
        Arena arena = Arena.ofShared();
        boolean success = false;
        try {
            for (int i = 0; i < backings.length; i++) {
                if (backings[i] instanceof RegionBacking.Remote r) {
                    remote = remote != null ? remote : new ChunkCache[backings.length];
                    remote[i] = ChunkCache.open(arena, layout.region(i), r);
                    segments[i] = remote[i].segment();
                } else {
                    segments[i] = open(arena, layout.region(i), backings[i]);
                }
            }
            success = true;
        } finally {
            if (!success) {
                closeCaches(remote);
                arena.close();
            }
        }
        if (LOG.isInfoEnabled()) {
            List<String> parts = new ArrayList<>();
            for (int i = 0; i < backings.length; i++) {
                MemoryRegion r = layout.region(i);
                parts.add(r.name() + " " + Bytes.binary(r.size()) + " " + backings[i]);
            }
            LOG.info(
                    "opened store \"{}\": {} regions, {}: {}",
                    storeName,
                    backings.length,
                    Bytes.binary(layout.size()),
                    String.join("; ", parts));
        }
        return new RegionStorage(storeName, layout, arena, segments, backings, stats, remote);
    }

    private static MemorySegment open(Arena arena, MemoryRegion region, RegionBacking backing)
            throws IOException {
        // instanceof, not a pattern switch: a first open then bootstraps no switch at run time.
        if (backing instanceof RegionBacking.Mapped m) {
            return map(arena, region, m);
        }
        if (backing instanceof RegionBacking.Reserved r) {
            return reserve(arena, region, r);
        }
        return arena.allocate(region.size(), 64);
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

    String name() {
        return storeName;
    }

    /** Logs the closed store's totals at INFO. */
    void logClosed() {
        if (LOG.isInfoEnabled()) {
            Memory64Stats s = stats.snapshot(0);
            LOG.info(
                    "closed store \"{}\" ({}): {} reads, {} writes, {} errors",
                    storeName,
                    Bytes.binary(layout.size()),
                    s.reads(),
                    s.writes(),
                    s.errors());
        }
    }

    RegionBacking backing(int regionIndex) {
        return backings[regionIndex];
    }

    boolean isClosed() {
        return closed;
    }

    /** Sets the residency told of every chunk read, or null for none. */
    void residency(Residency observer) {
        this.residency = observer;
    }

    Residency residency() {
        return residency;
    }

    /**
     * Releases the resident pages of the read-only mapped parts of {@code [offset, offset + len)}
     * ({@code MemorySegment.unload()}: on Linux {@code madvise(MADV_DONTNEED)} over the pages
     * holding the range, so the pages at both ends may hold bytes just outside it; they come back
     * from the file when next touched), and counts them as released. Other regions are left alone.
     * Never throws.
     *
     * @return the bytes of the range given back, 0 if none is in a read-only mapped region
     */
    long release(long offset, long len) {
        if (len <= 0 || closed || offset < 0 || len > layout.size() - offset) {
            return 0;
        }
        long released = 0;
        long end = offset + len;
        long at = offset;
        int region = layout.regionIndex(offset);
        while (at < end && region < segments.length) {
            MemoryRegion r = layout.region(region);
            long local = at - r.start();
            long n = Math.min(end - at, r.size() - local);
            MemorySegment segment = segments[region];
            long backed = Math.min(n, Math.max(0, segment.byteSize() - local));
            if ((releasable[region] || (remote != null && remote[region] != null)) && backed > 0) {
                try {
                    if (releasable[region]) {
                        segment.asSlice(local, backed).unload();
                        released += backed;
                    } else {
                        released += remote[region].release(local, backed);
                    }
                } catch (IllegalStateException | InternalError e) {
                    break; // closing: the pages go with the mapping
                }
            }
            at += n;
            region++;
        }
        if (released > 0) {
            stats.released(released);
        }
        return released;
    }

    /**
     * Copies between the store and one other side: a host segment ({@code host}, read or written)
     * or a sink ({@code sink}, written from the store). Checks the range, moves it, and counts the
     * operation (or its failure) once.
     */
    void transfer(
            String op,
            long offset,
            long len,
            boolean write,
            MemorySegment host,
            SegmentSink sink,
            long sinkOffset)
            throws Memory64Exception {
        int region = checkRange(op, offset, len, write);
        if (remote != null) {
            fetch(op, offset, len, region);
        }
        try {
            move(op, offset, len, region, write, host, 0, sink, sinkOffset);
        } finally {
            if (remote != null) {
                unpin(offset, len, region);
            }
        }
        if (write) {
            stats.write(len);
        } else {
            stats.read(len);
        }
    }

    /**
     * Reads {@code len} bytes of a layer's logical byte sequence from {@code layerOffset} into a
     * host segment or a sink, across as many extents as the range covers: every piece is checked
     * before the first byte moves, and the whole is counted as one read. The caller has checked
     * {@code [layerOffset, layerOffset + len)} against the layer's size.
     */
    void transferLayer(
            String op,
            Layer layer,
            long layerOffset,
            long len,
            MemorySegment host,
            SegmentSink sink,
            long sinkOffset)
            throws Memory64Exception {
        List<Layer.Extent> extents = layer.extents();
        if (extents.size() == 1) {
            transfer(op, layer.offset() + layerOffset, len, false, host, sink, sinkOffset);
            return;
        }
        int first = 0;
        long skip = layerOffset;
        while (first < extents.size() - 1 && skip >= extents.get(first).size()) {
            skip -= extents.get(first).size();
            first++;
        }
        long remaining = len;
        long at = skip;
        for (int i = first; remaining > 0; i++, at = 0) {
            Layer.Extent e = extents.get(i);
            long n = Math.min(remaining, e.size() - at);
            checkRange(op, e.offset() + at, n, false);
            remaining -= n;
        }
        if (len == 0) {
            checkRange(op, extents.get(first).offset() + skip, 0, false);
        }
        if (remote != null) {
            fetchExtents(op, extents, first, skip, len);
        }
        try {
            moveExtents(op, extents, first, skip, len, host, sink, sinkOffset);
        } finally {
            if (remote != null) {
                unpinExtents(extents, first, skip, len);
            }
        }
        stats.read(len);
    }

    private void moveExtents(
            String op,
            List<Layer.Extent> extents,
            int first,
            long skip,
            long len,
            MemorySegment host,
            SegmentSink sink,
            long sinkOffset)
            throws Memory64Exception {
        long done = 0;
        long at = skip;
        for (int i = first; done < len; i++, at = 0) {
            Layer.Extent e = extents.get(i);
            long n = Math.min(len - done, e.size() - at);
            long offset = e.offset() + at;
            move(
                    op,
                    offset,
                    n,
                    layout.regionIndex(offset),
                    false,
                    host,
                    done,
                    sink,
                    sinkOffset + done);
            done += n;
        }
    }

    /** Fetches and pins the remote parts of a layer's extents; on failure nothing stays pinned. */
    private void fetchExtents(String op, List<Layer.Extent> extents, int first, long skip, long len)
            throws Memory64Exception {
        long done = 0;
        long at = skip;
        try {
            for (int i = first; done < len; i++, at = 0) {
                Layer.Extent e = extents.get(i);
                long n = Math.min(len - done, e.size() - at);
                long offset = e.offset() + at;
                fetch(op, offset, n, layout.regionIndex(offset));
                done += n;
            }
        } catch (Memory64Exception | RuntimeException failure) {
            unpinExtents(extents, first, skip, done);
            throw failure;
        }
    }

    /** Unpins the first {@code pinned} bytes of what {@link #fetchExtents} pinned. */
    private void unpinExtents(List<Layer.Extent> extents, int first, long skip, long pinned) {
        long done = 0;
        long at = skip;
        for (int i = first; done < pinned; i++, at = 0) {
            Layer.Extent e = extents.get(i);
            long n = Math.min(pinned - done, e.size() - at);
            long offset = e.offset() + at;
            unpin(offset, n, layout.regionIndex(offset));
            done += n;
        }
    }

    /**
     * The chunk loop: moves a checked range region by region in chunks of at most {@link
     * #CHUNK_SIZE}, checking for close between chunks; {@code hostOffset} is where the range starts
     * in {@code host}.
     */
    private void move(
            String op,
            long offset,
            long len,
            int firstRegion,
            boolean write,
            MemorySegment host,
            long hostOffset,
            SegmentSink sink,
            long sinkOffset)
            throws Memory64Exception {
        int region = firstRegion;
        boolean interruptedBefore = Thread.currentThread().isInterrupted();
        long done = 0;
        try {
            while (done < len) {
                MemoryRegion r = layout.region(region);
                long local = offset + done - r.start();
                long n = Math.min(Math.min(len - done, r.size() - local), CHUNK_SIZE);
                if (closed) {
                    throw rejected(closedException(op, offset, len, null));
                }
                if (sink != null) {
                    sink.write(sinkOffset + done, segments[region], local, n);
                } else if (write) {
                    MemorySegment.copy(host, hostOffset + done, segments[region], local, n);
                } else {
                    MemorySegment.copy(segments[region], local, host, hostOffset + done, n);
                }
                done += n;
                if (local + n == r.size()) {
                    region++;
                }
                Residency observer = residency;
                if (observer != null && !write) {
                    observer.onRead(offset + done - n, n);
                }
            }
        } catch (InternalError | IllegalStateException e) {
            if (e instanceof StoreClosedException) {
                throw e;
            }
            if (closed && !interruptedBefore) {
                // The JDK stops a thread inside a copy from a closing shared arena with an
                // asynchronous exception, and sets the thread's interrupt flag on the way. That
                // flag is not the caller's: a Wasm runtime would trap the guest on it later.
                Thread.interrupted();
            }
            throw translate(op, offset, len, region, e);
        }
    }

    /**
     * Makes the remote parts of a checked range present in their caches, and pins them, before any
     * byte of it moves, so that a failed fetch writes nothing and no release frees them under the
     * copy; counts and throws the failure, leaving nothing pinned.
     */
    private void fetch(String op, long offset, long len, int firstRegion) throws Memory64Exception {
        long end = offset + len;
        for (int i = firstRegion; i < remote.length && layout.region(i).start() < end; i++) {
            if (remote[i] == null) {
                continue;
            }
            MemoryRegion r = layout.region(i);
            long local = Math.max(offset, r.start()) - r.start();
            long n = Math.min(end, r.end()) - r.start() - local;
            try {
                remote[i].ensure(local, n);
            } catch (RemoteFetchException e) {
                unpin(offset, r.start() - Math.min(offset, r.start()), firstRegion);
                if (closed) {
                    throw rejected(closedException(op, offset, len, e));
                }
                throw rejected(e);
            }
        }
    }

    /** Unpins what {@link #fetch} pinned of {@code [offset, offset + len)}. */
    private void unpin(long offset, long len, int firstRegion) {
        long end = offset + len;
        for (int i = firstRegion; i < remote.length && layout.region(i).start() < end; i++) {
            if (remote[i] != null) {
                MemoryRegion r = layout.region(i);
                long local = Math.max(offset, r.start()) - r.start();
                remote[i].unpin(local, Math.min(end, r.end()) - r.start() - local);
            }
        }
    }

    private static void closeCaches(ChunkCache[] caches) {
        if (caches != null) {
            for (ChunkCache cache : caches) {
                if (cache != null) {
                    cache.close();
                }
            }
        }
    }

    /**
     * Brings the mapped pages of a range into memory (a remote region's chunks into its cache),
     * chunk by chunk, counting them as prefetched and telling {@code progress} the bytes done after
     * each; stops early when {@code stop} says so or the store closes. Pieces in allocated or
     * reserved regions are passed over and not counted: there is nothing to bring in.
     *
     * @return true if the whole range was brought in, false if it stopped early
     */
    boolean load(long offset, long len, BooleanSupplier stop, LongConsumer progress) {
        long end = offset + len;
        long at = offset;
        int region = layout.regionIndex(offset);
        while (at < end) {
            if (closed || stop.getAsBoolean()) {
                return false;
            }
            MemoryRegion r = layout.region(region);
            long local = at - r.start();
            long n = Math.min(Math.min(end - at, r.size() - local), CHUNK_SIZE);
            MemorySegment segment = segments[region];
            if (remote != null && remote[region] != null) {
                // The whole piece at once, so that its chunks are fetched in parallel.
                n = Math.min(end - at, r.size() - local);
                try {
                    long backed = Math.min(n, segment.byteSize() - local);
                    remote[region].ensure(local, backed);
                    remote[region].unpin(local, backed);
                    stats.prefetched(backed);
                } catch (RemoteFetchException e) {
                    LOG.debug("load: {}", e.getMessage());
                    return false;
                }
            } else if (segment.isMapped() && local + n <= segment.byteSize()) {
                segment.asSlice(local, n).load();
                stats.prefetched(n);
            }
            at += n;
            if (at == r.end()) {
                region++;
            }
            progress.accept(at - offset);
        }
        return true;
    }

    /**
     * Checks a range and returns the index of the region holding its first byte; counts and throws
     * on a bad range. The messages are built apart, so that this stays small enough to inline.
     */
    private int checkRange(String op, long offset, long len, boolean write) {
        if (closed) {
            throw rejected(closedException(op, offset, len, null));
        }
        long size = layout.size();
        if ((offset | len) < 0 || len > size - offset) {
            throw outsideLayout(op, offset, len);
        }
        if (len == 0) {
            return offset < size ? layout.regionIndex(offset) : layout.regionCount() - 1;
        }
        int first = layout.regionIndex(offset);
        long end = offset + len;
        for (int i = first; i < segments.length && layout.region(i).start() < end; i++) {
            MemoryRegion r = layout.region(i);
            long backedEnd = r.start() + segments[i].byteSize();
            if (end > backedEnd && backedEnd < r.end()) {
                throw pastBacked(op, offset, len, i);
            }
            if (write && !writable[i]) {
                throw readOnly(op, offset, len, i);
            }
        }
        return first;
    }

    private StoreRangeException outsideLayout(String op, long offset, long len) {
        return rejected(
                new StoreRangeException(
                        op
                                + " offset="
                                + Unsigned64.toString(offset)
                                + " len="
                                + Unsigned64.toString(len)
                                + " exceeds layout size="
                                + layout.size()
                                + " ("
                                + describeRegionAt(offset)
                                + ")"));
    }

    private StoreRangeException pastBacked(String op, long offset, long len, int i) {
        MemoryRegion r = layout.region(i);
        return rejected(
                new StoreRangeException(
                        op
                                + " offset="
                                + offset
                                + " len="
                                + len
                                + " reaches past the backed part of region \""
                                + r.name()
                                + "\" ("
                                + backings[i]
                                + ", "
                                + segments[i].byteSize()
                                + " of "
                                + r.size()
                                + " bytes backed)"));
    }

    private IllegalStateException readOnly(String op, long offset, long len, int i) {
        return rejected(
                new IllegalStateException(
                        op
                                + " offset="
                                + offset
                                + " len="
                                + len
                                + " touches read-only region \""
                                + layout.region(i).name()
                                + "\" ("
                                + backings[i]
                                + ")"));
    }

    /** Counts a rejected or failed operation and logs it at DEBUG, then returns it to throw. */
    <T extends Exception> T rejected(T failure) {
        stats.error();
        LOG.debug("{}", failure.getMessage());
        return failure;
    }

    private String describeRegionAt(long offset) {
        MemoryRegion r =
                layout.contains(offset)
                        ? layout.findRegion(offset)
                        : layout.region(layout.regionCount() - 1);
        return "region \"" + r.name() + "\", " + Bytes.binary(r.size());
    }

    /**
     * Turns a failure during a copy into the store's own: closed, or a storage fault. Anything else
     * (an {@link IllegalStateException} from a destination that is not ours) is rethrown as is.
     */
    private Memory64Exception translate(String op, long offset, long len, int region, Throwable e) {
        if (closed) {
            throw rejected(closedException(op, offset, len, e));
        }
        if (e instanceof IllegalStateException ise) {
            throw ise; // not ours: the caller's destination failed
        }
        MemoryRegion r = layout.region(Math.min(region, layout.regionCount() - 1));
        return rejected(
                new Memory64Exception(
                        op
                                + " offset="
                                + offset
                                + " len="
                                + len
                                + ": the storage of region \""
                                + r.name()
                                + "\" ("
                                + backings[r.index()]
                                + ") faulted; a mapped file may have been truncated, or the"
                                + " file system behind a reserved region is full",
                        e));
    }

    StoreClosedException closedException(String op, long offset, long len, Throwable e) {
        return new StoreClosedException(
                op
                        + " offset="
                        + Unsigned64.toString(offset)
                        + " len="
                        + Unsigned64.toString(len)
                        + ": store \""
                        + storeName
                        + "\" is closed",
                e);
    }

    /**
     * Marks the storage closed and releases every segment. A thread inside a chunk may briefly keep
     * the arena busy; it stops at the next chunk, so this spins until the arena closes.
     */
    void close() {
        closed = true;
        closeCaches(remote);
        while (true) {
            try {
                arena.close();
                return;
            } catch (IllegalStateException busy) {
                if (!arena.scope().isAlive()) {
                    return;
                }
                Thread.onSpinWait();
            }
        }
    }
}
