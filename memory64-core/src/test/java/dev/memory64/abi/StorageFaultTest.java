package dev.memory64.abi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.memory64.Memory64Exception;
import dev.memory64.Memory64Store;
import dev.memory64.MemoryLayout;
import dev.memory64.RegionBacking;
import dev.memory64.testkit.HeapGuestMemory;
import dev.memory64.testkit.TestStore;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Storage faults as a host and a guest meet them: a reserved region on a full file system (tmpfs
 * and ext4 behave differently for pages never touched), a mapped file truncated before and during a
 * read, and a file replaced while mapped. Each fault is a {@link Memory64Exception} naming the
 * region for the host, HOST_RANGE (-4) for a guest, one error in the stats, and never a crash.
 */
class StorageFaultTest {
    static final int PAGE = 64 * 1024;

    @TempDir Path dir;

    static byte[] pattern(int size, int seed) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 7 + seed + (i >>> 10));
        }
        return bytes;
    }

    @Test
    void reservedRegionOnAFullTmpfsFaultsEvenForUntouchedPagesCleanlyForHostAndGuest()
            throws Exception {
        Path mountPoint = Files.createDirectory(dir.resolve("tmpfs"));
        try (SmallFileSystem fs = SmallFileSystem.tmpfsOrSkip(mountPoint, "1m");
                Memory64Store store = reservedStore(fs.path(), 32)) {
            int written = fillUntilFull(store);
            assertTrue(written >= 1 && written <= 16, "1 MiB holds at most 16 pages: " + written);

            // On tmpfs the page cache is the storage: reading a never-touched page needs a page
            // of the file system too, so it faults as well instead of reading zeros.
            byte[] back = new byte[PAGE];
            long untouched = 31L * PAGE;
            Memory64Exception fault =
                    assertThrows(Memory64Exception.class, () -> store.read(untouched, back));
            assertTrue(fault.getMessage().contains("region \"r\""), fault.getMessage());
            assertEquals(2, store.stats().errors());

            // A guest meets the same fault as HOST_RANGE, counted once, and nothing is written
            // outside its destination.
            store.registerLayer(0, "untouched", untouched, 4096);
            store.registerLayer(1, "written", 0, 4096);
            Memory64Abi abi = Memory64Abi.builder(store).build();
            HeapGuestMemory guest = new HeapGuestMemory(3 * 4096);
            Arrays.fill(guest.bytes, (byte) 0x5A);
            assertEquals(-4, abi.loadLayer(guest, 0, 4096, 4096));
            assertEquals(3, store.stats().errors());
            for (int i = 0; i < guest.bytes.length; i++) {
                if (i < 4096 || i >= 8192) {
                    assertEquals(0x5A, guest.bytes[i], "guest byte " + i);
                }
            }
            // The store still serves what it holds.
            assertEquals(4096, abi.loadLayer(guest, 1, 0, 4096));
            assertArrayEquals(
                    Arrays.copyOf(pattern(PAGE, 1), 4096),
                    Arrays.copyOfRange(guest.bytes, 0, 4096));
        }
    }

    @Test
    void reservedRegionOnAFullDiskFileSystemStillReadsUntouchedPagesAsZero() throws Exception {
        Path mountPoint = Files.createDirectory(dir.resolve("ext4"));
        try (SmallFileSystem fs =
                        SmallFileSystem.ext4OrSkip(mountPoint, dir.resolve("ext4.img"), 8L << 20);
                Memory64Store store = reservedStore(fs.path(), 256)) {
            int written = fillUntilFull(store);
            assertTrue(written >= 1 && written < 128, "8 MiB holds under 128 pages: " + written);

            // On a disk file system an untouched page is a hole: reading it needs no room.
            byte[] back = pattern(PAGE, 9);
            store.read(255L * PAGE, back);
            assertArrayEquals(new byte[PAGE], back);
            store.registerLayer(0, "untouched", 255L * PAGE, 4096);
            HeapGuestMemory guest = new HeapGuestMemory(4096);
            Arrays.fill(guest.bytes, (byte) 0x5A);
            assertEquals(4096, Memory64Abi.builder(store).build().loadLayer(guest, 0, 0, 4096));
            assertArrayEquals(new byte[4096], guest.bytes);
            assertEquals(1, store.stats().errors());
        }
    }

    /**
     * Writes distinct pages from the start of region "r" until the file system is full; checks that
     * the failing write is a {@link Memory64Exception} naming the region, counted once, and that
     * the last page written reads back exactly. Returns the pages written.
     */
    static int fillUntilFull(Memory64Store store) throws Memory64Exception {
        byte[] page = pattern(PAGE, 1);
        int written = 0;
        Memory64Exception full = null;
        while (full == null) {
            try {
                store.write((long) written * PAGE, page);
                written++;
            } catch (Memory64Exception e) {
                full = e;
            }
        }
        assertTrue(full.getMessage().contains("region \"r\""), full.getMessage());
        assertTrue(full.getMessage().contains("full"), full.getMessage());
        assertEquals(written, store.stats().writes());
        assertEquals(1, store.stats().errors());
        byte[] back = new byte[PAGE];
        store.read((long) (written - 1) * PAGE, back);
        assertArrayEquals(page, back);
        return written;
    }

    /**
     * An overcommitted reservation: a plain reserved backing refuses a region its file system has
     * no room for when the store is built (the first assertion), so faults are only reachable when
     * the host asked to overcommit.
     */
    static Memory64Store reservedStore(Path directory, int pages) throws IOException {
        MemoryLayout layout = MemoryLayout.builder().addRegion("r", (long) pages * PAGE).build();
        IOException refused = TestStore.assertReservationRefused(layout, directory);
        assertTrue(
                refused.getMessage().startsWith("reserve region \"r\" (" + pages * PAGE + " bytes"),
                refused.getMessage());
        return Memory64Store.builder(layout)
                .withDefaultBacking(RegionBacking.reservedOvercommitted(directory))
                .build();
    }

    /** The file weights.bin holding {@code content}. */
    private Path weights(byte[] content) throws IOException {
        return Files.write(dir.resolve("weights.bin"), content);
    }

    @Test
    void mappedFileTruncatedBeforeAHostReadFaultsOnlyPastTheNewEnd() throws Exception {
        byte[] content = pattern(4 * PAGE, 2);
        Path file = weights(content);
        try (Memory64Store store = mappedStore(file, 4)) {
            truncate(file, PAGE);
            byte[] head = new byte[100];
            store.read(PAGE - 100, head);
            assertArrayEquals(Arrays.copyOfRange(content, PAGE - 100, PAGE), head);

            byte[] tail = new byte[100];
            Memory64Exception e =
                    assertThrows(Memory64Exception.class, () -> store.read(2L * PAGE, tail));
            assertTrue(e.getMessage().contains("region \"w\""), e.getMessage());
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
            assertArrayEquals(new byte[100], tail, "a failed read leaves its destination alone");
            assertEquals(1, store.stats().errors());
            assertEquals(1, store.stats().reads());
        }
    }

    @Test
    void mappedFileTruncatedDuringAGuestCopyIsHostRange() throws Exception {
        byte[] content = pattern(4 * PAGE, 3);
        Path file = weights(content);
        try (Memory64Store store = mappedStore(file, 4)) {
            store.registerLayer(0, "all", 0, 4 * PAGE);
            Memory64Abi abi = Memory64Abi.builder(store).build();
            // The guest memory truncates the file inside the copy, after the copy has started.
            AtomicInteger writes = new AtomicInteger();
            HeapGuestMemory heap = new HeapGuestMemory(4 * PAGE);
            GuestMemory guest =
                    new GuestMemory() {
                        @Override
                        public long size() {
                            return heap.size();
                        }

                        @Override
                        public void write(long offset, MemorySegment src) {
                            if (writes.getAndIncrement() == 0) {
                                truncate(file, PAGE);
                            }
                            heap.write(offset, src);
                        }

                        @Override
                        public void read(long offset, MemorySegment dst) {
                            heap.read(offset, dst);
                        }
                    };
            assertEquals(-4, abi.loadLayer(guest, 0, 0, 4 * PAGE));
            assertEquals(1, writes.get());
            assertEquals(1, store.stats().errors());
            assertEquals(0, store.stats().reads());
            // What was copied before the fault is the file's bytes; the rest is untouched.
            for (int i = 0; i < heap.bytes.length; i++) {
                byte b = heap.bytes[i];
                assertTrue(b == 0 || b == content[i], "guest byte " + i);
            }
            // Loads inside what is left of the file still work.
            store.registerLayer(1, "head", 0, PAGE);
            assertEquals(PAGE, abi.loadLayer(heap, 1, 0, PAGE));
        }
    }

    @Test
    void fileReplacedWhileMappedKeepsServingTheOldBytes() throws Exception {
        Path file = dir.resolve("weights.bin");
        byte[] before = pattern(2 * PAGE, 4);
        byte[] after = pattern(2 * PAGE, 5);
        Files.write(file, before);
        try (Memory64Store store = mappedStore(file, 2)) {
            Path replacement = dir.resolve("weights.bin.new");
            Files.write(replacement, after);
            Files.move(replacement, file, StandardCopyOption.ATOMIC_MOVE);

            // The mapping holds the old inode: every byte is the old file's.
            byte[] read = new byte[2 * PAGE];
            store.read(0, read);
            assertArrayEquals(before, read);
            assertFalse(Arrays.equals(before, after));
            store.registerLayer(0, "all", 0, 2 * PAGE);
            HeapGuestMemory guest = new HeapGuestMemory(2 * PAGE);
            assertEquals(
                    2 * PAGE, Memory64Abi.builder(store).build().loadLayer(guest, 0, 0, 2 * PAGE));
            assertArrayEquals(before, guest.bytes);
            // A store opened now maps the new file.
            try (Memory64Store reopened = mappedStore(file, 2)) {
                reopened.read(0, read);
                assertArrayEquals(after, read);
            }
            assertEquals(0, store.stats().errors());
        }
    }

    static Memory64Store mappedStore(Path file, int pages) throws IOException {
        return Memory64Store.builder(
                        MemoryLayout.builder().addRegion("w", (long) pages * PAGE).build())
                .withDefaultBacking(RegionBacking.mapped(file, 0, false))
                .build();
    }

    static void truncate(Path file, long size) {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
