package dev.memory64.chicory;

import com.dylibso.chicory.runtime.ByteBufferMemory;
import com.dylibso.chicory.runtime.ConstantEvaluators;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Memory;
import com.dylibso.chicory.runtime.WasmRuntimeException;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.UninstantiableException;
import com.dylibso.chicory.wasm.types.ActiveDataSegment;
import com.dylibso.chicory.wasm.types.DataSegment;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.PassiveDataSegment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Chicory {@link Memory} whose bytes live off-heap in one {@link MemorySegment}, so that the host
 * can copy a model layer into the guest with a single {@link MemorySegment#copy(MemorySegment,
 * long, MemorySegment, long, long)} into {@link #segment()}, with no byte array in between.
 *
 * <p>Plug it into an instance as its memory factory:
 *
 * {@snippet :
 * Instance instance = Instance.builder(module)
 *         .withMemoryFactory(SegmentMemory.factory())
 *         .build();
 * try (SegmentMemory memory = (SegmentMemory) instance.memory()) {
 *     // run the guest; copy into memory.segment()
 * }
 * }
 *
 * <h2>Semantics</h2>
 *
 * It behaves as Chicory 1.7.5's own {@link ByteBufferMemory} and {@code ByteArrayMemory} do:
 * little-endian accesses of every width at any alignment; {@link #grow} returns the previous page
 * count or {@code -1} past {@link #maximumPages()} (the declared maximum, capped at {@link
 * Memory#RUNTIME_MAX_PAGES}); new pages read as zero; an access outside {@code [0, pages() *
 * PAGE_SIZE)} throws {@link WasmRuntimeException} with Chicory's message {@code "out of bounds
 * memory access: attempted to access address: A but limit is: L and size: S"}, which Chicory's
 * interpreter and compiler report as a trap; an active data segment out of bounds throws {@link
 * UninstantiableException}. Addresses and sizes are Wasm {@code i32} values read as unsigned: a
 * negative {@code int} is an address past 2 GiB, always out of bounds, and the message prints it
 * unsigned. A bulk access whose {@code address + size} overflows is out of bounds and changes
 * nothing (Chicory's own memories let that sum wrap).
 *
 * <h2>Backing</h2>
 *
 * {@link Backing#RESERVED}, the default, reserves the maximum size up front as a mapping of a
 * sparse, already-deleted temporary file (in {@code /dev/shm} where that is available, else in
 * {@code java.io.tmpdir}), so that only touched pages cost memory and growing never copies: {@link
 * #grow} only moves the limit. If no directory has room for the whole reservation, {@link
 * #of(MemoryLimits)} falls back to {@link Backing#ALLOCATED}: zeroed off-heap allocations that grow
 * by allocating half as much again and copying. {@link #backing()} says which one a memory got.
 * Neither needs {@code --enable-native-access}.
 *
 * <p>The reservation's one failure mode: its pages are only allotted when first written, so if the
 * file system that holds the file fills up later (another process, or other memories), writing a
 * new page fails. The JVM survives that (HotSpot turns the fault into an {@link InternalError} in
 * the accessing thread), and this memory then throws an {@code InternalError} that says what
 * happened (a bulk write may be left partly done); the space check at creation makes this unlikely,
 * not impossible. Where {@code java.io.tmpdir} is a disk file system, the kernel may also write
 * dirty pages back to disk. Choose {@link Backing#ALLOCATED} where either matters.
 *
 * <h2>Lifecycle</h2>
 *
 * A memory owns a shared {@link java.lang.foreign.Arena} and must be {@link #close() closed}:
 * Chicory's {@link Instance} never closes its memories, and nothing is released before {@code
 * close()} (no finalizer, no cleaner). Whoever builds the instance closes its memory, also when
 * building fails after the factory ran:
 *
 * {@snippet :
 * List<SegmentMemory> created = new ArrayList<>();
 * Function<MemoryLimits, Memory> factory = limits -> {
 *     SegmentMemory memory = SegmentMemory.of(limits);
 *     created.add(memory);
 *     return memory;
 * };
 * try {
 *     Instance instance = Instance.builder(module).withMemoryFactory(factory).build();
 *     // run the guest
 * } finally {
 *     created.forEach(SegmentMemory::close);
 * }
 * }
 *
 * After {@code close()}, every access throws {@link IllegalStateException} saying so; none crashes
 * the JVM, also not one running concurrently on another thread.
 *
 * <h2>Threads</h2>
 *
 * Shared memories (the threads proposal) are refused. Like Chicory's non-shared memories, a
 * SegmentMemory is meant for one thread at a time: another thread that reads or writes it, or
 * copies into {@link #segment()}, must be ordered with the guest's thread (for example by handing
 * the work over through a {@code java.util.concurrent} queue). {@link #grow}, {@link #zero} and
 * {@link #close} are serialized with each other, and the atomic operations serialize on one
 * monitor, {@link #lock(int)}.
 */
public final class SegmentMemory implements Memory, AutoCloseable {

    /** How a memory holds its bytes. */
    public enum Backing {
        /**
         * The maximum size is reserved up front as a sparse mapped temporary file: only touched
         * pages cost memory, and growing never copies or moves the bytes.
         */
        RESERVED,
        /**
         * Zeroed off-heap allocations: growing past the capacity allocates a larger one and copies,
         * which moves the bytes.
         */
        ALLOCATED
    }

    private static final Logger LOG = LoggerFactory.getLogger(SegmentMemory.class);

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

    private final MemoryLimits limits;
    private final int maximumPages;
    private final Storage storage;

    /** Serializes grow, zero and close, and every atomic operation. */
    private final Object monitor = new Object();

    /**
     * The bytes {@code [0, pages * PAGE_SIZE)}: the hot path reads it without synchronization, and
     * only {@link #grow}, {@link #zero} and {@link #close} (under {@link #monitor}) replace it.
     */
    private MemorySegment segment;

    private volatile int pages;
    private volatile boolean closed;
    private DataSegment[] dataSegments;

    private SegmentMemory(MemoryLimits limits, int maximumPages, Storage storage) {
        this.limits = limits;
        this.maximumPages = maximumPages;
        this.storage = storage;
        this.pages = limits.initialPages();
        this.segment = storage.grow(0, bytes(limits.initialPages()));
    }

    /**
     * Creates a memory with the {@link Backing#RESERVED reserved} backing, or the {@link
     * Backing#ALLOCATED allocated} one if no temporary directory has room for the reservation.
     *
     * @param limits the memory's limits; its initial pages are zero
     * @return the memory, which the caller must {@link #close()}
     * @throws UnsupportedOperationException if {@code limits} are shared
     * @throws IllegalArgumentException if the initial pages exceed {@link Memory#RUNTIME_MAX_PAGES}
     * @throws OutOfMemoryError if the fallback cannot allocate the initial pages
     * @throws NullPointerException if {@code limits} is null
     */
    public static SegmentMemory of(MemoryLimits limits) {
        return create(limits, null, ReservedStorage.defaultDirectories());
    }

    /**
     * Creates a memory with the given backing, without falling back to the other one.
     *
     * @param limits the memory's limits; its initial pages are zero
     * @param backing how to hold the bytes
     * @return the memory, which the caller must {@link #close()}
     * @throws UnsupportedOperationException if {@code limits} are shared
     * @throws IllegalArgumentException if the initial pages exceed {@link Memory#RUNTIME_MAX_PAGES}
     * @throws UncheckedIOException if the backing is {@link Backing#RESERVED} and no temporary
     *     directory could hold the reservation
     * @throws OutOfMemoryError if the backing is {@link Backing#ALLOCATED} and the initial pages
     *     cannot be allocated
     * @throws NullPointerException if an argument is null
     */
    public static SegmentMemory of(MemoryLimits limits, Backing backing) {
        Objects.requireNonNull(backing, "backing");
        return create(limits, backing, ReservedStorage.defaultDirectories());
    }

    /**
     * Returns a memory factory for {@link Instance.Builder#withMemoryFactory}, which creates each
     * memory with {@link #of(MemoryLimits)}.
     *
     * @return the factory
     */
    public static Function<MemoryLimits, Memory> factory() {
        return SegmentMemory::of;
    }

    /**
     * Returns a memory factory for {@link Instance.Builder#withMemoryFactory}, which creates each
     * memory with {@link #of(MemoryLimits, Backing)}.
     *
     * @param backing how every memory holds its bytes
     * @return the factory
     * @throws NullPointerException if {@code backing} is null
     */
    public static Function<MemoryLimits, Memory> factory(Backing backing) {
        Objects.requireNonNull(backing, "backing");
        return limits -> of(limits, backing);
    }

    /**
     * Creates a memory; the seam for tests, which choose the temporary directories.
     *
     * @param limits the limits
     * @param backing the backing, or null for reserved with a fallback to allocated
     * @param directories where a reservation may go, best first
     */
    static SegmentMemory create(MemoryLimits limits, Backing backing, List<Path> directories) {
        Objects.requireNonNull(limits, "limits");
        if (limits.shared()) {
            throw new UnsupportedOperationException(
                    "SegmentMemory does not support shared memories (threads proposal), but limits "
                            + limits
                            + " are shared; use Chicory's ByteBufferMemory for this memory");
        }
        int maximumPages = Math.min(limits.maximumPages(), RUNTIME_MAX_PAGES);
        if (limits.initialPages() > maximumPages) {
            throw new IllegalArgumentException(
                    "create memory: initial pages="
                            + limits.initialPages()
                            + " exceed the runtime maximum of "
                            + RUNTIME_MAX_PAGES
                            + " pages");
        }
        long initialBytes = bytes(limits.initialPages());
        long maximumBytes = bytes(maximumPages);
        Storage storage;
        if (backing == Backing.ALLOCATED) {
            storage = AllocatedStorage.allocate(initialBytes, maximumBytes);
        } else {
            try {
                storage = ReservedStorage.reserve(directories, maximumBytes);
            } catch (IOException e) {
                if (backing == Backing.RESERVED) {
                    throw new UncheckedIOException(e);
                }
                LOG.debug(
                        "no reservation of {} bytes possible; memory {} falls back to {}",
                        maximumBytes,
                        limits,
                        Backing.ALLOCATED,
                        e);
                storage = AllocatedStorage.allocate(initialBytes, maximumBytes);
            }
        }
        return new SegmentMemory(limits, maximumPages, storage);
    }

    private static long bytes(int pages) {
        return (long) pages * PAGE_SIZE;
    }

    /**
     * Returns the current bytes of this memory, {@code [0, pages() * PAGE_SIZE)}, for bulk copies
     * by the host, such as one {@link MemorySegment#copy(MemorySegment, long, MemorySegment, long,
     * long)} of a model layer.
     *
     * <p>The segment is valid until the next {@link #grow}, {@link #zero()} or {@link #close()}:
     * ask again after each. (With the {@link Backing#RESERVED reserved} backing an older segment
     * stays accessible after a grow, only shorter than the memory; with the {@link
     * Backing#ALLOCATED allocated} one a grow may release it, after which accessing it throws
     * {@link IllegalStateException}.) It never crashes the JVM: at worst it throws. Do not close
     * it; it belongs to this memory.
     *
     * @return the segment, of {@code pages() * PAGE_SIZE} bytes
     * @throws IllegalStateException if this memory is closed
     */
    public MemorySegment segment() {
        if (closed) {
            throw closedException("segment()");
        }
        return segment;
    }

    /**
     * Returns how this memory holds its bytes.
     *
     * @return the backing, never null
     */
    public Backing backing() {
        return storage.backing();
    }

    /**
     * Returns whether {@link #close()} has released this memory.
     *
     * @return true once closed
     */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Releases this memory's bytes; does nothing if it is closed already. Afterwards every access,
     * {@link #grow}, {@link #zero()} and {@link #segment()} throws {@link IllegalStateException};
     * {@link #pages()} and the limits stay readable. A guest or host access running concurrently on
     * another thread fails with an exception, never a crash.
     *
     * @throws IllegalStateException if a segment of this memory is in use by an operation that
     *     acquired it (for example an asynchronous I/O on {@code segment().asByteBuffer()}); the
     *     memory then stays open and {@code close()} may be retried
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
        }
    }

    /**
     * Returns the current size.
     *
     * @return the current size in 64 KiB pages
     */
    @Override
    public int pages() {
        return pages;
    }

    /**
     * Grows this memory by {@code size} zero pages. With the reserved backing this only moves the
     * limit: no byte is copied or moved.
     *
     * @param size the number of pages to add, read as unsigned
     * @return the previous page count, or {@code -1} (and no change) if the new count would exceed
     *     {@link #maximumPages()} or the bytes for it cannot be allocated
     * @throws IllegalStateException if this memory is closed
     */
    @Override
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
            segment = grown;
            pages = next;
            return previous;
        }
    }

    /**
     * Returns the initial size.
     *
     * @return the declared initial page count
     */
    @Override
    public int initialPages() {
        return limits.initialPages();
    }

    /**
     * Returns the size that {@link #grow} never exceeds.
     *
     * @return the declared maximum page count, capped at {@link Memory#RUNTIME_MAX_PAGES}
     */
    @Override
    public int maximumPages() {
        return maximumPages;
    }

    /**
     * Returns whether this is a shared memory (threads proposal).
     *
     * @return always false: shared memories are refused at creation
     */
    @Override
    public boolean shared() {
        return false;
    }

    /**
     * Returns the monitor that every atomic operation of this memory holds: all of them, at any
     * address, serialize on it. (Chicory's {@code ByteBufferMemory} returns a fresh object for a
     * non-shared memory, which serializes nothing.)
     *
     * @param address the address, unused
     * @return this memory's monitor, the same object for every address
     */
    // Abstract in Chicory 1.7.5 and deprecated there for removal; its atomic defaults still call
    // it.
    @SuppressWarnings("removal")
    @Override
    public Object lock(int address) {
        return monitor;
    }

    /**
     * Fails as Chicory's non-shared memories do: {@code memory.atomic.wait32} needs a shared
     * memory.
     *
     * @param address unused
     * @param expected unused
     * @param timeout unused
     * @return never
     * @throws ChicoryException always
     */
    @Override
    public int atomicWait(int address, int expected, long timeout) {
        throw waitOnNonShared();
    }

    /**
     * Fails as Chicory's non-shared memories do: {@code memory.atomic.wait64} needs a shared
     * memory.
     *
     * @param address unused
     * @param expected unused
     * @param timeout unused
     * @return never
     * @throws ChicoryException always
     */
    @Override
    public int atomicWait(int address, long expected, long timeout) {
        throw waitOnNonShared();
    }

    /**
     * Wakes no one, as on Chicory's non-shared memories: no thread can wait on this memory.
     *
     * @param address unused
     * @param maxThreads unused
     * @return 0, the number of threads woken
     */
    @Override
    public int atomicNotify(int address, int maxThreads) {
        return 0;
    }

    /**
     * Same as {@link #atomicWait(int, int, long)}.
     *
     * @param address unused
     * @param expected unused
     * @param timeout unused
     * @return never
     * @throws ChicoryException always
     */
    // Abstract in Chicory 1.7.5 and deprecated there for removal in favour of atomicWait.
    @SuppressWarnings("removal")
    @Override
    public int waitOn(int address, int expected, long timeout) {
        return atomicWait(address, expected, timeout);
    }

    /**
     * Same as {@link #atomicWait(int, long, long)}.
     *
     * @param address unused
     * @param expected unused
     * @param timeout unused
     * @return never
     * @throws ChicoryException always
     */
    // Abstract in Chicory 1.7.5 and deprecated there for removal in favour of atomicWait.
    @SuppressWarnings("removal")
    @Override
    public int waitOn(int address, long expected, long timeout) {
        return atomicWait(address, expected, timeout);
    }

    /**
     * Same as {@link #atomicNotify(int, int)}.
     *
     * @param address unused
     * @param maxThreads unused
     * @return 0, the number of threads woken
     */
    // Abstract in Chicory 1.7.5 and deprecated there for removal in favour of atomicNotify.
    @SuppressWarnings("removal")
    @Override
    public int notify(int address, int maxThreads) {
        return atomicNotify(address, maxThreads);
    }

    private static ChicoryException waitOnNonShared() {
        return new ChicoryException("Attempt to wait on a non-shared memory, not supported.");
    }

    /**
     * Keeps {@code dataSegments} for {@link #initPassiveSegment} and {@link #drop}, and writes the
     * active ones for memory 0.
     *
     * @param instance the instance that evaluates the segments' offset expressions
     * @param dataSegments the module's data segments, or null for none
     * @throws UninstantiableException if an active segment does not fit in the memory
     * @throws ChicoryException if a segment is neither active nor passive
     * @throws IllegalStateException if this memory is closed
     */
    @Override
    public void initialize(Instance instance, DataSegment[] dataSegments) {
        initialize(instance, dataSegments, 0);
    }

    /**
     * Keeps {@code dataSegments} for {@link #initPassiveSegment} and {@link #drop}, and writes the
     * active ones whose memory index is {@code memoryIndex}, in order.
     *
     * @param instance the instance that evaluates the segments' offset expressions
     * @param dataSegments the module's data segments, or null for none
     * @param memoryIndex this memory's index in the instance
     * @throws UninstantiableException if an active segment does not fit in the memory
     * @throws ChicoryException if a segment is neither active nor passive
     * @throws IllegalStateException if this memory is closed
     */
    @Override
    public void initialize(Instance instance, DataSegment[] dataSegments, int memoryIndex) {
        if (closed) {
            throw closedException("initialize");
        }
        this.dataSegments = dataSegments;
        if (dataSegments == null) {
            return;
        }
        for (DataSegment data : dataSegments) {
            if (data instanceof ActiveDataSegment active) {
                if (active.index() != memoryIndex) {
                    continue;
                }
                int offset =
                        (int)
                                ConstantEvaluators.computeConstantValue(
                                        instance, active.offsetInstructions())[0];
                byte[] bytes = active.data();
                MemorySegment target = segment;
                if (outOfBounds(offset, bytes.length, target.byteSize())) {
                    if (closed) {
                        throw closedException("initialize", offset, bytes.length);
                    }
                    throw new UninstantiableException(
                            outOfBoundsMessage(offset, target.byteSize(), bytes.length));
                }
                try {
                    MemorySegment.copy(bytes, 0, target, BYTE, offset, bytes.length);
                } catch (IndexOutOfBoundsException | IllegalStateException | InternalError e) {
                    throw accessFailure(e, "initialize", offset, bytes.length);
                }
            } else if (!(data instanceof PassiveDataSegment)) {
                throw new ChicoryException("Data segment should be active or passive: " + data);
            }
        }
    }

    /**
     * Copies bytes of a data segment into this memory ({@code memory.init}).
     *
     * @param segmentId the data segment's index
     * @param dest the first address written, read as unsigned
     * @param offset the first byte of the segment copied, read as unsigned
     * @param size the number of bytes, read as unsigned
     * @throws WasmRuntimeException if the source range is outside the segment (a dropped segment is
     *     empty) or the destination range is outside this memory; nothing is written then
     * @throws IllegalStateException if this memory is closed
     */
    @Override
    public void initPassiveSegment(int segmentId, int dest, int offset, int size) {
        write(dest, dataSegment(segmentId).data(), offset, size);
    }

    /**
     * Drops a data segment ({@code data.drop}): it becomes empty.
     *
     * @param segment the data segment's index
     * @throws WasmRuntimeException if there is no such segment
     */
    @Override
    public void drop(int segment) {
        dataSegment(segment);
        dataSegments[segment] = PassiveDataSegment.EMPTY;
    }

    private DataSegment dataSegment(int segmentId) {
        DataSegment[] segments = dataSegments;
        if (segments == null || segmentId < 0 || segmentId >= segments.length) {
            throw new WasmRuntimeException(
                    "unknown data segment "
                            + Integer.toUnsignedString(segmentId)
                            + " of "
                            + (segments == null ? 0 : segments.length));
        }
        return segments[segmentId];
    }

    /**
     * Writes {@code size} bytes of {@code data} from {@code offset} at {@code addr}.
     *
     * @param addr the first address written, read as unsigned
     * @param data the source array
     * @param offset the first byte of {@code data} written, read as unsigned
     * @param size the number of bytes, read as unsigned
     * @throws WasmRuntimeException if {@code [offset, offset + size)} is outside {@code data} (the
     *     message names {@code offset} as the address and {@code data.length} as the limit, as
     *     Chicory's does) or {@code [addr, addr + size)} is outside this memory; nothing is written
     *     then
     * @throws IllegalStateException if this memory is closed
     */
    @Override
    public void write(int addr, byte[] data, int offset, int size) {
        if (outOfBounds(offset, size, data.length)) {
            throw new WasmRuntimeException(outOfBoundsMessage(offset, data.length, size));
        }
        MemorySegment target = segment;
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
     * @param addr the first address read, read as unsigned
     * @param len the number of bytes, read as unsigned
     * @return the bytes
     * @throws WasmRuntimeException if {@code [addr, addr + len)} is outside this memory
     * @throws IllegalStateException if this memory is closed
     */
    @Override
    public byte[] readBytes(int addr, int len) {
        MemorySegment source = segment;
        if (outOfBounds(addr, len, source.byteSize())) {
            throw outOfBounds("readBytes", addr, source.byteSize(), len);
        }
        try {
            byte[] bytes = new byte[len];
            MemorySegment.copy(source, BYTE, addr, bytes, 0, len);
            return bytes;
        } catch (IndexOutOfBoundsException | IllegalStateException | InternalError e) {
            throw accessFailure(e, "readBytes", addr, len);
        }
    }

    /**
     * Reads the byte at {@code addr}.
     *
     * @param addr the address, read as unsigned
     * @return the byte
     * @throws WasmRuntimeException if the address is outside this memory
     * @throws IllegalStateException if this memory is closed
     */
    @Override
    public byte read(int addr) {
        try {
            return segment.get(BYTE, addr);
        } catch (IndexOutOfBoundsException | IllegalStateException | InternalError e) {
            throw accessFailure(e, "read", addr, Byte.BYTES);
        }
    }

    /**
     * Writes the byte at {@code addr}.
     *
     * @param addr the address, read as unsigned
     * @param data the byte
     * @throws WasmRuntimeException if the address is outside this memory
     * @throws IllegalStateException if this memory is closed
     */
    @Override
    public void writeByte(int addr, byte data) {
        try {
            segment.set(BYTE, addr, data);
        } catch (IndexOutOfBoundsException | IllegalStateException | InternalError e) {
            throw accessFailure(e, "writeByte", addr, Byte.BYTES);
        }
    }

    /**
     * Reads the little-endian 16-bit value at {@code addr}.
     *
     * @param addr the address of its first byte, read as unsigned, at any alignment
     * @return the value
     * @throws WasmRuntimeException if a byte of it is outside this memory
     * @throws IllegalStateException if this memory is closed
     */
    @Override
    public short readShort(int addr) {
        try {
            return segment.get(SHORT, addr);
        } catch (IndexOutOfBoundsException | IllegalStateException | InternalError e) {
            throw accessFailure(e, "readShort", addr, Short.BYTES);
        }
    }

    /**
     * Reads the little-endian 16-bit value at {@code addr}, zero-extended.
     *
     * @param addr the address of its first byte, read as unsigned, at any alignment
     * @return the value, between 0 and 65535
     * @throws WasmRuntimeException if a byte of it is outside this memory
     * @throws IllegalStateException if this memory is closed
     */
    @Override
    public long readU16(int addr) {
        try {
            return Short.toUnsignedLong(segment.get(SHORT, addr));
        } catch (IndexOutOfBoundsException | IllegalStateException | InternalError e) {
            throw accessFailure(e, "readU16", addr, Short.BYTES);
        }
    }

    /**
     * Writes a little-endian 16-bit value at {@code addr}.
     *
     * @param addr the address of its first byte, read as unsigned, at any alignment
     * @param data the value
     * @throws WasmRuntimeException if a byte of it is outside this memory; nothing is written then
     * @throws IllegalStateException if this memory is closed
     */
    @Override
    public void writeShort(int addr, short data) {
        try {
            segment.set(SHORT, addr, data);
        } catch (IndexOutOfBoundsException | IllegalStateException | InternalError e) {
            throw accessFailure(e, "writeShort", addr, Short.BYTES);
        }
    }

    /**
     * Reads the little-endian 32-bit value at {@code addr}.
     *
     * @param addr the address of its first byte, read as unsigned, at any alignment
     * @return the value
     * @throws WasmRuntimeException if a byte of it is outside this memory
     * @throws IllegalStateException if this memory is closed
     */
    @Override
    public int readInt(int addr) {
        try {
            return segment.get(INT, addr);
        } catch (IndexOutOfBoundsException | IllegalStateException | InternalError e) {
            throw accessFailure(e, "readInt", addr, Integer.BYTES);
        }
    }

    /**
     * Writes a little-endian 32-bit value at {@code addr}.
     *
     * @param addr the address of its first byte, read as unsigned, at any alignment
     * @param data the value
     * @throws WasmRuntimeException if a byte of it is outside this memory; nothing is written then
     * @throws IllegalStateException if this memory is closed
     */
    @Override
    public void writeI32(int addr, int data) {
        try {
            segment.set(INT, addr, data);
        } catch (IndexOutOfBoundsException | IllegalStateException | InternalError e) {
            throw accessFailure(e, "writeI32", addr, Integer.BYTES);
        }
    }

    /**
     * Reads the little-endian 64-bit value at {@code addr}.
     *
     * @param addr the address of its first byte, read as unsigned, at any alignment
     * @return the value
     * @throws WasmRuntimeException if a byte of it is outside this memory
     * @throws IllegalStateException if this memory is closed
     */
    @Override
    public long readLong(int addr) {
        try {
            return segment.get(LONG, addr);
        } catch (IndexOutOfBoundsException | IllegalStateException | InternalError e) {
            throw accessFailure(e, "readLong", addr, Long.BYTES);
        }
    }

    /**
     * Writes a little-endian 64-bit value at {@code addr}.
     *
     * @param addr the address of its first byte, read as unsigned, at any alignment
     * @param data the value
     * @throws WasmRuntimeException if a byte of it is outside this memory; nothing is written then
     * @throws IllegalStateException if this memory is closed
     */
    @Override
    public void writeLong(int addr, long data) {
        try {
            segment.set(LONG, addr, data);
        } catch (IndexOutOfBoundsException | IllegalStateException | InternalError e) {
            throw accessFailure(e, "writeLong", addr, Long.BYTES);
        }
    }

    /**
     * Reads the little-endian {@code f32} at {@code addr}.
     *
     * @param addr the address of its first byte, read as unsigned, at any alignment
     * @return the value; its bits, NaN payloads included, are those in memory
     * @throws WasmRuntimeException if a byte of it is outside this memory
     * @throws IllegalStateException if this memory is closed
     */
    @Override
    public float readFloat(int addr) {
        try {
            return segment.get(FLOAT, addr);
        } catch (IndexOutOfBoundsException | IllegalStateException | InternalError e) {
            throw accessFailure(e, "readFloat", addr, Float.BYTES);
        }
    }

    /**
     * Reads the bits of the little-endian {@code f32} at {@code addr}, as Chicory's memories do:
     * the 32-bit value, sign-extended.
     *
     * @param addr the address of its first byte, read as unsigned, at any alignment
     * @return the bits, sign-extended to 64
     * @throws WasmRuntimeException if a byte of it is outside this memory
     * @throws IllegalStateException if this memory is closed
     */
    @Override
    public long readF32(int addr) {
        try {
            return segment.get(INT, addr);
        } catch (IndexOutOfBoundsException | IllegalStateException | InternalError e) {
            throw accessFailure(e, "readF32", addr, Float.BYTES);
        }
    }

    /**
     * Writes a little-endian {@code f32} at {@code addr}.
     *
     * @param addr the address of its first byte, read as unsigned, at any alignment
     * @param data the value; its raw bits, NaN payloads included, are written
     * @throws WasmRuntimeException if a byte of it is outside this memory; nothing is written then
     * @throws IllegalStateException if this memory is closed
     */
    @Override
    public void writeF32(int addr, float data) {
        try {
            segment.set(FLOAT, addr, data);
        } catch (IndexOutOfBoundsException | IllegalStateException | InternalError e) {
            throw accessFailure(e, "writeF32", addr, Float.BYTES);
        }
    }

    /**
     * Reads the little-endian {@code f64} at {@code addr}.
     *
     * @param addr the address of its first byte, read as unsigned, at any alignment
     * @return the value; its bits, NaN payloads included, are those in memory
     * @throws WasmRuntimeException if a byte of it is outside this memory
     * @throws IllegalStateException if this memory is closed
     */
    @Override
    public double readDouble(int addr) {
        try {
            return segment.get(DOUBLE, addr);
        } catch (IndexOutOfBoundsException | IllegalStateException | InternalError e) {
            throw accessFailure(e, "readDouble", addr, Double.BYTES);
        }
    }

    /**
     * Reads the bits of the little-endian {@code f64} at {@code addr}.
     *
     * @param addr the address of its first byte, read as unsigned, at any alignment
     * @return the bits
     * @throws WasmRuntimeException if a byte of it is outside this memory
     * @throws IllegalStateException if this memory is closed
     */
    @Override
    public long readF64(int addr) {
        try {
            return segment.get(LONG, addr);
        } catch (IndexOutOfBoundsException | IllegalStateException | InternalError e) {
            throw accessFailure(e, "readF64", addr, Double.BYTES);
        }
    }

    /**
     * Writes a little-endian {@code f64} at {@code addr}.
     *
     * @param addr the address of its first byte, read as unsigned, at any alignment
     * @param data the value; its raw bits, NaN payloads included, are written
     * @throws WasmRuntimeException if a byte of it is outside this memory; nothing is written then
     * @throws IllegalStateException if this memory is closed
     */
    @Override
    public void writeF64(int addr, double data) {
        try {
            segment.set(DOUBLE, addr, data);
        } catch (IndexOutOfBoundsException | IllegalStateException | InternalError e) {
            throw accessFailure(e, "writeF64", addr, Double.BYTES);
        }
    }

    /**
     * Sets every byte of this memory to zero. With the reserved backing this replaces the
     * reservation, which takes no time proportional to the size and releases every touched page;
     * {@link #segment()} must then be asked again. Chicory's {@link Instance} calls this once when
     * it instantiates a module, so even a large initial memory costs nothing until touched.
     *
     * @throws IllegalStateException if this memory is closed, or if its segment is in use by an
     *     operation that acquired it (as for {@link #close()}); the bytes are then unchanged
     */
    @Override
    public void zero() {
        synchronized (monitor) {
            if (closed) {
                throw closedException("zero()");
            }
            segment = storage.clear(segment.byteSize());
        }
    }

    /**
     * Sets the bytes {@code [fromIndex, toIndex)} to {@code value} ({@code memory.fill}, which
     * passes {@code toIndex = fromIndex + size}, so the size is {@code toIndex - fromIndex} even if
     * that sum wrapped).
     *
     * @param value the byte to write
     * @param fromIndex the first address written, read as unsigned
     * @param toIndex the address after the last one written
     * @throws WasmRuntimeException if the range is outside this memory; nothing is written then
     * @throws IllegalStateException if this memory is closed
     */
    @Override
    public void fill(byte value, int fromIndex, int toIndex) {
        int size = toIndex - fromIndex;
        MemorySegment target = segment;
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
     * Copies {@code size} bytes from {@code src} to {@code dest} ({@code memory.copy}); the ranges
     * may overlap, and the result is as if the source were copied to a buffer first.
     *
     * @param dest the first address written, read as unsigned
     * @param src the first address read, read as unsigned
     * @param size the number of bytes, read as unsigned
     * @throws WasmRuntimeException if either range is outside this memory; nothing is written then
     * @throws IllegalStateException if this memory is closed
     */
    @Override
    public void copy(int dest, int src, int size) {
        MemorySegment bytes = segment;
        long limit = bytes.byteSize();
        if (outOfBounds(dest, size, limit)) {
            throw outOfBounds("copy", dest, limit, size);
        }
        if (outOfBounds(src, size, limit)) {
            throw outOfBounds("copy", src, limit, size);
        }
        try {
            MemorySegment.copy(bytes, src, bytes, dest, size);
        } catch (IndexOutOfBoundsException | IllegalStateException | InternalError e) {
            throw accessFailure(e, "copy", dest, size);
        }
    }

    /**
     * Returns the pages, limits and backing, for logs.
     *
     * @return a description of this memory
     */
    @Override
    public String toString() {
        return "SegmentMemory[pages="
                + pages
                + ", initialPages="
                + limits.initialPages()
                + ", maximumPages="
                + maximumPages
                + ", "
                + (closed ? "closed" : storage.toString())
                + "]";
    }

    /**
     * Returns whether {@code [address, address + size)}, both read as unsigned, is outside {@code
     * [0, limit)}: the overflow-free form, since a negative {@code int} is at least 2<sup>31</sup>
     * and every limit is below that.
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

    /** The failure of a range found outside the memory: closed, or a Wasm trap. */
    private RuntimeException outOfBounds(String operation, int address, long limit, int size) {
        if (closed) {
            return closedException(operation, address, size);
        }
        return new WasmRuntimeException(outOfBoundsMessage(address, limit, size));
    }

    /**
     * Translates what a segment access threw into what a Chicory memory throws; throws an {@link
     * InternalError} with a message that says what the page fault means.
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
            IllegalStateException e = closedException(operation, address, size);
            e.initCause(failure);
            return e;
        }
        if (failure instanceof IndexOutOfBoundsException) {
            return new WasmRuntimeException(outOfBoundsMessage(address, segment.byteSize(), size));
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

    private static IllegalStateException closedException(String operation, int address, int size) {
        return closedException(
                operation
                        + " address="
                        + Integer.toUnsignedString(address)
                        + " size="
                        + Integer.toUnsignedString(size));
    }

    private static IllegalStateException closedException(String operation) {
        return new IllegalStateException(operation + ": this SegmentMemory is closed");
    }
}
