package dev.memory64.linear;

import dev.memory64.abi.GuestMemory;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The ABI's view of a runtime's own memory, which takes bytes only as arrays: bytes are staged
 * through a small buffer of the view's own. An adapter subclasses it with its runtime's calls and
 * keeps one view per thread, bound to the calling guest's memory for the duration of a call, so
 * that a call allocates nothing and takes no lock.
 */
public abstract class StagedGuestMemory implements GuestMemory {

    /**
     * The staging buffer size: 8 KiB, so that the buffer stays in the L1 cache between the two
     * copies (measured: 8 KiB reaches about 0.87 of a runtime's own write of a ready array at 1
     * MiB, where 64 KiB reached 0.61).
     */
    public static final int STAGING_SIZE = 8 * 1024;

    private static final ValueLayout.OfLong LONG =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * Made on the view's first staged write: a thread that only asks sizes or counters needs none.
     */
    private byte[] staging;

    /** Creates a view. */
    protected StagedGuestMemory() {}

    /**
     * Returns the memory's current size in pages.
     *
     * @return the page count
     */
    protected abstract int pages();

    /**
     * Writes {@code size} bytes of {@code bytes} from 0 at {@code address} of the memory.
     *
     * @param address the first address
     * @param bytes the staging buffer
     * @param size how many of its bytes
     */
    protected abstract void writeBytes(int address, byte[] bytes, int size);

    /**
     * Reads the little-endian 64-bit value at {@code address} of the memory.
     *
     * @param address the first address
     * @return the value
     */
    protected abstract long readLong(int address);

    /**
     * Reads the byte at {@code address} of the memory.
     *
     * @param address the address
     * @return the byte
     */
    protected abstract byte readByte(int address);

    @Override
    public final long size() {
        return (long) pages() * LinearMemory.PAGE_SIZE;
    }

    @Override
    public final void write(long offset, MemorySegment src) {
        write(offset, src, 0, src.byteSize());
    }

    @Override
    public final void write(long offset, MemorySegment src, long srcOffset, long len) {
        byte[] buffer = staging;
        if (buffer == null) {
            buffer = new byte[STAGING_SIZE];
            staging = buffer;
        }
        for (long done = 0; done < len; ) {
            int n = (int) Math.min(STAGING_SIZE, len - done);
            MemorySegment.copy(src, ValueLayout.JAVA_BYTE, srcOffset + done, buffer, 0, n);
            writeBytes((int) (offset + done), buffer, n);
            done += n;
        }
    }

    @Override
    public final void read(long offset, MemorySegment dst) {
        read(offset, dst, 0, dst.byteSize());
    }

    /** Reads eight bytes at a time through the runtime's own accessors: no array per read. */
    @Override
    public final void read(long offset, MemorySegment dst, long dstOffset, long len) {
        long done = 0;
        for (; done + Long.BYTES <= len; done += Long.BYTES) {
            dst.set(LONG, dstOffset + done, readLong((int) (offset + done)));
        }
        for (; done < len; done++) {
            dst.set(ValueLayout.JAVA_BYTE, dstOffset + done, readByte((int) (offset + done)));
        }
    }
}
