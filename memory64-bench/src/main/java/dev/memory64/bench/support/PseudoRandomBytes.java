package dev.memory64.bench.support;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Deterministic pseudo-random tensor content, the same for the demo's sample model and the
 * benchmarks' model files: real bytes (not holes), so that checksums and cold reads mean something,
 * and reproducible from a tensor's name.
 */
public final class PseudoRandomBytes {

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final int CHUNK = 4 << 20;

    private PseudoRandomBytes() {}

    /**
     * The seed of a tensor's content.
     *
     * @param tensorName the tensor's name
     * @return the seed {@link #fill} takes
     */
    public static long seed(String tensorName) {
        return tensorName.hashCode() * GOLDEN;
    }

    /**
     * Writes {@code size} pseudo-random bytes: little-endian u64 words, word {@code i} being the
     * SplitMix64 output for {@code seed + (i + 1) * GOLDEN}; a shorter fill is a prefix of a longer
     * one.
     *
     * @param channel where the bytes go
     * @param seed the seed, e.g. {@link #seed(String)}
     * @param size how many bytes
     * @param written incremented by every byte written, for progress read from another thread
     * @throws IOException if the channel fails
     */
    public static void fill(WritableByteChannel channel, long seed, long size, AtomicLong written)
            throws IOException {
        fill(
                channel,
                seed,
                size,
                written,
                ByteBuffer.allocate((int) Math.min(CHUNK, (size + 7) & ~7L)));
    }

    /**
     * As {@link #fill(WritableByteChannel, long, long, AtomicLong)}, through a given buffer (a
     * caller writing many tensors reuses one direct buffer).
     *
     * @param channel where the bytes go
     * @param seed the seed
     * @param size how many bytes
     * @param written incremented by every byte written
     * @param scratch the buffer, at least 8 bytes; its content and byte order are overwritten
     * @throws IOException if the channel fails
     * @throws IllegalArgumentException if {@code scratch} holds fewer than 8 bytes
     */
    public static void fill(
            WritableByteChannel channel,
            long seed,
            long size,
            AtomicLong written,
            ByteBuffer scratch)
            throws IOException {
        ByteBuffer buffer = scratch.order(ByteOrder.LITTLE_ENDIAN);
        int capacity = buffer.capacity() & ~7;
        if (capacity == 0 && size > 0) {
            throw new IllegalArgumentException(
                    "fill size="
                            + size
                            + ": scratch capacity="
                            + buffer.capacity()
                            + " is below 8");
        }
        long word = 0;
        for (long done = 0; done < size; ) {
            int n = (int) Math.min(capacity, size - done);
            buffer.clear();
            for (int i = 0; i < n; i += 8) {
                long value = mix(seed + ++word * GOLDEN);
                if (n - i >= 8) {
                    buffer.putLong(i, value);
                } else {
                    for (int j = i; j < n; j++, value >>>= 8) {
                        buffer.put(j, (byte) value);
                    }
                }
            }
            buffer.limit(n);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            done += n;
            written.addAndGet(n);
        }
    }

    /** SplitMix64's finalizer. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
