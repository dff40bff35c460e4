package dev.memory64.chicory;

import com.dylibso.chicory.runtime.Memory;
import dev.memory64.abi.GuestMemory;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The ABI's view of any Chicory {@link Memory}: bytes are staged through a small per-thread buffer
 * (no allocation per call, no lock), because Chicory's own memories expose no bulk write from a
 * {@code MemorySegment}.
 */
final class ChicoryGuestMemory implements GuestMemory {

    /** The staging buffer size: 64 KiB, one Wasm page. */
    static final int STAGING_SIZE = 64 * 1024;

    private static final ThreadLocal<byte[]> STAGING =
            ThreadLocal.withInitial(() -> new byte[STAGING_SIZE]);

    private final Memory memory;

    private ChicoryGuestMemory(Memory memory) {
        this.memory = memory;
    }

    /**
     * Returns the ABI's view of a Chicory memory: a single-copy view for a {@link SegmentMemory}, a
     * staged one for any other, or null if there is none.
     */
    static GuestMemory of(Memory memory) {
        if (memory == null) {
            return null;
        }
        if (memory instanceof SegmentMemory segmentMemory) {
            return new SegmentGuestMemory(segmentMemory);
        }
        return new ChicoryGuestMemory(memory);
    }

    @Override
    public long size() {
        return (long) memory.pages() * Memory.PAGE_SIZE;
    }

    @Override
    public void write(long offset, MemorySegment src) {
        byte[] staging = STAGING.get();
        long len = src.byteSize();
        for (long done = 0; done < len; ) {
            int n = (int) Math.min(STAGING_SIZE, len - done);
            MemorySegment.copy(src, ValueLayout.JAVA_BYTE, done, staging, 0, n);
            memory.write((int) (offset + done), staging, 0, n);
            done += n;
        }
    }

    @Override
    public void read(long offset, MemorySegment dst) {
        long len = dst.byteSize();
        for (long done = 0; done < len; ) {
            int n = (int) Math.min(STAGING_SIZE, len - done);
            byte[] bytes = memory.readBytes((int) (offset + done), n);
            MemorySegment.copy(bytes, 0, dst, ValueLayout.JAVA_BYTE, done, n);
            done += n;
        }
    }
}
