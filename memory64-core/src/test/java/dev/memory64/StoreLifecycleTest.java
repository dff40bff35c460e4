package dev.memory64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memory64.internal.Bytes;
import dev.memory64.testkit.ProcStatus;
import dev.memory64.testkit.TestStore;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Store behaviour that depends on a particular backing or on time: close, faults, footprint. */
class StoreLifecycleTest {
    static final long PAGE = MemoryRegion.PAGE_SIZE;

    @TempDir Path dir;

    static Path fileOf(Path dir, byte[] content) throws IOException {
        Path file = Files.createTempFile(dir, "f", ".bin");
        Files.write(file, content);
        return file;
    }

    /**
     * A store whose region "model" maps the file read-only and whose other regions are allocated.
     */
    private static Memory64Store mappedModel(MemoryLayout layout, Path file) throws IOException {
        return Memory64Store.builder(layout)
                .withDefaultBacking(RegionBacking.allocated())
                .withBacking("model", RegionBacking.mapped(file, 0, false))
                .build();
    }

    /** A layout of two regions, {@code first} then {@code second}, of the sizes given. */
    private static MemoryLayout twoRegions(
            String first, long firstSize, String second, long secondSize) {
        return MemoryLayout.builder()
                .addRegion(first, firstSize)
                .addRegion(second, secondSize)
                .build();
    }

    @Test
    void rejectsWritesIntoAReadOnlyMappedRegionAndChangesNothing() throws Exception {
        byte[] content = StoreContractTest.pattern((int) (2 * PAGE), 1);
        Path file = fileOf(dir, content);
        MemoryLayout layout = twoRegions("scratch", PAGE, "model", 2 * PAGE);
        try (Memory64Store store = mappedModel(layout, file)) {
            IllegalStateException e =
                    assertThrows(
                            IllegalStateException.class, () -> store.write(PAGE - 2, new byte[4]));
            assertTrue(
                    e.getMessage()
                            .startsWith(
                                    "write offset=65534 len=4 touches read-only region \"model\" (mapped read-only "),
                    e.getMessage());
            byte[] scratch = new byte[2];
            store.read(PAGE - 2, scratch);
            assertArrayEquals(new byte[2], scratch, "the writable part was not written either");
            byte[] model = new byte[(int) (2 * PAGE)];
            store.read(PAGE, model);
            assertArrayEquals(content, model);
            assertArrayEquals(content, Files.readAllBytes(file));
        }
    }

    @Test
    void rejectsAccessToTheUnbackedTailOfAShortFile() throws Exception {
        byte[] content = StoreContractTest.pattern(1000, 2);
        Path file = fileOf(dir, content);
        try (Memory64Store store =
                Memory64Store.builder(MemoryLayout.builder().addRegion("model", PAGE).build())
                        .withBacking("model", RegionBacking.mapped(file, 0, false))
                        .build()) {
            byte[] all = new byte[1000];
            store.read(0, all);
            assertArrayEquals(content, all);
            IndexOutOfBoundsException e =
                    assertThrows(
                            IndexOutOfBoundsException.class, () -> store.read(990, new byte[11]));
            assertTrue(
                    e.getMessage().contains("reaches past the backed part of region \"model\""),
                    e.getMessage());
            assertTrue(e.getMessage().contains("1000 of 65536 bytes backed"), e.getMessage());
        }
    }

    @Test
    void shouldMapASliceOfAFileFromAnOffset() throws Exception {
        byte[] content = StoreContractTest.pattern((int) (3 * PAGE), 3);
        Path file = fileOf(dir, content);
        try (Memory64Store store =
                Memory64Store.builder(MemoryLayout.builder().addRegion("mid", PAGE).build())
                        .withBacking("mid", RegionBacking.mapped(file, PAGE, false))
                        .build()) {
            byte[] got = new byte[(int) PAGE];
            store.read(0, got);
            assertArrayEquals(
                    java.util.Arrays.copyOfRange(content, (int) PAGE, (int) (2 * PAGE)), got);
        }
    }

    @Test
    void rejectsADirectoryAsAMappedFileNamingIt() {
        MemoryLayout layout = MemoryLayout.builder().addRegion("model", PAGE).build();
        IOException e =
                assertThrows(
                        IOException.class,
                        () ->
                                Memory64Store.builder(layout)
                                        .withBacking("model", RegionBacking.mapped(dir, 0, false))
                                        .build());
        assertEquals("map region \"model\": " + dir + " is a directory", e.getMessage());
    }

