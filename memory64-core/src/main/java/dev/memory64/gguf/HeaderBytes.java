package dev.memory64.gguf;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The bytes that metadata values read from a file point into: the file's header, either mapped from
 * the file (a header larger than the first read, from a local file: it costs no heap) or in a heap
 * array (a small header, a remote one, values built in code). The parser sets the buffer once it
 * has read and checked the whole header, before the values are published (they are reachable only
 * through the {@link GgufFile}'s final fields, so they see it). Offsets are from the header's
 * start, which is the file's; reads are absolute, so values read from any number of threads.
 *
 * <p>A {@link ByteBuffer} (a mapped header is a view of its segment), not a segment: a header is
 * under 2 GiB, and a buffer's reads need none of the JDK's memory layouts, whose first use on a
 * cold JVM an open would otherwise pay (a few milliseconds).
 */
final class HeaderBytes {

    /** The header, little-endian; null until the parser has read it. */
    ByteBuffer buffer;

    /** Bytes the parser sets once it has read the header. */
    HeaderBytes() {}

    /** Bytes already complete, in a heap array. */
    HeaderBytes(byte[] bytes) {
        this.buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The byte at {@code at}. */
    byte u8(int at) {
        return buffer.get(at);
    }

    /** The little-endian unsigned short at {@code at}. */
    int le16(int at) {
        return Short.toUnsignedInt(buffer.getShort(at));
    }

    /** The little-endian int at {@code at}. */
    int le32(int at) {
        return buffer.getInt(at);
    }

    /** The little-endian long at {@code at}. */
    long le64(int at) {
        return buffer.getLong(at);
    }

    /** A copy of {@code length} bytes from {@code at}. */
    byte[] toArray(int at, int length) {
        Objects.checkFromIndexSize(at, length, buffer.limit()); // before allocating
        byte[] copy = new byte[length];
        buffer.get(at, copy, 0, length);
        return copy;
    }

    /**
     * The text of the {@code length} bytes of UTF-8 at {@code at}; decoded in place if in the heap.
     */
    String utf8(int at, int length) {
        if (buffer.hasArray()) {
            Objects.checkFromIndexSize(at, length, buffer.limit());
            return new String(
                    buffer.array(), buffer.arrayOffset() + at, length, StandardCharsets.UTF_8);
        }
        return new String(toArray(at, length), StandardCharsets.UTF_8);
    }

    /** Appends the {@code length} bytes at {@code at} to {@code out}. */
    void copyTo(int at, int length, GgufEncoder out) {
        out.bytes(buffer, at, length);
    }

    /** Whether {@code [from, to)} here holds the bytes {@code [otherFrom, otherTo)} there do. */
    boolean sameBytes(int from, int to, HeaderBytes other, int otherFrom, int otherTo) {
        return buffer.slice(from, to - from)
                .equals(other.buffer.slice(otherFrom, otherTo - otherFrom));
    }

    /** Bytes {@code [at, at + length)} as a read-only segment over the header, with no copy. */
    MemorySegment segment(int at, int length) {
        return MemorySegment.ofBuffer(buffer.duplicate().clear()).asSlice(at, length).asReadOnly();
    }
}
