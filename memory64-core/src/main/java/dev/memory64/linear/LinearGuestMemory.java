package dev.memory64.linear;

import dev.memory64.abi.GuestMemory;
import java.lang.foreign.MemorySegment;

/**
 * The ABI's view of a {@link LinearMemory}: a layer load is one {@code MemorySegment.copy} from the
 * host region into the guest's segment, with no staging.
 *
 * <p>Because source and destination are touched by the same copy, a hardware fault during it (a
 * truncated model file, or a full file system under the guest's reserved memory) surfaces as one
 * {@code InternalError} that cannot be attributed to either side; the store reports it as a host
 * fault ({@code HOST_RANGE}). Every other failure of this memory is a {@code GUEST_WRITE}.
 */
final class LinearGuestMemory implements GuestMemory {
    private final LinearMemory memory;

    LinearGuestMemory(LinearMemory memory) {
        this.memory = memory;
    }

    @Override
    public long size() {
        return (long) memory.pages() * LinearMemory.PAGE_SIZE;
    }

    @Override
    public void write(long offset, MemorySegment src) {
        // segment() is asked for on every call: grow() and zero() may replace it.
        MemorySegment.copy(src, 0, memory.segment(), offset, src.byteSize());
    }

    @Override
    public void write(long offset, MemorySegment src, long srcOffset, long len) {
        MemorySegment.copy(src, srcOffset, memory.segment(), offset, len);
    }

    @Override
    public void read(long offset, MemorySegment dst) {
        MemorySegment.copy(memory.segment(), offset, dst, 0, dst.byteSize());
    }

    @Override
    public void read(long offset, MemorySegment dst, long dstOffset, long len) {
        MemorySegment.copy(memory.segment(), offset, dst, dstOffset, len);
    }
}
