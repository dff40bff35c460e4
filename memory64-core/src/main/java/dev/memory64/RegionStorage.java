package dev.memory64;

import dev.memory64.RegionWalker.Failure;
import dev.memory64.RegionWalker.Step;
import dev.memory64.internal.Bytes;
import dev.memory64.internal.Logging;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.StringJoiner;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import org.slf4j.Logger;

/**
 * The bytes of a store: one {@link Region} per region of the layout, all in one shared {@link
 * Arena} owned here, and the one walk that every range check, pin, copy, release and load runs on.
 * The walk turns a layout range, or a layer's range through its extents, into pieces: a region, an
 * offset local to it and a length, each region by region within one extent (a span).
 */
final class RegionStorage {

    /** The most bytes one copy step moves before checking for close again: 4 MiB. */
    static final long CHUNK_SIZE = 4L << 20;

    private static final Logger LOG = Logging.logger(Logging.STORE);

    // Steps are made once (one per call would allocate on the guest's call path), on first use:
    // a cold JVM spins a class per lambda, which opening a model does not need.
    private static final class Steps {
        static final Step<Void> CHECK_READ = RegionStorage::checkRead;
        static final Step<Void> CHECK_WRITE = RegionStorage::checkWrite;
        static final Step<Void> PIN = RegionStorage::pinPiece;
        static final Step<Void> UNPIN = (c, r, local, n, at) -> r.unpin(local, n);
        static final Step<long[]> RELEASE = (sum, r, local, n, at) -> sum[0] += r.release(local, n);
    }

    // A final class, not a lambda in a field: wherever the JIT inlines the walk into a read or a
    // write, it then knows the step's exact type and can inline the copy.
    private final Copy copy = new Copy();

    private final String storeName;
    private final MemoryLayout layout;
    private final Arena arena;
    private final Region[] regions;
    private final StatsCounter stats;
    private final StoreChecks checks;
    private final RegionWalker walker;

    // Picked once, at creation: whether any region pins (a remote one), and whether any may refuse
    // a piece of a read (an unbacked tail) or of a write (that, or read-only). A store where none
    // does skips that walk, so that a guest's load walks its range once.
    private final boolean pinning;
    private final boolean refusesReads;
    private final boolean refusesWrites;

    private volatile boolean closed;
    private volatile ReadObserver observer;

    private RegionStorage(
            String storeName,
            MemoryLayout layout,
            Arena arena,
            Region[] regions,
            StatsCounter stats) {
        this.storeName = storeName;
        this.layout = layout;
        this.arena = arena;
        this.regions = regions;
        this.stats = stats;
        this.checks = new StoreChecks(storeName, layout, stats);
        this.walker = new RegionWalker(layout, regions);
        boolean pins = false;
        boolean tails = false;
        boolean readOnly = false;
        for (Region r : regions) {
            pins |= r.pins();
            tails |= r.segment.byteSize() < r.size;
            readOnly |= !r.writable();
        }
        this.pinning = pins;
        this.refusesReads = tails;
        this.refusesWrites = tails || readOnly;
    }

    /**
     * Creates every region; if one fails, those already created are released.
     *
     * @throws IOException if a file cannot be opened, created or mapped
     */
    static RegionStorage open(
            String storeName, MemoryLayout layout, RegionBacking[] backings, StatsCounter stats)
            throws IOException {
        Arena arena = Arena.ofShared();
        boolean success = false;
        try {
            Region[] regions = Region.openAll(arena, layout, backings);
            if (LOG.isInfoEnabled()) {
                StringJoiner parts = new StringJoiner("; ");
                for (Region r : regions) {
                    parts.add(r.toString());
                }
                LOG.info(
                        "opened store \"{}\": {} regions, {}: {}",
                        storeName,
                        regions.length,
                        Bytes.binary(layout.size()),
                        parts);
            }
            success = true;
            return new RegionStorage(storeName, layout, arena, regions, stats);
        } finally {
            if (!success) {
                arena.close();
            }
        }
    }

    String name() {
        return storeName;
    }

    /** The checks and refusals of this store, which count and log what they refuse. */
    StoreChecks checks() {
        return checks;
    }

