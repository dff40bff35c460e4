package dev.memory64.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.management.JMException;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufLargeFileTest {

    private static final long MIB = 1 << 20;

    @TempDir Path dir;

    @Test
    void aFiveGibSparseModelReadsWithLittleHeap() throws IOException, JMException {
        GgufWriter writer = TestModels.sparseLlama(8);
        Path path = dir.resolve("five-gib.gguf");
        writer.write(path);
        assertEquals(writer.fileSize(), Files.size(path));
        assertTrue(Files.size(path) >= 5L << 30, "size " + Files.size(path));

        long before = allocatedBytes();
        GgufFile file = GgufFile.read(path);
        List<GgufLayer> layers = file.layers();
        long allocated = allocatedBytes() - before;

        assertEquals(10, file.tensors().size());
        assertEquals(
                List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 10),
                layers.stream().map(GgufLayer::id).toList());
        assertEquals(512 * MIB, layers.get(9).size());
        assertEquals(file.fileSize(), layers.get(9).fileEnd());
        // The header is tiny and tensor data is never read: well under a few MiB of heap.
        assertTrue(allocated < 4 * MIB, "allocated " + allocated + " bytes");
    }

    /** Bytes this thread has allocated so far, through the platform Threading MBean. */
    private static long allocatedBytes() throws JMException {
        return (Long)
                ManagementFactory.getPlatformMBeanServer()
                        .getAttribute(
                                new ObjectName("java.lang:type=Threading"),
                                "CurrentThreadAllocatedBytes");
    }
}
