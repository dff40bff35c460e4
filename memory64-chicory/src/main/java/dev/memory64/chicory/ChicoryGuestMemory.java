package dev.memory64.chicory;

import com.dylibso.chicory.runtime.Memory;
import dev.memory64.linear.StagedGuestMemory;

/**
 * The ABI's view of any of Chicory's {@link Memory} kinds but a {@link SegmentMemory}: it stages
 * bytes through a small buffer, because Chicory's own memories take no bulk write from a {@code
 * MemorySegment}. There is one view per thread, {@linkplain #bind bound} to the calling guest's
 * memory for the duration of a host call, so that a call allocates nothing.
 */
final class ChicoryGuestMemory extends StagedGuestMemory {

    private static final ThreadLocal<ChicoryGuestMemory> VIEWS =
            ThreadLocal.withInitial(ChicoryGuestMemory::new);

    private Memory memory;

    private ChicoryGuestMemory() {}

    /**
     * Returns this thread's view, bound to {@code memory}; the caller {@linkplain #unbind unbinds}
     * it when its call returns, so that the view holds no guest's memory between calls.
     */
    static ChicoryGuestMemory bind(Memory memory) {
        ChicoryGuestMemory view = VIEWS.get();
        view.memory = memory;
        return view;
    }

    /** Drops the memory bound to this view. */
    void unbind() {
        memory = null;
    }

    @Override
    protected int pages() {
        return memory.pages();
    }

    @Override
    protected void writeBytes(int address, byte[] bytes, int size) {
        memory.write(address, bytes, 0, size);
    }

    @Override
    protected long readLong(int address) {
        return memory.readLong(address);
    }

    @Override
    protected byte readByte(int address) {
        return memory.read(address);
    }
}