    RegionBacking backing(int regionIndex) {
        return regions[regionIndex].backing;
    }

    boolean isClosed() {
        return closed;
    }

    /** Sets who is told of every chunk read, or null for none. */
    void observe(ReadObserver readObserver) {
        this.observer = readObserver;
    }

    /** Copies a host segment into the store at {@code offset}; counts one write. */
    void write(String op, long offset, MemorySegment src) throws Memory64Exception {
        long len = src.byteSize();
        check(op, walker.whole, offset, len, true); // a writable region never pins
        boolean interrupted = Thread.currentThread().isInterrupted();
        try {
            walker.walk(walker.whole, offset, len, copy, src, 0);
        } catch (Failure f) {
            throw failed(op, f, interrupted);
        }
        stats.write(len);
    }

    /** The whole layout as one extent: how a layout range is given to {@link #read}. */
    List<Layer.Extent> whole() {
        return walker.whole;
    }

    /**
     * Delivers {@code [from, from + len)} of the bytes {@code extents} hold ({@link #whole} for a
     * layout range, a layer's extents for a range of it, checked against its size) to a sink from
     * {@code sinkOffset}: checks every piece, makes the pinning regions' pieces present and pinned
     * before any byte moves (so a failed fetch writes nothing and no release frees them under the
     * copy), copies, unpins, and counts one read.
     */
    void read(
            String op,
            List<Layer.Extent> extents,
            long from,
            long len,
            SegmentSink sink,
            long sinkOffset)
            throws Memory64Exception {
        check(op, extents, from, len, false);
        if (pinning) {
            pin(op, extents, from, len);
        }
        boolean interrupted = Thread.currentThread().isInterrupted();
        try {
            walker.walk(extents, from, len, copy, sink, sinkOffset);
        } catch (Failure f) {
            throw failed(op, f, interrupted);
        } finally {
            if (pinning) {
                walker.walk(extents, from, len, Steps.UNPIN);
            }
        }
        stats.read(len);
    }

    /** Checks a range before a byte moves (open, inside the layout, backed, writable); throws. */
    private void check(String op, List<Layer.Extent> extents, long from, long len, boolean write) {
        if (closed) {
            throw checks.closed(op, from, len);
        }
        if (extents == walker.whole && ((from | len) < 0 || len > layout.size() - from)) {
            throw checks.outsideLayout(op, from, len);
        }
        if (write ? refusesWrites : refusesReads) {
            try {
                walker.walk(extents, from, len, write ? Steps.CHECK_WRITE : Steps.CHECK_READ);
            } catch (Failure f) {
                throw checks.refused(op, f.offset, f.len, f.region);
            }
        }
    }

    private static void checkRead(Void unused, Region r, long local, long n, long at) {
        if (local + n > r.segment.byteSize()) {
            throw new Failure(r, at);
        }
    }

    private static void checkWrite(Void unused, Region r, long local, long n, long at) {
        if (local + n > r.segment.byteSize() || !r.writable()) {
            throw new Failure(r, at);
        }
    }

    /** Pins a range's pieces; on failure nothing stays pinned, and the failure is counted. */
    private void pin(String op, List<Layer.Extent> extents, long from, long len)
            throws Memory64Exception {
        try {
            walker.walk(extents, from, len, Steps.PIN);
        } catch (Failure f) {
            // The piece that failed unpinned itself; the pieces before it are unpinned here.
            walker.walk(extents, from, f.at, Steps.UNPIN);
            if (f.getCause() instanceof RuntimeException e) {
                throw e;
            }
            if (closed) {
                throw checks.closed(op, f.offset, f.len, f.getCause());
            }
            throw checks.rejected((RemoteFetchException) f.getCause());
        }
    }

    private static void pinPiece(Void unused, Region r, long local, long n, long at) {
        try {
            r.pin(local, n);
        } catch (RemoteFetchException | RuntimeException e) {
            throw new Failure(r, at, e);
        }
    }

