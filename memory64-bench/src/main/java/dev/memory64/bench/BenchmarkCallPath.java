package dev.memory64.bench;

import dev.memory64.Memory64Exception;
import dev.memory64.Memory64Store;
import dev.memory64.SegmentSink;
import dev.memory64.abi.GuestMemory;
import dev.memory64.abi.Memory64Abi;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Where the time of a 64-byte {@code memory64_read} goes, layer by layer, on the host side with no
 * guest: the bare {@code MemorySegment.copy} of 64 bytes from an off-heap segment into another (the
 * guest's memory), with a constant length and with a length read from a field; the same through the
 * store ({@code Memory64Store.copyTo} into a sink: range check, close checks, statistics); the same
 * through the ABI ({@code Memory64Abi.read} into a {@code GuestMemory}: argument checks, access
 * policy); and the one atomic update the store's statistics make per operation (a compare-and-set
 * and a release store on a cell, as {@code StatsCounter} does), alone and after the copy. The guest
 * call around them is {@link BenchmarkCallCost}'s.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(2)
@Warmup(iterations = 3, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 5, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@State(Scope.Thread)
public class BenchmarkCallPath {

    private static final int SIZE = BenchmarkCallCost.READ_SIZE;

    private Arena arena;
    private MemorySegment guest;
    private MemorySegment source;
    private Memory64Store store;
    private Memory64Abi abi;
    private GuestMemory view;
    private SegmentSink sink;
    private final AtomicLongArray cell = new AtomicLongArray(16);
    private long length = SIZE;

    /** Creates the benchmark; JMH does. */
    public BenchmarkCallPath() {}

    /**
     * Creates the store, the guest's memory as a plain segment, and the views over it.
     *
     * @throws Memory64Exception if the store cannot be filled
     */
    @Setup(Level.Trial)
    public void setUp() throws Memory64Exception {
        arena = Arena.ofShared();
        guest = arena.allocate(2 * BenchmarkGuests.DST_PTR, 64);
        source = BenchmarkGuests.randomSegment(arena, BenchmarkGuests.DST_PTR, 0);
        store = BenchmarkGuests.store(BenchmarkGuests.DST_PTR, 1);
        abi = Memory64Abi.builder(store).build();
        view = new SegmentGuest(guest);
        sink = view;
    }

    /** Releases the store and the segments. */
    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            store.close();
        } finally {
            arena.close();
        }
    }

    /**
     * {@code MemorySegment.copy} of 64 bytes, off-heap to off-heap.
     *
     * @return the bytes copied
     */
    @Benchmark
    public long copy() {
        MemorySegment.copy(source, 0, guest, BenchmarkGuests.DST_PTR, SIZE);
        return SIZE;
    }

    /**
     * {@code MemorySegment.copy} of 64 bytes whose length the JIT cannot see as a constant, as a
     * guest's length never is: what the store's and the ABI's copy costs.
     *
     * @return the bytes copied
     */
    @Benchmark
    public long copyAnyLength() {
        long n = length;
        MemorySegment.copy(source, 0, guest, BenchmarkGuests.DST_PTR, n);
        return n;
    }

    /**
     * The store's copy of 64 bytes into a sink that copies them into the guest's segment.
     *
     * @return the bytes copied
     * @throws Memory64Exception never here
     */
    @Benchmark
    public long store() throws Memory64Exception {
        store.copyTo(0, sink, BenchmarkGuests.DST_PTR, SIZE);
        return SIZE;
    }

    /**
     * The ABI's {@code memory64_read} of 64 bytes into a guest memory over the segment.
     *
     * @return the result, 64
     */
    @Benchmark
    public long abi() {
        return abi.read(view, 0, BenchmarkGuests.DST_PTR, SIZE);
    }

    /**
     * The statistics' atomic per operation: claim a cell with a compare-and-set, add, release.
     *
     * @return the cell's version
     */
    @Benchmark
    public long statsAtomic() {
        long version = cell.getOpaque(0);
        if (cell.compareAndSet(0, version, version + 1)) {
            cell.setPlain(1, cell.getPlain(1) + 1);
            cell.setPlain(3, cell.getPlain(3) + SIZE);
            cell.setRelease(0, version + 2);
        }
        return version;
    }

    /**
     * The copy, then the statistics' atomic, as the store does them: the atomic is a full fence, so
     * it also waits for the copy's stores to drain.
     *
     * @return the cell's version
     */
    @Benchmark
    public long copyThenStatsAtomic() {
        copy();
        return statsAtomic();
    }

    /** A guest memory over a segment, as the adapters' view of a {@code SegmentMemory} is. */
    static final class SegmentGuest implements GuestMemory {
        private final MemorySegment segment;

        SegmentGuest(MemorySegment segment) {
            this.segment = segment;
        }

        @Override
        public long size() {
            return segment.byteSize();
        }

        @Override
        public void write(long offset, MemorySegment src) {
            MemorySegment.copy(src, 0, segment, offset, src.byteSize());
        }

        @Override
        public void write(long offset, MemorySegment src, long srcOffset, long len) {
            MemorySegment.copy(src, srcOffset, segment, offset, len);
        }

        @Override
        public void read(long offset, MemorySegment dst) {
            MemorySegment.copy(segment, offset, dst, 0, dst.byteSize());
        }
    }
}
