package dev.memory64.abi;

import dev.memory64.SegmentSink;
import java.lang.foreign.MemorySegment;

/**
 * A guest's linear memory as the ABI sees it: a current size and a bulk write.
 *
 * <p>This is all a Wasm runtime adapter must provide for the ABI to copy host bytes into a guest.
 * The ABI validates every range before it calls {@link #write} or {@link #read}, so an
 * implementation may assume {@code offset + segment.byteSize() <= size()} and need not check again.
 */
public interface GuestMemory extends SegmentSink {

    /**
     * Returns the memory's current size in bytes.
     *
     * @return the size, between 0 and 2<sup>32</sup> inclusive
     */
    long size();

    /**
     * Copies every byte of {@code src} into this memory, starting at {@code offset}.
     *
     * @param offset where the first byte goes, at most {@code size() - src.byteSize()}
     * @param src the bytes to copy; a slice of host storage, valid for the duration of the call
     * @throws RuntimeException if the copy fails part-way (the ABI reports it as {@code
     *     GUEST_WRITE})
     */
    @Override
    void write(long offset, MemorySegment src);

    /**
     * Copies bytes out of this memory into {@code dst}, filling it; used for small inputs such as a
     * name a guest passes.
     *
     * @param offset where the first byte is read, at most {@code size() - dst.byteSize()}
     * @param dst where the bytes go
     * @throws RuntimeException if the read fails
     */
    void read(long offset, MemorySegment dst);

    /**
     * Copies {@code len} bytes out of this memory into {@code dst} from {@code dstOffset}. By
     * default it fills that slice with {@link #read(long, MemorySegment)}; an implementation that
     * can copy straight into {@code dst} overrides it, so that the ABI's reads make no view.
     *
     * @param offset where the first byte is read, at most {@code size() - len}
     * @param dst where the bytes go
     * @param dstOffset the first byte written in {@code dst}
     * @param len how many bytes
     * @throws RuntimeException if the read fails
     */
    default void read(long offset, MemorySegment dst, long dstOffset, long len) {
        read(offset, dst.asSlice(dstOffset, len));
    }
}
