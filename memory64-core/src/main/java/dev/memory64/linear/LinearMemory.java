package dev.memory64.linear;

import dev.memory64.AlreadyClosedException;
import dev.memory64.abi.GuestMemory;
import dev.memory64.internal.Logging;
import dev.memory64.internal.SparseReservation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;

/**
 * A Wasm linear memory in one off-heap {@link MemorySegment}, written once for every runtime: the
 * bounds, every load and store width, the bulk operations, data segments, grow, the atomics and
 * wait/notify. Each runtime adapter's {@code SegmentMemory} implements its runtime's {@code Memory}
 * interface by delegating here, and passes {@link Traps} that make its runtime's exceptions.
 *
 * <p>Addresses and sizes are Wasm {@code i32}s read as unsigned. An access outside {@code [0,
 * pages() * PAGE_SIZE)} fails with {@link Traps#trap} and the runtimes' message {@code "out of
 * bounds memory access: attempted to access address: A but limit is: L and size: S"}, and changes
 * nothing. After {@link #close()} every access throws {@link AlreadyClosedException}. A page of a
 * reservation that the file system can no longer back surfaces as an {@link InternalError} that
 * says so.
 *
 * <p>A shared memory (threads proposal) is never moved: the reserved backing reserves the maximum
 * up front and the allocated one allocates it, so {@link #grow} only moves the limit, which is
 * published with release and read with acquire semantics, so that every thread sees a grow. Atomic
 * loads, stores, read-modify-writes and compare-exchanges are sequentially consistent at every
 * width (a {@link VarHandle} in volatile mode on the segment; 8- and 16-bit ones as a
 * compare-and-set loop on their aligned 32-bit word). An unaligned atomic, which a guest cannot
 * issue (the runtimes trap first), is done under one monitor, atomic only against other unaligned
 * ones.
 *
 * <p>Thread safety: {@link #grow}, {@link #zero} and {@link #close} are serialized with each other.
 * A non-shared memory is meant for one thread at a time, like the runtimes' own.
 */
public final class LinearMemory implements AutoCloseable {

    /** The Wasm page size in bytes. */
    public static final int PAGE_SIZE = 65536;

    /** How a memory holds its bytes. */
    public enum Backing {
        /** The maximum size reserved up front as a {@link SparseReservation}. */
        RESERVED,
        /** Zeroed off-heap allocations, grown by copying (never for a shared memory). */
        ALLOCATED
    }

    /**
     * Makes a runtime's exceptions for the failures a guest can cause, so that each runtime sees
     * its own traps.
     */
    public interface Traps {
        /**
         * A trap of the running guest, such as an access out of bounds.
         *
         * @param message the message
         * @return the exception to throw
         */
        RuntimeException trap(String message);

        /**
         * An active data segment that does not fit: the module cannot be instantiated.
         *
         * @param message the message
         * @return the exception to throw
         */
        RuntimeException uninstantiable(String message);

        /**
         * An operation the memory does not support, such as waiting on a non-shared memory.
         *
         * @param message the message
         * @return the exception to throw
         */
        RuntimeException unsupported(String message);

        /**
         * The waiting thread was interrupted (its interrupt status is set again).
         *
         * @param message the message
         * @return the exception to throw
         */
        RuntimeException interrupted(String message);
    }

    private static final Logger LOG = Logging.logger(LinearMemory.class);

    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;
    private static final ValueLayout.OfShort SHORT =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble DOUBLE =
            ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final VarHandle SEGMENT;

