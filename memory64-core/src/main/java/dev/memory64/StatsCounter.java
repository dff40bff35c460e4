package dev.memory64;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Lock-free operation counters with consistent snapshots.
 *
 * <p>Each thread counts into its own cell, guarded by a single-writer sequence number (the owner
 * makes it odd while it updates the cell, even again when done). Counting is therefore a few plain
 * stores with no contention and no allocation; a snapshot sums the cells, retrying a cell whose
 * sequence moved, so that an operation's count and its bytes are always seen together. Cells of
 * threads that have ended are folded into a base total when a snapshot is taken.
 */
final class StatsCounter {

    private static final VarHandle VERSION;

    static {
        try {
            VERSION = MethodHandles.lookup().findVarHandle(Cell.class, "version", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final class Cell {
        final WeakReference<Thread> owner;
        long version;
        long reads;
        long writes;
        long bytesRead;
        long bytesWritten;
        long errors;

        Cell(Thread owner) {
            this.owner = new WeakReference<>(owner);
        }

        void begin() {
            VERSION.setOpaque(this, version + 1);
            VarHandle.storeStoreFence();
        }

        void end() {
            VERSION.setRelease(this, version + 1);
        }
    }

    private final ThreadLocal<Cell> local = ThreadLocal.withInitial(this::newCell);
    private final ConcurrentLinkedQueue<Cell> cells = new ConcurrentLinkedQueue<>();
    private long baseReads;
    private long baseWrites;
    private long baseBytesRead;
    private long baseBytesWritten;
    private long baseErrors;

    private Cell newCell() {
        Cell cell = new Cell(Thread.currentThread());
        cells.add(cell);
        return cell;
    }

    void read(long bytes) {
        Cell cell = local.get();
        cell.begin();
        cell.reads++;
        cell.bytesRead += bytes;
        cell.end();
    }

    void write(long bytes) {
        Cell cell = local.get();
        cell.begin();
        cell.writes++;
        cell.bytesWritten += bytes;
        cell.end();
    }

    void error() {
        Cell cell = local.get();
        cell.begin();
        cell.errors++;
        cell.end();
    }

    synchronized Memory64Stats snapshot() {
        long reads = baseReads;
        long writes = baseWrites;
        long bytesRead = baseBytesRead;
        long bytesWritten = baseBytesWritten;
        long errors = baseErrors;
        for (Iterator<Cell> it = cells.iterator(); it.hasNext(); ) {
            Cell cell = it.next();
            Thread owner = cell.owner.get();
            boolean ended = owner == null || !owner.isAlive();
            long r;
            long w;
            long br;
            long bw;
            long e;
            while (true) {
                long before = (long) VERSION.getAcquire(cell);
                r = cell.reads;
                w = cell.writes;
                br = cell.bytesRead;
                bw = cell.bytesWritten;
                e = cell.errors;
                VarHandle.loadLoadFence();
                long after = (long) VERSION.getOpaque(cell);
                if ((before & 1) == 0 && before == after) {
                    break;
                }
                Thread.onSpinWait();
            }
            if (ended) {
                baseReads += r;
                baseWrites += w;
                baseBytesRead += br;
                baseBytesWritten += bw;
                baseErrors += e;
                it.remove();
            }
            reads += r;
            writes += w;
            bytesRead += br;
            bytesWritten += bw;
            errors += e;
        }
        return new Memory64Stats(reads, writes, bytesRead, bytesWritten, errors);
    }
}
