package dev.memory64.testkit;

import dev.memory64.abi.GuestMemory;
import java.lang.foreign.MemorySegment;

/** A guest memory over a heap array, for tests of the ABI logic without a Wasm runtime. */
public final class HeapGuestMemory implements GuestMemory {
    /** The memory's bytes. */
    public final byte[] bytes;

    /** Whether writes fail, as a guest memory that is gone. */
    public boolean failWrites;

    /** Whether reads fail. */
    public boolean failReads;

    /**
     * Makes a memory of zeros.
     *
     * @param size its size in bytes
     */
    public HeapGuestMemory(int size) {
        this.bytes = new byte[size];
    }

    @Override
    public long size() {
        return bytes.length;
    }

    @Override
    public void write(long offset, MemorySegment src) {
        if (failWrites) {
            throw new IllegalStateException("guest memory is gone");
        }
        MemorySegment.copy(src, 0, MemorySegment.ofArray(bytes), offset, src.byteSize());
    }

    @Override
    public void read(long offset, MemorySegment dst) {
        if (failReads) {
            throw new IllegalStateException("guest memory is unreadable");
        }
        MemorySegment.copy(MemorySegment.ofArray(bytes), offset, dst, 0, dst.byteSize());
    }
}
