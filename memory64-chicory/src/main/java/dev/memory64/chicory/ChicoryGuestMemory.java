package dev.memory64.chicory;

import com.dylibso.chicory.runtime.Memory;
import dev.memory64.abi.GuestMemory;
import dev.memory64.internal.linear.StagedGuestMemory;

/**
 * The ABI's view of a Chicory {@link Memory}: for a {@link SegmentMemory} its single-copy view, for
 * any other memory one that stages bytes through a small per-thread buffer, because Chicory's own
 * memories take no bulk write from a {@code MemorySegment}.
 */
final class ChicoryGuestMemory extends StagedGuestMemory {

    private final Memory memory;

    private ChicoryGuestMemory(Memory memory) {
        this.memory = memory;
    }

    /** Returns the ABI's view of a Chicory memory, or null if there is none. */
    static GuestMemory of(Memory memory) {
        if (memory == null) {
            return null;
        }
        if (memory instanceof SegmentMemory segmentMemory) {
            return segmentMemory.guestMemory();
        }
        return new ChicoryGuestMemory(memory);
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
    protected byte[] readBytes(int address, int size) {
        return memory.readBytes(address, size);
    }
}