    @Test
    void rejectsAFileOffsetPastTheEndAndReleasesWhatItOpened() throws Exception {
        Path file = fileOf(dir, new byte[10]);
        MemoryLayout layout = twoRegions("a", PAGE, "b", PAGE);
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                Memory64Store.builder(layout)
                                        .withDefaultBacking(RegionBacking.allocated())
                                        .withBacking("b", RegionBacking.mapped(file, 11, false))
                                        .build());
        assertEquals(
                "map region \"b\": fileOffset=11 is past the end of " + file + " (size=10)",
                e.getMessage());
        assertThrows(
                NoSuchFileException.class,
                () ->
                        Memory64Store.builder(layout)
                                .withBacking(
                                        "a", RegionBacking.mapped(dir.resolve("missing"), 0, false))
                                .build());
        assertThrows(
                IllegalArgumentException.class,
                () -> Memory64Store.builder(layout).withBacking("zz", RegionBacking.allocated()));
    }

    @Test
    void translatesAFaultFromATruncatedFileAndKeepsOtherRegionsUsable() throws Exception {
        byte[] content = StoreContractTest.pattern((int) (4 * PAGE), 4);
        Path file = fileOf(dir, content);
        MemoryLayout layout = twoRegions("model", 4 * PAGE, "scratch", PAGE);
        try (Memory64Store store = mappedModel(layout, file)) {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.truncate(PAGE);
            }
            Memory64Exception e =
                    assertThrows(
                            Memory64Exception.class, () -> store.read(3 * PAGE, new byte[100]));
            assertTrue(
                    e.getMessage()
                            .startsWith(
                                    "read offset=196608 len=100: the storage of region \"model\""),
                    e.getMessage());
            assertInstanceOf(InternalError.class, e.getCause());
            byte[] head = new byte[100];
            store.read(0, head);
            assertArrayEquals(java.util.Arrays.copyOf(content, 100), head);
            store.write(4 * PAGE, new byte[] {9});
            byte[] one = new byte[1];
            store.read(4 * PAGE, one);
            assertEquals(9, one[0]);
            assertEquals(1, store.stats().errors());
        }
    }

    @Test
    void closeDuringConcurrentAccessFailsCallsCleanly() throws Exception {
        MemoryLayout layout = MemoryLayout.single(1, "weights");
        int threads = 4;
        for (int round = 0; round < 5; round++) {
            Memory64Store store = Memory64Store.reserve(layout);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch started = new CountDownLatch(threads);
            AtomicLong ok = new AtomicLong();
            List<Future<Long>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long base = t * (64L << 20);
                results.add(
                        pool.submit(
                                () -> {
                                    byte[] buffer = new byte[16 << 20];
                                    started.countDown();
                                    long closedSeen = 0;
                                    for (int i = 0; i < 400; i++) {
                                        try {
                                            if ((i & 1) == 0) {
                                                store.write(base, buffer);
                                            } else {
                                                store.read(base, buffer);
                                            }
                                            ok.incrementAndGet();
                                        } catch (StoreClosedException e) {
                                            closedSeen++;
                                            assertFalse(
                                                    Thread.currentThread().isInterrupted(),
                                                    "close must not leave the caller interrupted");
                                        }
                                    }
                                    return closedSeen;
                                }));
            }
            started.await();
            store.close();
            long closedCalls = 0;
            for (Future<Long> result : results) {
                closedCalls += result.get(60, TimeUnit.SECONDS);
            }
            pool.shutdown();
            assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
            assertEquals(threads * 400L, ok.get() + closedCalls);
            assertTrue(closedCalls > 0, "some calls ran after close");
            assertThrows(StoreClosedException.class, () -> store.read(0, new byte[1]));
        }
    }

    @Test
    void refusesAReservationTheFileSystemHasNoRoomForNamingRegionAndSizes() throws Exception {
        MemoryLayout layout =
                MemoryLayout.builder()
                        .addRegion("small", PAGE)
                        .addRegion("huge", 16L << 40)
                        .build();
        long usable = java.nio.file.Files.getFileStore(dir).getUsableSpace();
        org.junit.jupiter.api.Assumptions.assumeTrue(
                usable < 16L << 40, "the test directory has room for 16 TiB");
        IOException e = TestStore.assertReservationRefused(layout, dir);
        assertTrue(
                e.getMessage()
                        .startsWith(
                                "reserve region \"huge\" (17592186044416 bytes, 16 TiB) in "
                                        + dir
                                        + ": cannot reserve 17592186044416 bytes"),
                e.getMessage());
        assertTrue(e.getMessage().contains("usable bytes, fewer than the 17592186044416"));
        try (java.util.stream.Stream<java.nio.file.Path> left = java.nio.file.Files.list(dir)) {
            assertEquals(0, left.count(), "nothing left behind");
        }
    }

    @Test
    void namesTheFileSystemsLargestFileWhenA16TiBRegionCannotExistOnIt() throws Exception {
        java.nio.file.FileStore fileStore = java.nio.file.Files.getFileStore(dir);
        org.junit.jupiter.api.Assumptions.assumeTrue(
                fileStore.type().equals("ext4"),
                "the test directory is on " + fileStore.type() + ", not ext4");
        MemoryLayout layout = MemoryLayout.builder().addRegion("huge", 16L << 40).build();
        IOException e =
                assertThrows(
                        IOException.class,
                        () ->
                                Memory64Store.builder(layout)
                                        .withDefaultBacking(
                                                RegionBacking.reservedOvercommitted(dir))
                                        .build());
        assertTrue(
                e.getMessage()
                        .contains(
                                "directory "
                                        + dir
                                        + " is on a file system (ext4) whose largest file is"
                                        + " smaller than the 17592186044416 bytes to reserve (ext4"
                                        + " with 4 KiB blocks: 16 TiB - 4 KiB = 17592186040320"
                                        + " bytes)"),
                e.getMessage());
        assertTrue(e.getMessage().startsWith("reserve region \"huge\""), e.getMessage());
        try (java.util.stream.Stream<java.nio.file.Path> left = java.nio.file.Files.list(dir)) {
            assertEquals(0, left.count(), "nothing left behind");
        }
    }

    @Test
    void reservesALayoutFarLargerThanMemoryAndCommitsOnlyTouchedPages() throws Exception {
        MemoryLayout layout =
                MemoryLayout.multi(
                        java.util.Map.entry("emb", 8L), java.util.Map.entry("layers", 120L));
        long before = ProcStatus.residentBytes();
        long start = System.nanoTime();
        try (Memory64Store store =
                Memory64Store.builder(layout)
                        .withDefaultBacking(RegionBacking.reservedOvercommitted(dir))
                        .build()) {
            long createdMillis = (System.nanoTime() - start) / 1_000_000;
            byte[] page = StoreContractTest.pattern(4096, 6);
            long[] offsets = {0, 8L << 30, 64L << 30, layout.size() - 4096};
            for (long offset : offsets) {
                store.write(offset, page);
            }
            for (long offset : offsets) {
                byte[] back = new byte[4096];
                store.read(offset, back);
                assertArrayEquals(page, back);
            }
            long grown = ProcStatus.residentBytes() - before;
            System.out.printf(
                    "reserved %s in %d ms; resident memory grew by %d KiB after touching %d pages%n",
                    Bytes.binary(layout.size()), createdMillis, grown / 1024, offsets.length);
            assertTrue(layout.size() >= 64L << 30);
            assertTrue(grown < 64L << 20, "resident memory grew by " + grown + " bytes");
        }
    }

    @Test
    void shouldExposeCountersThroughJmxAndUnregisterOnClose() throws Exception {
        Memory64Store store =
                Memory64Store.builder(MemoryLayout.builder().addRegion("a", PAGE).build())
                        .withName("jmx-test")
                        .withDefaultBacking(RegionBacking.allocated())
                        .withJmx(true)
                        .build();
        ObjectName name = new ObjectName("dev.memory64:type=Memory64Store,name=\"jmx-test\"");
        var server = ManagementFactory.getPlatformMBeanServer();
        store.write(0, new byte[10]);
        store.read(0, new byte[4]);
        assertEquals(1L, server.getAttribute(name, "Reads"));
        assertEquals(10L, server.getAttribute(name, "BytesWritten"));
        assertEquals(PAGE, server.getAttribute(name, "Size"));
        assertFalse((Boolean) server.getAttribute(name, "Closed"));
        store.close();
        assertFalse(server.isRegistered(name));
    }

    @Test
    void shouldCountConsistentlyAcrossThreads() throws Exception {
        try (Memory64Store store =
                Memory64Store.allocate(MemoryLayout.builder().addRegion("a", PAGE).build())) {
            int threads = 4;
            int perThread = 20_000;
            Thread[] workers = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                workers[t] =
                        new Thread(
                                () -> {
                                    byte[] b = new byte[3];
                                    for (int i = 0; i < perThread; i++) {
                                        try {
                                            store.read(0, b);
                                        } catch (Memory64Exception e) {
                                            throw new AssertionError(e);
                                        }
                                    }
                                });
                workers[t].start();
            }
            for (int i = 0; i < 1000; i++) {
                Memory64Stats s = store.stats();
                assertEquals(3 * s.reads(), s.bytesRead(), "a read counted without its bytes");
            }
            for (Thread worker : workers) {
                worker.join();
            }
            assertEquals(
                    new Memory64Stats(threads * perThread, 0, 3L * threads * perThread, 0, 0),
                    store.stats());
        }
    }
}
