package dev.memory64;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

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
     * Computes the checksum of a layer as the host holds it.
     *
     * @param store the store
     * @param layer a layer of the store
     * @return the checksum
     * @throws Memory64Exception if the store is closed or its storage faults
     */
    public static long of(Memory64Store store, Layer layer) throws Memory64Exception {
        LayerChecksum checksum = new LayerChecksum();
        long chunk = Math.min(layer.size(), Memory64Store.CHUNK_SIZE);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(chunk, 8);
            for (long done = 0; done < layer.size(); ) {
                long n = Math.min(chunk, layer.size() - done);
                store.copyTo(layer.offset() + done, buffer, n);
                checksum.update(buffer.asSlice(0, n));
                done += n;
            }
        }
        return checksum.value();
    }

    /**
     * Formats a checksum as the guests print it: 16 lowercase hex digits.
     *
     * @param checksum the checksum
     * @return the hex form
     */
    public static String hex(long checksum) {
        return String.format("%016x", checksum);
    }
}
