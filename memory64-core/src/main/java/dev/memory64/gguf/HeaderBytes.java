package dev.memory64.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The bytes that metadata values read from a file point into: the file's header, either mapped from
 * the file (a header larger than the first read, from a local file: it costs no heap) or in a heap
 * array (a small header, a remote one, values built in code). The parser sets the segment once it
 * has read and checked the whole header, before the values are published (they are reachable only
 * through the {@link GgufFile}'s final fields, so they see it). Offsets are from the header's
 * start, which is the file's.
 */
final class HeaderBytes {

    /** The header; null until the parser has read it. */
    MemorySegment segment;

    /** Bytes the parser sets once it has read the header. */
    HeaderBytes() {}

    /** Bytes already complete, in a heap array. */
    HeaderBytes(byte[] bytes) {
        this.segment = MemorySegment.ofArray(bytes);
    }

    /** The header's size. */
    long size() {
        return segment.byteSize();
    }

    /** The byte at {@code at}. */
    byte u8(int at) {
        return segment.get(ValueLayout.JAVA_BYTE, at);
    }

    /** The little-endian unsigned short at {@code at}. */
    int le16(int at) {
        return Short.toUnsignedInt(segment.get(Le.SHORT, at));
    }

    /** The little-endian int at {@code at}. */
    int le32(int at) {
        return segment.get(Le.INT, at);
    }

    /** The little-endian long at {@code at}. */
    long le64(int at) {
        return segment.get(Le.LONG, at);
    }

    /** A copy of {@code length} bytes from {@code at}. */
    byte[] toArray(int at, int length) {
        Objects.checkFromIndexSize(at, length, segment.byteSize()); // before allocating
        byte[] copy = new byte[length];
        MemorySegment.copy(segment, at, MemorySegment.ofArray(copy), 0, length);
        return copy;
    }

    /** The text of the {@code length} bytes of UTF-8 at {@code at}. */
    String utf8(int at, int length) {
        return new String(toArray(at, length), StandardCharsets.UTF_8);
    }

    /** Whether {@code [from, to)} here holds the bytes {@code [otherFrom, otherTo)} there do. */
    boolean sameBytes(int from, int to, HeaderBytes other, int otherFrom, int otherTo) {
        return MemorySegment.mismatch(segment, from, to, other.segment, otherFrom, otherTo) < 0;
    }

    /**
     * The little-endian layouts, in a holder of their own: an open creates values but reads none,
     * so it need not create the layouts' access handles either.
     */
    private static final class Le {
        static final ValueLayout.OfShort SHORT =
                ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        static final ValueLayout.OfInt INT =
                ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        static final ValueLayout.OfLong LONG =
                ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

        private Le() {}
    }
}
