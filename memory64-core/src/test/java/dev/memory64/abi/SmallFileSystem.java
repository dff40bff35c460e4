package dev.memory64.abi;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * A small file system mounted for one test (a tmpfs, or ext4 in a loop-mounted image) and unmounted
 * by {@link #close()}. Mounting needs root (and, for ext4, a loop device and {@code mkfs.ext4});
 * where it is not possible the test is skipped with one line saying why.
 */
final class SmallFileSystem implements AutoCloseable {
    private final Path mountPoint;

    private SmallFileSystem(Path mountPoint) {
        this.mountPoint = mountPoint;
    }

    /** Mounts a tmpfs of {@code size} ({@code mount -o size=}) on an empty directory, or skips. */
    static SmallFileSystem tmpfsOrSkip(Path mountPoint, String size) throws IOException {
        skipIfFails(
                "a " + size + " tmpfs",
                "mount",
                "-t",
                "tmpfs",
                "-o",
                "size=" + size,
                "tmpfs",
                mountPoint.toString());
        return new SmallFileSystem(mountPoint);
    }

    /** Makes an ext4 file system in a new image of {@code bytes} and loop-mounts it, or skips. */
    static SmallFileSystem ext4OrSkip(Path mountPoint, Path image, long bytes) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
            file.setLength(bytes);
        }
        skipIfFails("an ext4 image", "mkfs.ext4", "-q", image.toString());
        skipIfFails(
                "an ext4 image", "mount", "-o", "loop", image.toString(), mountPoint.toString());
        return new SmallFileSystem(mountPoint);
    }

    Path path() {
        return mountPoint;
    }

    @Override
    public void close() throws IOException {
        String why = run("umount", mountPoint.toString());
        if (why != null) {
            throw new IOException("umount " + mountPoint + " failed: " + why);
        }
    }

    private static void skipIfFails(String what, String... command) {
        String why = run(command);
        if (why != null) {
            String line = "skipped: cannot mount " + what + " (needs root): " + why;
            System.err.println(line);
            assumeTrue(false, line);
        }
    }

    /** Runs a command; returns null on success, else its exit status and output in one line. */
    private static String run(String... command) {
        try {
            Process process =
                    new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
            String output =
                    new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int status = process.waitFor();
            return status == 0
                    ? null
                    : String.join(" ", command)
                            + ": exit status "
                            + status
                            + ": "
                            + output.strip().replace('\n', ' ');
        } catch (IOException e) {
            return String.join(" ", command) + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return String.join(" ", command) + ": interrupted";
        }
    }
}
