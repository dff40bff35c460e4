package dev.memory64.bench.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.memory64.bench.support.PseudoRandomBytes;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model's size apart from what it takes on disk. */
class DiskUsageTest {

    @TempDir Path dir;

    @Test
    void saysSparseOnlyWhenLessIsAllocatedThanTheSizeAndUnknownWhenItIs() {
        assertEquals(
                "263.98 GB, 1.20 GB of it allocated on disk (sparse)",
                new DiskUsage(263_980_000_000L, 1_200_000_000L).describe());
        assertEquals("4.63 GB on disk", new DiskUsage(4_630_000_000L, 4_630_004_224L).describe());
        assertEquals("4.63 GB on disk", new DiskUsage(4_630_000_000L, 4_630_000_000L).describe());
        assertEquals(
                "4.63 GB (allocated size on disk unknown)",
                new DiskUsage(4_630_000_000L, -1).describe());
    }

    @Test
    void readsTheAllocatedSizeOfASparseAndADenseFileOnLinux() throws Exception {
        assumeTrue(System.getProperty("os.name").equals("Linux"), "stat(2) is read on Linux only");
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        assumeTrue(
                arch.equals("amd64") || arch.equals("aarch64"),
                "struct stat's layout is known on x86-64 and AArch64 only");
        Path sparse = dir.resolve("sparse.bin");
        Path dense = dir.resolve("dense.bin");
        try (FileChannel channel =
                FileChannel.open(
                        sparse,
                        StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE,
                        StandardOpenOption.SPARSE)) {
            channel.write(ByteBuffer.wrap(new byte[] {1}), 64L << 20);
        }
        try (FileChannel channel =
                FileChannel.open(dense, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            PseudoRandomBytes.fill(channel, 7, 1L << 20, new AtomicLong());
            channel.force(true);
        }
        long sparseAllocated = DiskUsage.allocatedBytes(sparse);
        long denseAllocated = DiskUsage.allocatedBytes(dense);
        assertTrue(
                sparseAllocated > 0 && sparseAllocated < (1L << 20),
                "allocated " + sparseAllocated + " of " + ((64L << 20) + 1));
        assertTrue(denseAllocated >= (1L << 20), "allocated " + denseAllocated + " of 1 MiB");

        DiskUsage both = DiskUsage.of(List.of(sparse, dense));
        assertEquals((64L << 20) + 1 + (1L << 20), both.size());
        assertEquals(sparseAllocated + denseAllocated, both.allocated());
        assertEquals(-1, DiskUsage.allocatedBytes(dir.resolve("missing.bin")));
    }
}
