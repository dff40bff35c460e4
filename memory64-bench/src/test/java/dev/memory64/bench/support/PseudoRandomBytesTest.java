package dev.memory64.bench.support;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The pseudo-random tensor content shared by the demo's sample and the benchmarks' models. */
public class PseudoRandomBytesTest {

    /**
     * The bytes {@link PseudoRandomBytes#fill} writes, checking that it counted each of them.
     *
     * @param seed the seed
     * @param size how many bytes
     * @return the bytes
     * @throws IOException never: the channel is in memory
     */
    public static byte[] fill(long seed, long size) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AtomicLong written = new AtomicLong();
        PseudoRandomBytes.fill(Channels.newChannel(bytes), seed, size, written);
        assertEquals(size, written.get());
        return bytes.toByteArray();
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 7, 8, 13, 4096, (4L << 20) + 13})
    void fillWritesExactlyTheSizeTheSameWayEveryTime(long size) throws Exception {
        byte[] first = fill(42, size);
        assertEquals(size, first.length);
        assertArrayEquals(first, fill(42, size));
        // The stream of words does not depend on the size: a shorter fill is a prefix.
        byte[] prefix = fill(42, Math.min(size, 11));
        assertArrayEquals(prefix, Arrays.copyOf(first, prefix.length));
    }

    @Test
    void fillDependsOnTheSeedAndIsNotConstant() throws Exception {
        byte[] a = fill(PseudoRandomBytes.seed("blk.0.attn_q.weight"), 4096);
        byte[] b = fill(PseudoRandomBytes.seed("blk.1.attn_q.weight"), 4096);
        assertFalse(Arrays.equals(a, b));
        long distinct = 0;
        int[] counts = new int[256];
        for (byte x : a) {
            if (counts[x & 0xff]++ == 0) {
                distinct++;
            }
        }
        assertTrue(distinct > 200, "distinct byte values: " + distinct);
    }

    @Test
    void fillThroughAGivenBufferWritesTheSameBytes() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        // 24 bytes: three words per write, so the stream continues across writes.
        PseudoRandomBytes.fill(
                Channels.newChannel(bytes), 42, 101, new AtomicLong(), ByteBuffer.allocate(27));
        assertArrayEquals(fill(42, 101), bytes.toByteArray());
    }

    @Test
    void rejectsABufferTooSmallForAWordAndWritesNothing() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AtomicLong written = new AtomicLong();
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                PseudoRandomBytes.fill(
                                        Channels.newChannel(bytes),
                                        42,
                                        16,
                                        written,
                                        ByteBuffer.allocate(7)));
        assertEquals("fill size=16: scratch capacity=7 is below 8", e.getMessage());
        assertEquals(0, bytes.size());
        assertEquals(0, written.get());
    }
}