    static {
        try {
            SEGMENT =
                    MethodHandles.lookup()
                            .findVarHandle(LinearMemory.class, "segment", MemorySegment.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int initialPages;
    private final int maximumPages;
    private final boolean shared;
    private final Storage storage;
    private final Traps traps;
    private final Waiters waiters;
    private final GuestMemory guestMemory = new LinearGuestMemory(this);

    /** Serializes grow, zero and close, and the unaligned atomics. */
    private final Object monitor = new Object();

    /**
     * The bytes {@code [0, pages * PAGE_SIZE)}: replaced only by {@link #grow}, {@link #zero} and
     * {@link #close} under {@link #monitor}, published with release semantics; a non-shared memory
     * reads it plainly, a shared one with acquire semantics.
     */
    private MemorySegment segment;

    private volatile int pages;
    private volatile boolean closed;
    private DataSegments dataSegments;

    private LinearMemory(
            int initialPages, int maximumPages, boolean shared, Storage storage, Traps traps) {
        this.initialPages = initialPages;
        this.maximumPages = maximumPages;
        this.shared = shared;
        this.storage = storage;
        this.traps = traps;
        this.waiters = shared ? new Waiters() : null;
        this.pages = initialPages;
        SEGMENT.setRelease(this, storage.grow(0, bytes(initialPages)));
    }

    /**
     * Creates a memory.
     *
     * @param initialPages the initial size in pages
     * @param maximumPages the size {@link #grow} never exceeds, already capped at the runtime's
     *     maximum
     * @param shared whether the memory is shared (threads proposal): its bytes never move
     * @param backing the backing, or null for {@link Backing#RESERVED} falling back to {@link
     *     Backing#ALLOCATED} when no directory has room
     * @param directories where a reservation may go, best first
     * @param traps the runtime's exceptions
     * @return the memory, which the caller must close
     * @throws IllegalArgumentException if {@code initialPages} is negative or exceeds {@code
     *     maximumPages}
     * @throws UncheckedIOException if the backing is {@link Backing#RESERVED} and no directory
     *     could hold the reservation
     * @throws OutOfMemoryError if the allocated backing cannot allocate its bytes
     * @throws NullPointerException if {@code directories} or {@code traps} is null
     */
    public static LinearMemory create(
            int initialPages,
            int maximumPages,
            boolean shared,
            Backing backing,
            List<Path> directories,
            Traps traps) {
        Objects.requireNonNull(directories, "directories");
        Objects.requireNonNull(traps, "traps");
        if (initialPages < 0 || initialPages > maximumPages) {
            throw new IllegalArgumentException(
                    "create memory: initial pages="
                            + initialPages
                            + " exceed the maximum of "
                            + maximumPages
                            + " pages");
        }
        long initialBytes = bytes(initialPages);
        long maximumBytes = bytes(maximumPages);
        // A shared memory's bytes never move: the allocated backing allocates the maximum at once.
        long allocatedBytes = shared ? maximumBytes : initialBytes;
        Storage storage;
        if (backing == Backing.ALLOCATED) {
            storage = AllocatedStorage.allocate(allocatedBytes, maximumBytes);
        } else {
            try {
                storage = ReservedStorage.reserve(directories, maximumBytes);
            } catch (IOException e) {
                if (backing == Backing.RESERVED) {
                    throw new UncheckedIOException(e.getMessage(), e);
                }
                LOG.debug(
                        "no reservation of {} bytes possible; falling back to {}",
                        maximumBytes,
                        Backing.ALLOCATED,
                        e);
                storage = AllocatedStorage.allocate(allocatedBytes, maximumBytes);
            }
        }
        return new LinearMemory(initialPages, maximumPages, shared, storage, traps);
    }

    private static long bytes(int pages) {
        return (long) pages * PAGE_SIZE;
    }

    /**
     * The current bytes: plain for a non-shared memory, with acquire semantics for a shared one.
     */
    private MemorySegment bytes() {
        return shared ? (MemorySegment) SEGMENT.getAcquire(this) : segment;
    }

    /**
     * Returns the current bytes, {@code [0, pages() * PAGE_SIZE)}, valid until the next grow, zero
     * or close.
     *
     * @return the segment
     * @throws AlreadyClosedException if this memory is closed
     */
    public MemorySegment segment() {
        if (closed) {
            throw closedException("segment()");
        }
        return bytes();
    }

    /**
     * Returns the guest ABI's view of this memory, into which a layer load is one copy; the same
     * object on every call.
     *
     * @return the view
     */
    public GuestMemory guestMemory() {
        return guestMemory;
    }

    /**
     * Returns how this memory holds its bytes.
     *
     * @return the backing
     */
    public Backing backing() {
        return storage.backing();
    }

    /**
     * Returns whether this memory is closed.
     *
     * @return true once closed
     */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Returns whether this memory is shared.
     *
     * @return true for a shared memory
     */
    public boolean shared() {
        return shared;
    }

    /**
     * Returns the current size.
     *
     * @return the size in pages
     */
    public int pages() {
        return pages;
    }

    /**
     * Returns the initial size.
     *
     * @return the initial page count
     */
    public int initialPages() {
        return initialPages;
    }

    /**
     * Returns the size {@link #grow} never exceeds.
     *
     * @return the maximum page count
     */
    public int maximumPages() {
        return maximumPages;
    }

    /**
     * Returns the monitor that grow, zero, close and the unaligned atomics hold.
     *
     * @return the monitor, the same object for every call
     */
    public Object monitor() {
        return monitor;
    }

    /**
     * Releases the bytes; does nothing if closed already. An access running on another thread fails
     * with an exception, never a crash.
     *
     * @throws IllegalStateException if a segment of this memory is in use by an operation that
     *     acquired it; the memory then stays open
     */
    @Override
    public void close() {
        synchronized (monitor) {
            if (closed) {
                return;
            }
            // Closed first: an access that the arena's close makes fail must report "closed".
            closed = true;
            try {
                storage.close();
            } catch (IllegalStateException e) {
                closed = false;
                throw e;
            }
            if (waiters != null) {
                // A thread waiting on this memory would otherwise sleep forever.
                waiters.close();
            }
        }
    }

    /**
     * Grows by {@code size} zero pages; only the limit moves where the bytes never move.
     *
     * @param size the pages to add, read as unsigned
     * @return the previous page count, or -1 (and no change) past the maximum or without memory
     * @throws AlreadyClosedException if this memory is closed
     */
    public int grow(int size) {
        synchronized (monitor) {
            if (closed) {
                throw closedException("grow pages=" + Integer.toUnsignedString(size));
            }
            int previous = pages;
            // Overflow-free: maximumPages >= previous >= 0, and a negative size is unsigned-huge.
            if (size < 0 || size > maximumPages - previous) {
                return -1;
            }
            if (size == 0) {
                return previous;
            }
            int next = previous + size;
            MemorySegment grown = storage.grow(bytes(previous), bytes(next));
            if (grown == null) {
                return -1;
            }
            SEGMENT.setRelease(this, grown);
            pages = next;
            return previous;
        }
    }

    /**
     * Sets every byte to zero; with the reserved backing by replacing the reservation, which
     * releases every touched page.
     *
     * @throws AlreadyClosedException if this memory is closed
     * @throws IllegalStateException if a segment is in use by an operation that acquired it
     */
    public void zero() {
        synchronized (monitor) {
            if (closed) {
                throw closedException("zero()");
            }
            SEGMENT.setRelease(this, storage.clear(segment.byteSize()));
        }
    }

    // ---- data segments

    /**
     * Writes an active data segment at {@code offset}.
     *
     * @param offset the first address written, read as unsigned
     * @param data the segment's bytes
     * @throws RuntimeException {@link Traps#uninstantiable} if it does not fit; nothing is written
     * @throws AlreadyClosedException if this memory is closed
     */
    public void initializeActive(int offset, byte[] data) {
        if (closed) {
            throw closedException("initialize", offset, data.length);
        }
        MemorySegment target = bytes();
        if (outOfBounds(offset, data.length, target.byteSize())) {
            if (closed) {
                throw closedException("initialize", offset, data.length);
            }
            throw traps.uninstantiable(outOfBoundsMessage(offset, target.byteSize(), data.length));
        }
        try {
            MemorySegment.copy(data, 0, target, BYTE, offset, data.length);
        } catch (IndexOutOfBoundsException | IllegalStateException | InternalError e) {
            throw accessFailure(e, "initialize", offset, data.length);
        }
    }

    /**
     * A module's data segments as the runtime holds them, so that a drop by the runtime's instance
     * is seen here and one here is seen there.
     */
    public interface DataSegments {
        /**
         * Returns the number of segments.
         *
         * @return the count
         */
        int count();

        /**
         * Returns a segment's bytes, empty once dropped.
         *
         * @param index the segment's index, in range
         * @return the bytes, not to be modified
         */
        byte[] data(int index);

        /**
         * Drops a segment: it becomes empty.
         *
         * @param index the segment's index, in range
         */
        void drop(int index);
    }

    /**
     * Keeps the module's data segments for {@link #initPassive} and {@link #drop}.
     *
     * @param segments the segments, or null for none
     * @throws AlreadyClosedException if this memory is closed
     */
    public void keepDataSegments(DataSegments segments) {
        if (closed) {
            throw closedException("initialize");
        }
        this.dataSegments = segments;
    }

    /**
     * Copies bytes of a data segment into this memory ({@code memory.init}).
     *
     * @param segmentId the segment's index
     * @param dest the first address written, read as unsigned
     * @param offset the first byte of the segment copied, read as unsigned
     * @param size the number of bytes, read as unsigned
     * @throws RuntimeException {@link Traps#trap} for an unknown segment or a range outside the
     *     segment or this memory; nothing is written then
     * @throws AlreadyClosedException if this memory is closed
     */
    public void initPassive(int segmentId, int dest, int offset, int size) {
        write(dest, dataSegment(segmentId), offset, size);
    }

    /**
     * Drops a data segment ({@code data.drop}): it becomes empty.
     *
     * @param segmentId the segment's index
     * @throws RuntimeException {@link Traps#trap} for an unknown segment
     */
    public void drop(int segmentId) {
        dataSegment(segmentId);
        dataSegments.drop(segmentId);
    }

    private byte[] dataSegment(int segmentId) {
        DataSegments segments = dataSegments;
        int count = segments == null ? 0 : segments.count();
        if (segmentId < 0 || segmentId >= count) {
            throw traps.trap(
                    "unknown data segment " + Integer.toUnsignedString(segmentId) + " of " + count);
        }
        return segments.data(segmentId);
    }

    // ---- bulk

    /**
     * Writes {@code size} bytes of {@code data} from {@code offset} at {@code addr}.
     *
     * @param addr the first address written, read as unsigned
     * @param data the source
     * @param offset the first byte of {@code data}, read as unsigned
     * @param size the number of bytes, read as unsigned
     * @throws RuntimeException {@link Traps#trap} if either range is out of bounds (the source
     *     range names {@code offset} and {@code data.length}); nothing is written then
     * @throws AlreadyClosedException if this memory is closed
     */
    public void write(int addr, byte[] data, int offset, int size) {
        if (outOfBounds(offset, size, data.length)) {
            throw traps.trap(outOfBoundsMessage(offset, data.length, size));
        }
        MemorySegment target = bytes();
        if (outOfBounds(addr, size, target.byteSize())) {
            throw outOfBounds("write", addr, target.byteSize(), size);
        }
        try {
            MemorySegment.copy(data, offset, target, BYTE, addr, size);
        } catch (IndexOutOfBoundsException | IllegalStateException | InternalError e) {
            throw accessFailure(e, "write", addr, size);
        }
    }

    /**
     * Reads {@code len} bytes from {@code addr} into a new array.
     *
     * @param addr the first address, read as unsigned
     * @param len the number of bytes, read as unsigned
     * @return the bytes
     * @throws RuntimeException {@link Traps#trap} if the range is out of bounds
     * @throws AlreadyClosedException if this memory is closed
     */
    public byte[] readBytes(int addr, int len) {
        MemorySegment source = bytes();
        if (outOfBounds(addr, len, source.byteSize())) {
            throw outOfBounds("readBytes", addr, source.byteSize(), len);
        }
        try {
            byte[] result = new byte[len];
            MemorySegment.copy(source, BYTE, addr, result, 0, len);
            return result;
        } catch (IndexOutOfBoundsException | IllegalStateException | InternalError e) {
            throw accessFailure(e, "readBytes", addr, len);
        }
    }

    /**
     * Sets {@code [fromIndex, toIndex)} to {@code value}; the size is {@code toIndex - fromIndex}.
     *
     * @param value the byte
     * @param fromIndex the first address, read as unsigned
     * @param toIndex the address after the last
     * @throws RuntimeException {@link Traps#trap} if the range is out of bounds; nothing is written
     * @throws AlreadyClosedException if this memory is closed
     */
    public void fill(byte value, int fromIndex, int toIndex) {
        int size = toIndex - fromIndex;
        MemorySegment target = bytes();
        if (outOfBounds(fromIndex, size, target.byteSize())) {
            throw outOfBounds("fill", fromIndex, target.byteSize(), size);
        }
        try {
            target.asSlice(fromIndex, size).fill(value);
        } catch (IndexOutOfBoundsException | IllegalStateException | InternalError e) {
            throw accessFailure(e, "fill", fromIndex, size);
        }
    }

    /**
     * Copies {@code size} bytes from {@code src} to {@code dest}; the ranges may overlap.
     *
     * @param dest the first address written, read as unsigned
     * @param src the first address read, read as unsigned
     * @param size the number of bytes, read as unsigned
     * @throws RuntimeException {@link Traps#trap} if either range is out of bounds; nothing is
     *     written then
     * @throws AlreadyClosedException if this memory is closed
     */
    public void copy(int dest, int src, int size) {
        MemorySegment target = bytes();
        long limit = target.byteSize();
        if (outOfBounds(dest, size, limit)) {
            throw outOfBounds("copy", dest, limit, size);
        }
        if (outOfBounds(src, size, limit)) {
            throw outOfBounds("copy", src, limit, size);
        }
        try {
            MemorySegment.copy(target, src, target, dest, size);
        } catch (IndexOutOfBoundsException | IllegalStateException | InternalError e) {
            throw accessFailure(e, "copy", dest, size);
        }
    }

    // ---- loads and stores: little-endian, any alignment

    /**
     * Reads a byte.
     *
     * @param addr the address, read as unsigned
     * @return the byte
     */
    public byte read(int addr) {
        try {
            return bytes().get(BYTE, addr);
        } catch (IndexOutOfBoundsException | IllegalStateException | InternalError e) {
            throw accessFailure(e, "read", addr, Byte.BYTES);
        }
    }

    /**
     * Writes a byte.
     *
     * @param addr the address, read as unsigned
     * @param data the byte
     */
    public void writeByte(int addr, byte data) {
        try {
            bytes().set(BYTE, addr, data);
        } catch (IndexOutOfBoundsException | IllegalStateException | InternalError e) {
            throw accessFailure(e, "writeByte", addr, Byte.BYTES);
        }
    }

    /**
     * Reads a 16-bit value.
     *
     * @param addr the address of its first byte, read as unsigned
     * @param op the operation named in a failure's message
     * @return the value
     */
    public short readShort(int addr, String op) {
        try {
            return bytes().get(SHORT, addr);
        } catch (IndexOutOfBoundsException | IllegalStateException | InternalError e) {
            throw accessFailure(e, op, addr, Short.BYTES);
        }
    }

    /**
     * Writes a 16-bit value.
     *
     * @param addr the address of its first byte, read as unsigned
     * @param data the value
     */
    public void writeShort(int addr, short data) {
        try {
            bytes().set(SHORT, addr, data);
        } catch (IndexOutOfBoundsException | IllegalStateException | InternalError e) {
            throw accessFailure(e, "writeShort", addr, Short.BYTES);
        }
    }

    /**
     * Reads a 32-bit value.
     *
     * @param addr the address of its first byte, read as unsigned
     * @param op the operation named in a failure's message
     * @return the value
     */
    public int readInt(int addr, String op) {
        try {
            return bytes().get(INT, addr);
        } catch (IndexOutOfBoundsException | IllegalStateException | InternalError e) {
            throw accessFailure(e, op, addr, Integer.BYTES);
        }
    }

    /**
     * Writes a 32-bit value.
     *
     * @param addr the address of its first byte, read as unsigned
     * @param data the value
     */
    public void writeInt(int addr, int data) {
        try {
            bytes().set(INT, addr, data);
        } catch (IndexOutOfBoundsException | IllegalStateException | InternalError e) {
            throw accessFailure(e, "writeI32", addr, Integer.BYTES);
        }
    }

    /**
     * Reads a 64-bit value.
     *
     * @param addr the address of its first byte, read as unsigned
     * @param op the operation named in a failure's message
     * @return the value
     */
    public long readLong(int addr, String op) {
        try {
            return bytes().get(LONG, addr);
        } catch (IndexOutOfBoundsException | IllegalStateException | InternalError e) {
            throw accessFailure(e, op, addr, Long.BYTES);
        }
    }

    /**
     * Writes a 64-bit value.
     *
     * @param addr the address of its first byte, read as unsigned
     * @param data the value
     */
    public void writeLong(int addr, long data) {
        try {
            bytes().set(LONG, addr, data);
        } catch (IndexOutOfBoundsException | IllegalStateException | InternalError e) {
            throw accessFailure(e, "writeLong", addr, Long.BYTES);
        }
    }

    /**
     * Reads an {@code f32}.
     *
     * @param addr the address of its first byte, read as unsigned
     * @return the value, bits as in memory
     */
    public float readFloat(int addr) {
        try {
            return bytes().get(FLOAT, addr);
        } catch (IndexOutOfBoundsException | IllegalStateException | InternalError e) {
            throw accessFailure(e, "readFloat", addr, Float.BYTES);
        }
    }

    /**
     * Writes an {@code f32}.
     *
     * @param addr the address of its first byte, read as unsigned
     * @param data the value, raw bits written
     */
    public void writeFloat(int addr, float data) {
        try {
            bytes().set(FLOAT, addr, data);
        } catch (IndexOutOfBoundsException | IllegalStateException | InternalError e) {
            throw accessFailure(e, "writeF32", addr, Float.BYTES);
        }
    }

    /**
     * Reads an {@code f64}.
     *
     * @param addr the address of its first byte, read as unsigned
     * @return the value, bits as in memory
     */
    public double readDouble(int addr) {
        try {
            return bytes().get(DOUBLE, addr);
        } catch (IndexOutOfBoundsException | IllegalStateException | InternalError e) {
            throw accessFailure(e, "readDouble", addr, Double.BYTES);
        }
    }

    /**
     * Writes an {@code f64}.
     *
     * @param addr the address of its first byte, read as unsigned
     * @param data the value, raw bits written
     */
    public void writeDouble(int addr, double data) {
        try {
            bytes().set(DOUBLE, addr, data);
        } catch (IndexOutOfBoundsException | IllegalStateException | InternalError e) {
            throw accessFailure(e, "writeF64", addr, Double.BYTES);
        }
    }

    // ---- atomics: sequentially consistent

    /** A read-modify-write operation of the threads proposal. */
    public enum Rmw {
        /** {@code rmw.add}. */
        ADD,
        /** {@code rmw.and}. */
        AND,
        /** {@code rmw.or}. */
        OR,
        /** {@code rmw.xor}. */
        XOR,
        /** {@code rmw.xchg}. */
        XCHG;

        long apply(long old, long operand) {
            return switch (this) {
                case ADD -> old + operand;
                case AND -> old & operand;
                case OR -> old | operand;
                case XOR -> old ^ operand;
                case XCHG -> operand;
            };
        }
    }

    /** A full memory fence ({@code atomic.fence}). */
    public void fence() {
        VarHandle.fullFence();
    }

    /**
     * Atomically reads {@code width} bytes (1, 2, 4 or 8) at {@code addr}.
     *
     * @param addr the address, read as unsigned
     * @param width the width in bytes
     * @return the value, zero-extended for widths below 8
     */
    public long atomicLoad(int addr, int width) {
        if (!aligned(addr, width)) {
            synchronized (monitor) {
                return plainLoad(addr, width, "atomicLoad");
            }
        }
        try {
            return SegmentAtomics.load(bytes(), Integer.toUnsignedLong(addr), width);
        } catch (IndexOutOfBoundsException | IllegalStateException | InternalError e) {
            throw accessFailure(e, "atomicLoad", addr, width);
        }
    }

    /**
     * Atomically writes the low {@code width} bytes (1, 2, 4 or 8) of {@code value} at {@code
     * addr}.
     *
     * @param addr the address, read as unsigned
     * @param width the width in bytes
     * @param value the value
     */
    public void atomicStore(int addr, int width, long value) {
        if (!aligned(addr, width)) {
            synchronized (monitor) {
                plainStore(addr, width, value);
            }
            return;
        }
        try {
            SegmentAtomics.store(bytes(), Integer.toUnsignedLong(addr), width, value);
        } catch (IndexOutOfBoundsException | IllegalStateException | InternalError e) {
            throw accessFailure(e, "atomicStore", addr, width);
        }
    }

    /**
     * Atomically applies {@code op} with {@code operand} to the {@code width} bytes at {@code
     * addr}.
     *
     * @param op the operation
     * @param addr the address, read as unsigned
     * @param width the width in bytes: 1, 2, 4 or 8
     * @param operand the operand; only its low {@code width} bytes count
     * @return the old value, zero-extended for widths below 8
     */
    public long atomicRmw(Rmw op, int addr, int width, long operand) {
        if (!aligned(addr, width)) {
            synchronized (monitor) {
                long old = plainLoad(addr, width, "atomicRmw");
                plainStore(addr, width, op.apply(old, operand));
                return old;
            }
        }
        try {
            return SegmentAtomics.readModifyWrite(
                    bytes(), Integer.toUnsignedLong(addr), width, op, operand);
        } catch (IndexOutOfBoundsException | IllegalStateException | InternalError e) {
            throw accessFailure(e, "atomicRmw", addr, width);
        }
    }

    /**
     * Atomically replaces the {@code width} bytes at {@code addr} with {@code replacement} if they
     * equal {@code expected}.
     *
     * @param addr the address, read as unsigned
     * @param width the width in bytes: 1, 2, 4 or 8
     * @param expected the expected value; only its low {@code width} bytes count
     * @param replacement the new value; only its low {@code width} bytes count
     * @return the old value, zero-extended for widths below 8
     */
    public long atomicCompareExchange(int addr, int width, long expected, long replacement) {
        long mask = width == 8 ? -1L : (1L << (8 * width)) - 1;
        if (!aligned(addr, width)) {
            synchronized (monitor) {
                long old = plainLoad(addr, width, "atomicCmpxchg");
                if (old == (expected & mask)) {
                    plainStore(addr, width, replacement);
                }
                return old;
            }
        }
        try {
            return SegmentAtomics.compareExchange(
                    bytes(), Integer.toUnsignedLong(addr), width, expected & mask, replacement);
        } catch (IndexOutOfBoundsException | IllegalStateException | InternalError e) {
            throw accessFailure(e, "atomicCmpxchg", addr, width);
        }
    }

    private static boolean aligned(int addr, int width) {
        return (addr & (width - 1)) == 0;
    }

    private long plainLoad(int addr, int width, String op) {
        return switch (width) {
            case 1 -> Byte.toUnsignedLong(read(addr));
            case 2 -> Short.toUnsignedLong(readShort(addr, op));
            case 4 -> Integer.toUnsignedLong(readInt(addr, op));
            default -> readLong(addr, op);
        };
    }

    private void plainStore(int addr, int width, long value) {
        switch (width) {
            case 1 -> writeByte(addr, (byte) value);
            case 2 -> writeShort(addr, (short) value);
            case 4 -> writeInt(addr, (int) value);
            default -> writeLong(addr, value);
        }
    }

    // ---- wait and notify

    /**
     * {@code memory.atomic.wait32} or {@code wait64}: waits while the {@code width}-byte value at
     * {@code addr} equals {@code expected}, until notified or timed out.
     *
     * @param addr the address, read as unsigned
     * @param width 4 or 8
     * @param expected the expected value; for width 4 its low 32 bits
     * @param timeoutNanos the longest wait in nanoseconds; negative waits forever
     * @return 0 woken, 1 not equal, 2 timed out
     * @throws RuntimeException {@link Traps#unsupported} on a non-shared memory, {@link Traps#trap}
     *     out of bounds, {@link Traps#interrupted} if the thread is interrupted
     */
    public int atomicWait(int addr, int width, long expected, long timeoutNanos) {
        if (closed) {
            throw closedException("atomicWait", addr, width);
        }
        if (!shared) {
            throw traps.unsupported("Attempt to wait on a non-shared memory, not supported.");
        }
        long mask = width == 8 ? -1L : 0xFFFF_FFFFL;
        try {
            int result =
                    waiters.await(
                            addr, () -> atomicLoad(addr, width) == (expected & mask), timeoutNanos);
            if (result == Waiters.CLOSED) {
                throw closedException("atomicWait", addr, width);
            }
            return result;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw traps.interrupted("Thread interrupted");
        }
    }

    /**
     * {@code memory.atomic.notify}: wakes up to {@code count} threads waiting at {@code addr}.
     *
     * @param addr the address, read as unsigned; checked against the bounds on a shared memory
     * @param count how many at most, read as unsigned
     * @return how many were woken; always 0 on a non-shared memory, where no one can wait
     * @throws AlreadyClosedException if this memory is closed
     */
    public int atomicNotify(int addr, int count) {
        if (closed) {
            throw closedException("atomicNotify", addr, Integer.BYTES);
        }
        if (!shared) {
            return 0;
        }
        MemorySegment bytes = bytes();
        if (outOfBounds(addr, Integer.BYTES, bytes.byteSize())) {
            throw outOfBounds("atomicNotify", addr, bytes.byteSize(), Integer.BYTES);
        }
        return waiters.notify(addr, count);
    }

    // ---- failures

    /**
     * Returns whether {@code [address, address + size)}, both unsigned, is outside {@code [0,
     * limit)}: the overflow-free form, since a negative {@code int} is at least 2<sup>31</sup> and
     * every limit is below that.
     */
    private static boolean outOfBounds(int address, int size, long limit) {
        return (address | size) < 0 || size > limit - address;
    }

    private static String outOfBoundsMessage(int address, long limit, int size) {
        return "out of bounds memory access: attempted to access address: "
                + Integer.toUnsignedString(address)
                + " but limit is: "
                + limit
                + " and size: "
                + Integer.toUnsignedString(size);
    }

    /** The failure of a range found outside the memory: closed, or a trap. */
    private RuntimeException outOfBounds(String operation, int address, long limit, int size) {
        if (closed) {
            return closedException(operation, address, size);
        }
        return traps.trap(outOfBoundsMessage(address, limit, size));
    }

    /**
     * Translates what a segment access threw; throws an {@link InternalError} with a message that
     * says what a page fault means.
     */
    private RuntimeException accessFailure(
            Throwable failure, String operation, int address, int size) {
        if (failure instanceof InternalError fault) {
            // HotSpot's report of a SIGBUS: a page of a mapping that the file system cannot back.
            throw new InternalError(
                    operation
                            + " address="
                            + Integer.toUnsignedString(address)
                            + " size="
                            + Integer.toUnsignedString(size)
                            + ": a page of this memory could not be provided; the file system"
                            + " holding it is probably full ("
                            + storage
                            + ")",
                    fault);
        }
        if (closed) {
            return closedException(operation, address, size, failure);
        }
        if (failure instanceof IndexOutOfBoundsException) {
            return traps.trap(outOfBoundsMessage(address, bytes().byteSize(), size));
        }
        return new IllegalStateException(
                operation
                        + " address="
                        + Integer.toUnsignedString(address)
                        + " size="
                        + Integer.toUnsignedString(size)
                        + ": the memory's bytes were replaced by a grow or zero on another thread"
                        + " during the access",
                failure);
    }

    private static AlreadyClosedException closedException(String operation, int address, int size) {
        return closedException(operation, address, size, null);
    }

    private static AlreadyClosedException closedException(
            String operation, int address, int size, Throwable cause) {
        return new AlreadyClosedException(
                operation
                        + " address="
                        + Integer.toUnsignedString(address)
                        + " size="
                        + Integer.toUnsignedString(size)
                        + ": this SegmentMemory is closed",
                cause);
    }

    private static AlreadyClosedException closedException(String operation) {
        return new AlreadyClosedException(operation + ": this SegmentMemory is closed", null);
    }

    /**
     * Returns the pages, limits, sharing and backing, for logs.
     *
     * @return a description of this memory
     */
    @Override
    public String toString() {
        return "SegmentMemory[pages="
                + pages
                + ", initialPages="
                + initialPages
                + ", maximumPages="
                + maximumPages
                + (shared ? ", shared" : "")
                + ", "
                + (closed ? "closed" : storage.toString())
                + "]";
    }
}
