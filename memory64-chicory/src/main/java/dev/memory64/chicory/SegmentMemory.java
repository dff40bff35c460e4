package dev.memory64.chicory;

import com.dylibso.chicory.runtime.ByteBufferMemory;
import com.dylibso.chicory.runtime.ChicoryInterruptedException;
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
import dev.memory64.AlreadyClosedException;
import dev.memory64.abi.GuestMemory;
import dev.memory64.internal.SparseReservation;
import dev.memory64.linear.LinearMemory;
import dev.memory64.linear.LinearMemory.Rmw;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * A {@link Memory} for Chicory with its bytes off-heap in one {@link MemorySegment}, so that the
 * host can copy a model layer into the guest with a single {@link MemorySegment#copy(MemorySegment,
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
 * UninstantiableException}. Addresses and sizes are Wasm {@code i32} values read as unsigned. A
 * bulk access whose {@code address + size} overflows is out of bounds and changes nothing
 * (Chicory's own memories let that sum wrap).
 *
 * <h2>Shared memories</h2>
 *
 * A memory whose limits are {@code shared} (threads proposal) never moves its bytes, so {@link
 * #grow} is seen by every thread; its atomics are sequentially consistent at every width, and
 * {@link #atomicWait(int, int, long)} and {@link #atomicNotify} work as on Chicory's own shared
 * memories (0 woken, 1 not equal, 2 timed out; the timeout in nanoseconds, negative for none). On a
 * non-shared memory waiting throws {@link ChicoryException} and notify wakes no one, as Chicory's
 * do. Notify on a shared memory checks its address against the bounds, as the threads proposal asks
 * (Chicory's own memories do not).
 *
 * <h2>Backing</h2>
 *
 * {@link Backing#RESERVED}, the default, reserves the maximum size up front as a mapping of a
 * sparse, already-deleted temporary file (in {@code /dev/shm} where that is available, else in
 * {@code java.io.tmpdir}), so that only touched pages cost memory and growing never copies: {@link
 * #grow} only moves the limit. If no directory has room for the whole reservation, {@link
 * #of(MemoryLimits)} falls back to {@link Backing#ALLOCATED}: zeroed off-heap allocations that grow
 * by allocating half as much again and copying (a shared memory allocates its maximum at once).
 * {@link #backing()} says which one a memory got. Neither needs {@code --enable-native-access}.
 *
 * <p>The reservation's one failure mode: its pages are only allotted when first written, so if the
 * file system that holds the file fills up later, writing a new page fails, and this memory throws
 * an {@code InternalError} that says what happened (a bulk write may be left partly done); the
 * space check at creation makes this unlikely, not impossible. Choose {@link Backing#ALLOCATED}
 * where that matters.
 *
 * <h2>Lifecycle</h2>
 *
 * A memory owns a shared {@link java.lang.foreign.Arena} and must be {@link #close() closed}:
 * Chicory's {@link Instance} never closes its memories, and nothing is released before {@code
 * close()}. Whoever builds the instance closes its memory, also when building fails after the
 * factory ran. After {@code close()}, every access throws {@link AlreadyClosedException} saying so;
 * none crashes the JVM, also not one running concurrently on another thread.
 *
 * <h2>Threads</h2>
 *
 * Like Chicory's non-shared memories, a non-shared SegmentMemory is meant for one thread at a time:
 * another thread that reads or writes it, or copies into {@link #segment()}, must be ordered with
 * the guest's thread. {@link #grow}, {@link #zero} and {@link #close} are serialized with each
 * other.
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
         * which moves the bytes (a shared memory allocates its maximum at once instead).
         */
        ALLOCATED
    }

    private static final LinearMemory.Traps TRAPS =
            new LinearMemory.Traps() {
                @Override
                public RuntimeException trap(String message) {
                    return new WasmRuntimeException(message);
                }

                @Override
                public RuntimeException uninstantiable(String message) {
                    return new UninstantiableException(message);
                }

                @Override
                public RuntimeException unsupported(String message) {
                    return new ChicoryException(message);
                }

                @Override
                public RuntimeException interrupted(String message) {
                    return new ChicoryInterruptedException(message);
                }
            };

    private final LinearMemory memory;

    private SegmentMemory(LinearMemory memory) {
        this.memory = memory;
    }

    /**
     * Creates a memory with the {@link Backing#RESERVED reserved} backing, or the {@link
     * Backing#ALLOCATED allocated} one if no temporary directory has room for the reservation.
     *
     * @param limits the memory's limits, shared or not
     * @return the memory, which the caller must {@link #close()}
     * @throws IllegalArgumentException if the initial pages exceed the maximum pages (capped at
     *     {@link Memory#RUNTIME_MAX_PAGES})
     * @throws OutOfMemoryError if the fallback cannot allocate the initial pages
     * @throws NullPointerException if {@code limits} is null
     */
    public static SegmentMemory of(MemoryLimits limits) {
        return create(limits, null, SparseReservation.defaultDirectories());
    }

    /**
     * Creates a memory with the given backing, without falling back to the other one.
     *
     * @param limits the memory's limits, shared or not
     * @param backing how to hold the bytes
     * @return the memory, which the caller must {@link #close()}
     * @throws IllegalArgumentException if the initial pages exceed the maximum pages (capped at
     *     {@link Memory#RUNTIME_MAX_PAGES})
     * @throws UncheckedIOException if the backing is {@link Backing#RESERVED} and no temporary
     *     directory could hold the reservation
     * @throws OutOfMemoryError if the backing is {@link Backing#ALLOCATED} and the pages cannot be
     *     allocated
     * @throws NullPointerException if an argument is null
     */
    public static SegmentMemory of(MemoryLimits limits, Backing backing) {
        Objects.requireNonNull(backing, "backing");
        return create(limits, backing, SparseReservation.defaultDirectories());
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

    /** Creates a memory; the seam for tests, which choose the temporary directories. */
    static SegmentMemory create(MemoryLimits limits, Backing backing, List<Path> directories) {
        Objects.requireNonNull(limits, "limits");
        return new SegmentMemory(
                LinearMemory.create(
                        limits.initialPages(),
                        Math.min(limits.maximumPages(), RUNTIME_MAX_PAGES),
                        limits.shared(),
                        backing == null ? null : LinearMemory.Backing.valueOf(backing.name()),
                        directories,
                        TRAPS));
    }

    /**
     * Returns the current bytes of this memory, {@code [0, pages() * PAGE_SIZE)}, for bulk copies
     * by the host. Valid until the next {@link #grow}, {@link #zero()} or {@link #close()}: ask
     * again after each. It never crashes the JVM: at worst it throws. Do not close it.
     *
     * @return the segment, of {@code pages() * PAGE_SIZE} bytes
     * @throws AlreadyClosedException if this memory is closed
     */
    public MemorySegment segment() {
        return memory.segment();
    }

    /** The guest ABI's single-copy view of this memory. */
    GuestMemory guestMemory() {
        return memory.guestMemory();
    }

    /**
     * Returns how this memory holds its bytes.
     *
     * @return the backing, never null
     */
    public Backing backing() {
        return Backing.valueOf(memory.backing().name());
    }

    /**
     * Returns whether {@link #close()} has released this memory.
     *
     * @return true once closed
     */
    public boolean isClosed() {
        return memory.isClosed();
    }

    /**
     * Releases this memory's bytes; does nothing if it is closed already. Afterwards every access
     * throws {@link AlreadyClosedException}; {@link #pages()} and the limits stay readable.
     *
     * @throws IllegalStateException if a segment of this memory is in use by an operation that
     *     acquired it; the memory then stays open and {@code close()} may be retried
     */
    @Override
    public void close() {
        memory.close();
    }

    @Override
    public int pages() {
        return memory.pages();
    }

    @Override
    public int grow(int size) {
        return memory.grow(size);
    }

    @Override
    public int initialPages() {
        return memory.initialPages();
    }

    @Override
    public int maximumPages() {
        return memory.maximumPages();
    }

    @Override
    public boolean shared() {
        return memory.shared();
    }

    // Abstract in Chicory 1.7.5 and deprecated there for removal; every atomic is overridden.
    @SuppressWarnings("removal")
    @Override
    public Object lock(int address) {
        return memory.monitor();
    }

    // Abstract in Chicory 1.7.5 and deprecated there for removal in favour of atomicWait.
    @SuppressWarnings("removal")
    @Override
    public int waitOn(int address, int expected, long timeout) {
        return atomicWait(address, expected, timeout);
    }

    // Abstract in Chicory 1.7.5 and deprecated there for removal in favour of atomicWait.
    @SuppressWarnings("removal")
    @Override
    public int waitOn(int address, long expected, long timeout) {
        return atomicWait(address, expected, timeout);
    }

    // Abstract in Chicory 1.7.5 and deprecated there for removal in favour of atomicNotify.
    @SuppressWarnings("removal")
    @Override
    public int notify(int address, int maxThreads) {
        return atomicNotify(address, maxThreads);
    }

    @Override
    public int atomicWait(int address, int expected, long timeout) {
        return memory.atomicWait(address, Integer.BYTES, expected, timeout);
    }

    @Override
    public int atomicWait(int address, long expected, long timeout) {
        return memory.atomicWait(address, Long.BYTES, expected, timeout);
    }

    @Override
    public int atomicNotify(int address, int maxThreads) {
        return memory.atomicNotify(address, maxThreads);
    }

    @Override
    public void atomicFence() {
        memory.fence();
    }

    @Override
    public int atomicReadInt(int addr) {
        return (int) memory.atomicLoad(addr, Integer.BYTES);
    }

    @Override
    public long atomicReadLong(int addr) {
        return memory.atomicLoad(addr, Long.BYTES);
    }

    @Override
    public short atomicReadShort(int addr) {
        return (short) memory.atomicLoad(addr, Short.BYTES);
    }

    @Override
    public byte atomicReadByte(int addr) {
        return (byte) memory.atomicLoad(addr, Byte.BYTES);
    }

    @Override
    public void atomicWriteInt(int addr, int value) {
        memory.atomicStore(addr, Integer.BYTES, value);
    }

    @Override
    public void atomicWriteLong(int addr, long value) {
        memory.atomicStore(addr, Long.BYTES, value);
    }

    @Override
    public void atomicWriteShort(int addr, short value) {
        memory.atomicStore(addr, Short.BYTES, value);
    }

    @Override
    public void atomicWriteByte(int addr, byte value) {
        memory.atomicStore(addr, Byte.BYTES, value);
    }

    @Override
    public int atomicAddInt(int addr, int delta) {
        return (int) memory.atomicRmw(Rmw.ADD, addr, Integer.BYTES, delta);
    }

    @Override
    public int atomicAndInt(int addr, int mask) {
        return (int) memory.atomicRmw(Rmw.AND, addr, Integer.BYTES, mask);
    }

    @Override
    public int atomicOrInt(int addr, int mask) {
        return (int) memory.atomicRmw(Rmw.OR, addr, Integer.BYTES, mask);
    }

    @Override
    public int atomicXorInt(int addr, int mask) {
        return (int) memory.atomicRmw(Rmw.XOR, addr, Integer.BYTES, mask);
    }

    @Override
    public int atomicXchgInt(int addr, int value) {
        return (int) memory.atomicRmw(Rmw.XCHG, addr, Integer.BYTES, value);
    }

    @Override
    public int atomicCmpxchgInt(int addr, int expected, int replacement) {
        return (int) memory.atomicCompareExchange(addr, Integer.BYTES, expected, replacement);
    }

    @Override
    public long atomicAddLong(int addr, long delta) {
        return memory.atomicRmw(Rmw.ADD, addr, Long.BYTES, delta);
    }

    @Override
    public long atomicAndLong(int addr, long mask) {
        return memory.atomicRmw(Rmw.AND, addr, Long.BYTES, mask);
    }

    @Override
    public long atomicOrLong(int addr, long mask) {
        return memory.atomicRmw(Rmw.OR, addr, Long.BYTES, mask);
    }

    @Override
    public long atomicXorLong(int addr, long mask) {
        return memory.atomicRmw(Rmw.XOR, addr, Long.BYTES, mask);
    }

    @Override
    public long atomicXchgLong(int addr, long value) {
        return memory.atomicRmw(Rmw.XCHG, addr, Long.BYTES, value);
    }

    @Override
    public long atomicCmpxchgLong(int addr, long expected, long replacement) {
        return memory.atomicCompareExchange(addr, Long.BYTES, expected, replacement);
    }

    @Override
    public short atomicAddShort(int addr, short delta) {
        return (short) memory.atomicRmw(Rmw.ADD, addr, Short.BYTES, delta);
    }

    @Override
    public short atomicAndShort(int addr, short mask) {
        return (short) memory.atomicRmw(Rmw.AND, addr, Short.BYTES, mask);
    }

    @Override
    public short atomicOrShort(int addr, short mask) {
        return (short) memory.atomicRmw(Rmw.OR, addr, Short.BYTES, mask);
    }

    @Override
    public short atomicXorShort(int addr, short mask) {
        return (short) memory.atomicRmw(Rmw.XOR, addr, Short.BYTES, mask);
    }

    @Override
    public short atomicXchgShort(int addr, short value) {
        return (short) memory.atomicRmw(Rmw.XCHG, addr, Short.BYTES, value);
    }

    @Override
    public short atomicCmpxchgShort(int addr, short expected, short replacement) {
        return (short) memory.atomicCompareExchange(addr, Short.BYTES, expected, replacement);
    }

    @Override
    public byte atomicAddByte(int addr, byte delta) {
        return (byte) memory.atomicRmw(Rmw.ADD, addr, Byte.BYTES, delta);
    }

    @Override
    public byte atomicAndByte(int addr, byte mask) {
        return (byte) memory.atomicRmw(Rmw.AND, addr, Byte.BYTES, mask);
    }

    @Override
    public byte atomicOrByte(int addr, byte mask) {
        return (byte) memory.atomicRmw(Rmw.OR, addr, Byte.BYTES, mask);
    }

    @Override
    public byte atomicXorByte(int addr, byte mask) {
        return (byte) memory.atomicRmw(Rmw.XOR, addr, Byte.BYTES, mask);
    }

    @Override
    public byte atomicXchgByte(int addr, byte value) {
        return (byte) memory.atomicRmw(Rmw.XCHG, addr, Byte.BYTES, value);
    }

    @Override
    public byte atomicCmpxchgByte(int addr, byte expected, byte replacement) {
        return (byte) memory.atomicCompareExchange(addr, Byte.BYTES, expected, replacement);
    }

    /**
     * Keeps {@code dataSegments} for {@link #initPassiveSegment} and {@link #drop}, and writes the
     * active ones for memory 0.
     *
     * @param instance the instance that evaluates the segments' offset expressions
     * @param dataSegments the module's data segments, or null for none
     * @throws UninstantiableException if an active segment does not fit in the memory
     * @throws ChicoryException if a segment is neither active nor passive
     * @throws AlreadyClosedException if this memory is closed
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
     * @throws AlreadyClosedException if this memory is closed
     */
    @Override
    public void initialize(Instance instance, DataSegment[] dataSegments, int memoryIndex) {
        if (dataSegments == null) {
            memory.keepDataSegments(null);
            return;
        }
        // The instance's own array: its data.drop replaces an entry there.
        memory.keepDataSegments(
                new LinearMemory.DataSegments() {
                    @Override
                    public int count() {
                        return dataSegments.length;
                    }

                    @Override
                    public byte[] data(int index) {
                        return dataSegments[index].data();
                    }

                    @Override
                    public void drop(int index) {
                        dataSegments[index] = PassiveDataSegment.EMPTY;
                    }
                });
        for (DataSegment data : dataSegments) {
            if (data instanceof ActiveDataSegment active) {
                if (active.index() == memoryIndex) {
                    long[] offset =
                            ConstantEvaluators.computeConstantValue(
                                    instance, active.offsetInstructions());
                    memory.initializeActive((int) offset[0], active.data());
                }
            } else if (!(data instanceof PassiveDataSegment)) {
                throw new ChicoryException("Data segment should be active or passive: " + data);
            }
        }
    }

    @Override
    public void initPassiveSegment(int segmentId, int dest, int offset, int size) {
        memory.initPassive(segmentId, dest, offset, size);
    }

    @Override
    public void drop(int segment) {
        memory.drop(segment);
    }

    @Override
    public void write(int addr, byte[] data, int offset, int size) {
        memory.write(addr, data, offset, size);
    }

    @Override
    public byte[] readBytes(int addr, int len) {
        return memory.readBytes(addr, len);
    }

    @Override
    public byte read(int addr) {
        return memory.read(addr);
    }

    @Override
    public void writeByte(int addr, byte data) {
        memory.writeByte(addr, data);
    }

    @Override
    public short readShort(int addr) {
        return memory.readShort(addr, "readShort");
    }

    @Override
    public long readU16(int addr) {
        return Short.toUnsignedLong(memory.readShort(addr, "readU16"));
    }

    @Override
    public void writeShort(int addr, short data) {
        memory.writeShort(addr, data);
    }

    @Override
    public int readInt(int addr) {
        return memory.readInt(addr, "readInt");
    }

    @Override
    public void writeI32(int addr, int data) {
        memory.writeInt(addr, data);
    }

    @Override
    public long readLong(int addr) {
        return memory.readLong(addr, "readLong");
    }

    @Override
    public void writeLong(int addr, long data) {
        memory.writeLong(addr, data);
    }

    @Override
    public float readFloat(int addr) {
        return memory.readFloat(addr);
    }

    @Override
    public long readF32(int addr) {
        return memory.readInt(addr, "readF32");
    }

    @Override
    public void writeF32(int addr, float data) {
        memory.writeFloat(addr, data);
    }

    @Override
    public double readDouble(int addr) {
        return memory.readDouble(addr);
    }

    @Override
    public long readF64(int addr) {
        return memory.readLong(addr, "readF64");
    }

    @Override
    public void writeF64(int addr, double data) {
        memory.writeDouble(addr, data);
    }

    /**
     * Sets every byte of this memory to zero. With the reserved backing this replaces the
     * reservation, which releases every touched page; {@link #segment()} must then be asked again.
     * Chicory's {@link Instance} calls this once when it instantiates a module.
     *
     * @throws AlreadyClosedException if this memory is closed
     * @throws IllegalStateException if its segment is in use by an operation that acquired it
     */
    @Override
    public void zero() {
        memory.zero();
    }

    @Override
    public void fill(byte value, int fromIndex, int toIndex) {
        memory.fill(value, fromIndex, toIndex);
    }

    @Override
    public void copy(int dest, int src, int size) {
        memory.copy(dest, src, size);
    }

    /**
     * Returns the pages, limits and backing, for logs.
     *
     * @return a description of this memory
     */
    @Override
    public String toString() {
        return memory.toString();
    }
}
