package dev.memory64.testkit;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.HexFormat;

/**
 * The 64-bit checksum the example guests compute over a layer, so that a host can verify what a
 * guest saw: the bytes are read as little-endian u64 words (the last one zero-padded), {@code h =
 * 0xcbf29ce484222325}, then {@code h = (h ^ word) * 0x100000001b3} for each word, and finally
 * {@code h ^ length}. Defined with reference vectors in {@code guests/README.md}.
 *
 * <p>Feed it chunks whose lengths are multiples of 8 except the last, and the result equals that of
 * the whole range.
 */
public final class LayerChecksum {

    private static final long SEED = 0xcbf29ce484222325L;
    private static final long PRIME = 0x100000001b3L;
    private static final ValueLayout.OfLong WORD =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private long hash = SEED;
    private long length;

    /** Starts an empty checksum. */
    public LayerChecksum() {}

    /**
     * Folds a chunk in.
     *
     * @param chunk the next bytes
     * @return this checksum
     * @throws IllegalStateException if an earlier chunk's length was not a multiple of 8
     */
    public LayerChecksum update(MemorySegment chunk) {
        if ((length & 7) != 0) {
            throw new IllegalStateException(
                    "update: the bytes so far (" + length + ") are not a multiple of 8");
        }
        long n = chunk.byteSize();
        long words = n >>> 3;
        long h = hash;
        for (long i = 0; i < words; i++) {
            h = (h ^ chunk.get(WORD, i << 3)) * PRIME;
        }
        int tail = (int) (n & 7);
        if (tail != 0) {
            long last = 0;
            for (int i = 0; i < tail; i++) {
                last |= (chunk.get(ValueLayout.JAVA_BYTE, (words << 3) + i) & 0xFFL) << (8 * i);
            }
            h = (h ^ last) * PRIME;
        }
        hash = h;
        length += n;
        return this;
    }

    /**
     * Returns the checksum of everything folded in so far.
     *
     * @return the checksum
     */
    public long value() {
        return hash ^ length;
    }

    /**
     * Computes the checksum of a range of bytes.
     *
     * @param bytes the bytes
     * @return the checksum
     */
    public static long of(MemorySegment bytes) {
        return new LayerChecksum().update(bytes).value();
    }

    /**
     * Adds the next chunk; the shape of {@code dev.memory64.SegmentSink}, so that {@code
     * store.copyLayerTo(layer.id(), 0, checksum::write, 0, layer.size())} sums a layer as the host
     * holds it, chunk by chunk.
     *
     * @param offset ignored: chunks arrive in order
     * @param chunk the next bytes
     * @throws IllegalStateException as {@link #update}
     */
    public void write(long offset, MemorySegment chunk) {
        update(chunk);
    }

    /**
     * Formats a checksum as the guests print it: 16 lowercase hex digits.
     *
     * @param checksum the checksum
     * @return the hex form
     */
    public static String hex(long checksum) {
        return HexFormat.of().toHexDigits(checksum);
    }
}
