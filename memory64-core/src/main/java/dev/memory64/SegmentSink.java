package dev.memory64;

import java.lang.foreign.MemorySegment;

/**
 * Where {@link Memory64Store#copyTo(long, SegmentSink, long, long)} delivers a range, chunk by
 * chunk, with no intermediate buffer: a guest's memory, a digest, a channel.
 */
@FunctionalInterface
public interface SegmentSink {

    /**
     * Takes the next chunk. The chunk is a view of the store's memory, valid only during the call:
     * copy what is needed, keep no reference.
     *
     * @param offset where the chunk goes in the sink: the {@code dstOffset} of the copy plus the
     *     bytes delivered before it
     * @param src the chunk, at most 4 MiB
     */
    void write(long offset, MemorySegment src);
}
