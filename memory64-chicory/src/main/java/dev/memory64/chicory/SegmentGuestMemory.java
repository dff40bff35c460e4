package dev.memory64.chicory;

import com.dylibso.chicory.runtime.Memory;
import dev.memory64.abi.GuestMemory;
import java.lang.foreign.MemorySegment;

/**
 * The ABI's view of a {@link SegmentMemory}: a layer load is one {@code MemorySegment.copy} from
 * the host region into the guest's segment, with no staging.
 */
final class SegmentGuestMemory implements GuestMemory {
    private final SegmentMemory memory;

    SegmentGuestMemory(SegmentMemory memory) {
        this.memory = memory;
    }

    @Override
    public long size() {
        return (long) memory.pages() * Memory.PAGE_SIZE;
    }

    @Override
    public void write(long offset, MemorySegment src) {
        // segment() is asked for on every call: grow() and zero() may replace it.
        MemorySegment.copy(src, 0, memory.segment(), offset, src.byteSize());
    }

    @Override
    public void read(long offset, MemorySegment dst) {
        MemorySegment.copy(memory.segment(), offset, dst, 0, dst.byteSize());
    }
}
