package dev.memory64.bench.demo;

import dev.memory64.internal.Bytes;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The size of a model's files and the space the file system allocated for them. The two differ for
 * a sparse file: a 264 GB file of holes is 264 GB to a reader and next to nothing on disk, so the
 * demo says both. The JDK's file attributes have no allocated size ({@code st_blocks}), so it comes
 * from {@code stat(2)} through the FFM API, on Linux on x86-64 and AArch64 (where {@code struct
 * stat} has one known layout) when native access is enabled; elsewhere it is unknown, and said so.
 *
 * @param size the files' sizes added up, as a reader sees them
 * @param allocated the bytes allocated for them on disk, or -1 where unknown
 */
record DiskUsage(long size, long allocated) {

    /** Where {@code struct stat} holds {@code st_size} on Linux x86-64 and AArch64. */
    private static final long ST_SIZE = 48;

    /** Where it holds {@code st_blocks}, counted in 512-byte units whatever the file system. */
    private static final long ST_BLOCKS = 64;

    /** More than {@code sizeof(struct stat)} on either (144 and 128 bytes). */
    private static final long STAT_BUFFER = 256;

    private static final Set<String> KNOWN_LAYOUT = Set.of("amd64", "x86_64", "aarch64");

    /**
     * The usage of these files, all parts of one model.
     *
     * @throws IOException if a file's size cannot be read
     */
    static DiskUsage of(List<Path> files) throws IOException {
        long size = 0;
        long allocated = 0;
        for (Path file : files) {
            size = Math.addExact(size, Files.size(file));
            long part = allocated < 0 ? -1 : allocatedBytes(file);
            allocated = part < 0 ? -1 : Math.addExact(allocated, part);
        }
        return new DiskUsage(size, allocated);
    }

    /**
     * As the demo prints it: {@code 4.63 GB on disk}; {@code 263.98 GB, 1.20 GB of it allocated on
     * disk (sparse)}; or {@code 263.98 GB (allocated size on disk unknown)}.
     */
    String describe() {
        String total = Bytes.decimal(size);
        if (allocated < 0) {
            return total + " (allocated size on disk unknown)";
        }
        if (allocated < size) {
            return total + ", " + Bytes.decimal(allocated) + " of it allocated on disk (sparse)";
        }
        return total + " on disk";
    }

    /**
     * The bytes the file system allocated for a file, or -1 where that cannot be known here (not
     * Linux on a known architecture, no native access, no {@code stat} in the C library, a failed
     * call, or a {@code struct stat} whose size field disagrees with the JDK's, which would mean a
     * layout other than the one assumed).
     */
    static long allocatedBytes(Path file) {
        MethodHandle stat = Stat.HANDLE;
        if (stat == null) {
            return -1;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(STAT_BUFFER, 8);
            int result =
                    (int)
                            stat.invokeExact(
                                    arena.allocateFrom(file.toAbsolutePath().toString()), buffer);
            if (result != 0 || buffer.get(ValueLayout.JAVA_LONG, ST_SIZE) != Files.size(file)) {
                return -1;
            }
            long blocks = buffer.get(ValueLayout.JAVA_LONG, ST_BLOCKS);
            return blocks < 0 ? -1 : Math.multiplyExact(blocks, 512L);
        } catch (Error e) {
            throw e;
        } catch (Throwable e) {
            return -1;
        }
    }

    /** The C library's {@code stat}, looked up once; null where it is not to be used. */
    private static final class Stat {
        static final MethodHandle HANDLE = lookup();

        private static MethodHandle lookup() {
            String os = System.getProperty("os.name", "");
            String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
            if (!os.equals("Linux") || !KNOWN_LAYOUT.contains(arch)) {
                return null;
            }
            try {
                return LibC.function(
                                "stat",
                                FunctionDescriptor.of(
                                        ValueLayout.JAVA_INT,
                                        ValueLayout.ADDRESS,
                                        ValueLayout.ADDRESS))
                        .orElse(null);
            } catch (RuntimeException e) {
                return null;
            }
        }
    }
}
