package dev.memory64.abi;

import java.lang.foreign.MemorySegment;

/** A guest memory over a heap array, for tests of the ABI logic without a Wasm runtime. */
final class HeapGuestMemory implements GuestMemory {
    final byte[] bytes;
    boolean failWrites;
    boolean failReads;

    HeapGuestMemory(int size) {
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