    /**
     * Turns a failure inside a copy into the store's own: closed, or a fault of the storage. An
     * {@link IllegalStateException} of a destination that is not ours passes as is.
     */
    private RuntimeException failed(String op, Failure f, boolean interruptedBefore)
            throws Memory64Exception {
        if (closed && !interruptedBefore && f.getCause() != null) {
            // The JDK stops a thread inside a copy from a closing shared arena with an
            // asynchronous exception, and sets the thread's interrupt flag on the way. That flag
            // is not the caller's: a Wasm runtime would trap the guest at its next call.
            Thread.interrupted();
        }
        if (closed) {
            throw checks.closed(op, f.offset, f.len, f.getCause());
        }
        if (f.getCause() instanceof IllegalStateException ise) {
            throw ise;
        }
        throw checks.fault(op, f.offset, f.len, f.region, f.getCause());
    }

    /**
     * Gives back the resident pages of a layout range where a region can (a read-only mapping, a
     * remote region's cache), and counts them as released. Never throws.
     *
     * @return the bytes of the range given back
     */
    long release(long offset, long len) {
        if (len <= 0 || closed || offset < 0 || len > layout.size() - offset) {
            return 0;
        }
        long[] released = new long[1];
        try {
            walker.walk(walker.whole, offset, len, Steps.RELEASE, released, 0);
        } catch (IllegalStateException | InternalError e) {
            // closing: the pages go with the mapping
        }
        if (released[0] > 0) {
            stats.released(released[0]);
        }
        return released[0];
    }

    /**
     * Brings the pages of a layout range into memory (a remote region's chunks into its cache), a
     * step at a time, counting what comes in as prefetched and telling {@code progress} the bytes
     * done after each step; stops early when {@code stop} says so, the store closes or a fetch
     * fails.
     *
     * @return true if the whole range was brought in, false if it stopped early
     */
    boolean load(long offset, long len, BooleanSupplier stop, LongConsumer progress) {
        try {
            Step<LongConsumer> step = (p, r, local, n, at) -> load(r, local, n, at, stop, p);
            walker.walk(walker.whole, offset, len, step, progress, 0);
            return true;
        } catch (Failure stopped) {
            return false;
        }
    }

    private void load(
            Region r, long local, long len, long at, BooleanSupplier stop, LongConsumer progress) {
        for (long done = 0; done < len; ) {
            if (closed || stop.getAsBoolean()) {
                throw new Failure(r, at + done);
            }
            long n = Math.min(len - done, r.loadStep());
            long loaded = r.load(local + done, n);
            if (loaded < 0) {
                throw new Failure(r, at + done);
            }
            if (loaded > 0) {
                stats.prefetched(loaded);
            }
            done += n;
            progress.accept(at + done);
        }
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

    /**
     * Marks the storage closed and releases every region. A thread inside a chunk may briefly keep
     * the arena busy; it stops at the next chunk, so this spins until the arena closes.
     */
    void close() {
        closed = true;
        for (Region r : regions) {
            r.close();
        }
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

    /**
     * Moves a piece in chunks, checking for close before each: out to a read's sink (telling the
     * observer of each chunk after it), or in from a write's source segment. A fault (which HotSpot
     * may deliver anywhere in the loop) or a close leaves as a Failure.
     */
    private final class Copy implements Step<Object> {
        @Override
        public void piece(Object sinkOrSource, Region r, long local, long len, long at) {
            long done = 0;
            try {
                while (done < len) {
                    long n = Math.min(len - done, CHUNK_SIZE);
                    if (closed) {
                        throw new Failure(r, at + done);
                    }
                    if (sinkOrSource instanceof SegmentSink sink) {
                        sink.write(at + done, r.segment, local + done, n);
                        ReadObserver o = observer;
                        if (o != null) {
                            o.onRead(r.start + local + done, n);
                        }
                    } else {
                        MemorySegment src = (MemorySegment) sinkOrSource;
                        MemorySegment.copy(src, at + done, r.segment, local + done, n);
                    }
                    done += n;
                }
            } catch (InternalError | IllegalStateException e) {
                throw e instanceof StoreClosedException closedAlready
                        ? closedAlready
                        : new Failure(r, at + done, e);
            }
        }
    }
}
