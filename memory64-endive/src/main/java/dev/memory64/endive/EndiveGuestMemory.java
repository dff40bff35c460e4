package dev.memory64.endive;

import dev.memory64.internal.linear.StagedGuestMemory;
import run.endive.runtime.Memory;

/**
 * The ABI's view of a Endive {@link Memory} other than a {@link SegmentMemory}: it stages bytes
 * through a small buffer, because Endive's own memories take no bulk write from a {@code
 * MemorySegment}. There is one view per thread, {@linkplain #bind bound} to the calling guest's
 * memory for the duration of a host call, so that a call allocates nothing.
 */
final class EndiveGuestMemory extends StagedGuestMemory {

    private static final ThreadLocal<EndiveGuestMemory> VIEWS =
            ThreadLocal.withInitial(EndiveGuestMemory::new);

    private Memory memory;

    private EndiveGuestMemory() {}

    /**
     * Returns this thread's view, bound to {@code memory}; the caller {@linkplain #unbind unbinds}
     * it when its call returns, so that the view holds no guest's memory between calls.
     */
    static EndiveGuestMemory bind(Memory memory) {
        EndiveGuestMemory view = VIEWS.get();
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
