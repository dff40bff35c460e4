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

    /**
     * Takes the next chunk as {@code len} bytes of {@code src} from {@code srcOffset}: what the
     * store calls, so that a sink that copies can do so without a view made per chunk. By default
     * it passes that slice to {@link #write(long, MemorySegment)}.
     *
     * @param offset where the chunk goes in the sink, as for {@link #write(long, MemorySegment)}
     * @param src the store's memory, valid only during the call
     * @param srcOffset the chunk's first byte in {@code src}
     * @param len the chunk's length, at most 4 MiB
     */
    default void write(long offset, MemorySegment src, long srcOffset, long len) {
        write(offset, src.asSlice(srcOffset, len));
    }
}
