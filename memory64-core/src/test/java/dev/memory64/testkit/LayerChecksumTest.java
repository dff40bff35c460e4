package dev.memory64.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** The reference vectors of guests/README.md, and chunking. */
class LayerChecksumTest {
    static long of(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return LayerChecksum.of(MemorySegment.ofArray(b));
    }

    @Test
    void shouldMatchTheReferenceVectors() {
        assertEquals("cbf29ce484222325", LayerChecksum.hex(of()));
        assertEquals("ae61bc4c844b502f", LayerChecksum.hex(of(1, 2, 3)));
        assertEquals("1b77512cb84b5024", LayerChecksum.hex(of(1, 2, 3, 4, 5, 6, 7, 8)));
        assertEquals("f70f13fd27f92ed6", LayerChecksum.hex(of(1, 2, 3, 4, 5, 6, 7, 8, 9)));
        int[] all = new int[256];
        for (int i = 0; i < 256; i++) {
            all[i] = i;
        }
        assertEquals("0e87008cc580a125", LayerChecksum.hex(of(all)));
    }

    @Test
    void shouldEqualTheWholeWhenChunkedByMultiplesOfEight() {
        byte[] bytes = new byte[1001];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 31 + 28 + (i >>> 8));
        }
        MemorySegment all = MemorySegment.ofArray(bytes);
        LayerChecksum chunked = new LayerChecksum();
        chunked.update(all.asSlice(0, 512)).update(all.asSlice(512, 488)).update(all.asSlice(1000));
        assertEquals(LayerChecksum.of(all), chunked.value());
        assertThrows(
                IllegalStateException.class,
                () -> new LayerChecksum().update(all.asSlice(0, 3)).update(all));
    }
}
