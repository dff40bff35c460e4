package dev.memory64.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparseReservationTest {

    private static final long MIB = 1 << 20;

    private static List<Path> filesIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }

    @Test
    void mapsZeroBytesReadWriteAndLeavesNoFileBehind(@TempDir Path dir) throws IOException {
        try (Arena arena = Arena.ofShared()) {
            SparseReservation reservation = SparseReservation.map(List.of(dir), 4 * MIB, arena);
            assertEquals(dir, reservation.directory());
            MemorySegment segment = reservation.segment();
            assertEquals(4 * MIB, segment.byteSize());
            assertArrayEquals(
                    new byte[4096], segment.asSlice(0, 4096).toArray(ValueLayout.JAVA_BYTE));
            segment.set(ValueLayout.JAVA_LONG_UNALIGNED, 4 * MIB - 8, 0x1122334455667788L);
            assertEquals(
                    0x1122334455667788L, segment.get(ValueLayout.JAVA_LONG_UNALIGNED, 4 * MIB - 8));
            assertEquals(List.of(), filesIn(dir));
        }
        assertEquals(List.of(), filesIn(dir));
    }

    @Test
    void theFileIsOwnerOnly(@TempDir Path dir) throws IOException {
        Path mapFiles = Path.of("/proc/self/map_files");
        assumeTrue(Files.isReadable(mapFiles), "needs Linux /proc/self/map_files");
        try (Arena arena = Arena.ofShared()) {
            MemorySegment segment = SparseReservation.map(List.of(dir), MIB, arena).segment();
            // The mapping's entry links to the (deleted) file itself.
            Path entry =
                    mapFiles.resolve(
                            String.format(
                                    Locale.ROOT,
                                    "%x-%x",
                                    segment.address(),
                                    segment.address() + segment.byteSize()));
            assumeTrue(Files.exists(entry), "map_files needs CAP_SYS_ADMIN");
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(entry);
            assertEquals(PosixFilePermissions.fromString("rw-------"), permissions);
            Path target = Files.readSymbolicLink(entry);
            assertTrue(target.toString().startsWith(dir.toString()), target.toString());
            assertTrue(target.toString().endsWith("(deleted)"), target.toString());
            assertFalse(Files.exists(target, LinkOption.NOFOLLOW_LINKS));
        }
    }

    @Test
    void refusesADirectoryWithoutRoomAndSaysHowMuchItHas(@TempDir Path dir) throws IOException {
        long usable = Files.getFileStore(dir).getUsableSpace();
        long asked = usable + 1024 * MIB;
        try (Arena arena = Arena.ofShared()) {
            IOException e =
                    assertThrows(
                            IOException.class,
                            () -> SparseReservation.map(List.of(dir), asked, arena));
            String message = e.getMessage();
            assertTrue(message.startsWith("cannot reserve " + asked + " bytes"), message);
            assertTrue(message.contains("directory " + dir + " has "), message);
            assertTrue(message.contains("usable bytes, fewer than the " + asked), message);
            assertEquals(1, e.getSuppressed().length);
        }
        assertEquals(List.of(), filesIn(dir));
    }

    @Test
    void triesTheNextDirectoryAndNamesEveryFailure(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("missing");
        Path good = Files.createDirectory(dir.resolve("good"));
        try (Arena arena = Arena.ofShared()) {
            assertEquals(
                    good, SparseReservation.map(List.of(missing, good), MIB, arena).directory());
            IOException e =
                    assertThrows(
                            IOException.class,
                            () -> SparseReservation.map(List.of(missing, missing), MIB, arena));
            assertEquals(2, e.getSuppressed().length);
            assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        }
    }

    @Test
    void rejectsNegativeSizesAndNoDirectories(@TempDir Path dir) {
        try (Arena arena = Arena.ofShared()) {
            assertThrows(
                    IllegalArgumentException.class,
                    () -> SparseReservation.map(List.of(dir), -1, arena));
            assertThrows(
                    IllegalArgumentException.class,
                    () -> SparseReservation.map(List.of(), MIB, arena));
        }
    }

    @Test
    void defaultDirectoriesEndWithTheTemporaryDirectory() {
        List<Path> directories = SparseReservation.defaultDirectories();
        assertEquals(Path.of(System.getProperty("java.io.tmpdir")), directories.getLast());
    }
}
