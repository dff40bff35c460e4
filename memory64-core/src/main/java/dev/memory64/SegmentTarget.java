package dev.memory64;

import java.lang.foreign.MemorySegment;

/** A host segment as a {@link SegmentSink}: how a host read reaches the store's one copy path. */
final class SegmentTarget implements SegmentSink {

    private final MemorySegment dst;

    SegmentTarget(MemorySegment dst) {
        this.dst = dst;
    }

    @Override
    public void write(long offset, MemorySegment src) {
        MemorySegment.copy(src, 0, dst, offset, src.byteSize());
    }

    @Override
    public void write(long offset, MemorySegment src, long srcOffset, long len) {
        MemorySegment.copy(src, srcOffset, dst, offset, len);
    }
}
