package dev.memory64.internal.linear;

import dev.memory64.abi.GuestMemory;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The ABI's view of a runtime's own memory, which takes bytes only as arrays: bytes are staged
 * through a small per-thread buffer (no allocation per call on the write path, no lock). An adapter
 * subclasses it with its runtime's three calls.
 */
public abstract class StagedGuestMemory implements GuestMemory {

    /** The staging buffer size: 64 KiB, one Wasm page. */
    public static final int STAGING_SIZE = 64 * 1024;

    private static final ThreadLocal<byte[]> STAGING =
            ThreadLocal.withInitial(() -> new byte[STAGING_SIZE]);

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
     * Reads {@code size} bytes at {@code address} of the memory.
     *
     * @param address the first address
     * @param size how many bytes
     * @return the bytes
     */
    protected abstract byte[] readBytes(int address, int size);

    @Override
    public final long size() {
        return (long) pages() * LinearMemory.PAGE_SIZE;
    }

    @Override
    public final void write(long offset, MemorySegment src) {
        byte[] staging = STAGING.get();
        long len = src.byteSize();
        for (long done = 0; done < len; ) {
            int n = (int) Math.min(STAGING_SIZE, len - done);
            MemorySegment.copy(src, ValueLayout.JAVA_BYTE, done, staging, 0, n);
            writeBytes((int) (offset + done), staging, n);
            done += n;
        }
    }

    @Override
    public final void read(long offset, MemorySegment dst) {
        long len = dst.byteSize();
        for (long done = 0; done < len; ) {
            int n = (int) Math.min(STAGING_SIZE, len - done);
            byte[] bytes = readBytes((int) (offset + done), n);
            MemorySegment.copy(bytes, 0, dst, ValueLayout.JAVA_BYTE, done, n);
            done += n;
        }
    }
}
