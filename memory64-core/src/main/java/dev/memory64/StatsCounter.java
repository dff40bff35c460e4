package dev.memory64;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Lock-free operation counters with consistent snapshots, in a fixed number of padded cells.
 *
 * <p>The counters live in one {@code long[]}: a few cells of {@link #STRIDE} longs each (128 bytes,
 * two cache lines, so that two cells never share a line or an adjacent-line prefetch pair). Each
 * cell is a seqlock: a writer claims it by moving its version from even to odd with a CAS, adds to
 * its counters, and releases it by making the version even again. A thread starts at a cell chosen
 * from its id and moves on to the next one when that cell is busy, so counting never waits, never
 * allocates, and needs no per-thread state: the number of cells stays fixed however many (virtual)
 * threads come and go. A snapshot sums the cells, retrying a cell that changed while it was read,
 * so that an operation's count and its bytes are always seen together.
 */
final class StatsCounter {

    /** Longs per cell: the version, the seven counters, padding to 128 bytes. */
    static final int STRIDE = 16;

    private static final int VERSION = 0;
    private static final int READS = 1;
    private static final int WRITES = 2;
    private static final int BYTES_READ = 3;
    private static final int BYTES_WRITTEN = 4;
    private static final int ERRORS = 5;
    private static final int BYTES_RELEASED = 6;
    private static final int BYTES_PREFETCHED = 7;

    private static final VarHandle CELLS = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] cells;
    private final int mask;

    StatsCounter() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /** Creates counters for about {@code threads} threads counting at once (tests pick few). */
    StatsCounter(int threads) {
        int count = Integer.highestOneBit(Math.clamp(threads, 1, 32) * 2 - 1) << 1;
        this.cells = new long[count * STRIDE];
        this.mask = count - 1;
    }

    /** Returns how many cells there are; fixed at creation. */
    int cellCount() {
        return mask + 1;
    }

    void read(long bytes) {
        add(READS, BYTES_READ, bytes);
    }

    void write(long bytes) {
        add(WRITES, BYTES_WRITTEN, bytes);
    }

    void error() {
        add(ERRORS, ERRORS, 0);
    }

    /** Counts bytes of mapped pages released by the residency policy. */
    void released(long bytes) {
        add(-1, BYTES_RELEASED, bytes);
    }

    /** Counts bytes brought in by a prefetch. */
    void prefetched(long bytes) {
        add(-1, BYTES_PREFETCHED, bytes);
    }

    /** Adds one to {@code count} (none if negative) and {@code bytes} to {@code bytesField}. */
    private void add(int count, int bytesField, long bytes) {
        long id = Thread.currentThread().threadId();
        int cell = (int) (id * 0x9E3779B97F4A7C15L >>> 40) & mask;
        while (true) {
            int base = cell * STRIDE;
            long version = (long) CELLS.getOpaque(cells, base);
            if ((version & 1) == 0 && CELLS.compareAndSet(cells, base, version, version + 1)) {
                if (count >= 0) {
                    cells[base + count]++;
                }
                cells[base + bytesField] += bytes;
                CELLS.setRelease(cells, base, version + 2);
                return;
            }
            cell = (cell + 1) & mask; // busy: another thread is counting here
        }
    }

    /** A snapshot with {@code windowBytes}, a gauge the counters do not hold, alongside. */
    Memory64Stats snapshot(long windowBytes) {
        long[] t = new long[TOTALS];
        sum(t);
        return new Memory64Stats(t[0], t[1], t[2], t[3], t[4], t[5], t[6], windowBytes);
    }

    /** How many totals {@link #sum} fills. */
    static final int TOTALS = 7;

    /**
     * Fills {@code into} with one consistent reading of every counter, in the order of {@link
     * Memory64Stats}' components: reads, writes, bytesRead, bytesWritten, errors, bytesReleased,
     * bytesPrefetched. Allocates nothing.
     */
    void sum(long[] into) {
        long reads = 0;
        long writes = 0;
        long bytesRead = 0;
        long bytesWritten = 0;
        long errors = 0;
        long released = 0;
        long prefetched = 0;
        for (int base = 0; base < cells.length; base += STRIDE) {
            while (true) {
                long before = (long) CELLS.getAcquire(cells, base);
                long r = cells[base + READS];
                long w = cells[base + WRITES];
                long br = cells[base + BYTES_READ];
                long bw = cells[base + BYTES_WRITTEN];
                long e = cells[base + ERRORS];
                long rel = cells[base + BYTES_RELEASED];
                long pre = cells[base + BYTES_PREFETCHED];
                VarHandle.loadLoadFence();
                long after = (long) CELLS.getOpaque(cells, base);
                if ((before & 1) == 0 && before == after) {
                    reads += r;
                    writes += w;
                    bytesRead += br;
                    bytesWritten += bw;
                    errors += e;
                    released += rel;
                    prefetched += pre;
                    break;
                }
                Thread.onSpinWait();
            }
        }
        into[0] = reads;
        into[1] = writes;
        into[2] = bytesRead;
        into[3] = bytesWritten;
        into[4] = errors;
        into[5] = released;
        into[6] = prefetched;
    }

    /** The successful reads alone, as a snapshot would count them; allocates nothing. */
    long reads() {
        long reads = 0;
        for (int base = 0; base < cells.length; base += STRIDE) {
            reads += (long) CELLS.getOpaque(cells, base + READS);
        }
        return reads;
    }
}
