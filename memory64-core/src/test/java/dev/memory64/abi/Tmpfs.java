package dev.memory64.abi;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A small tmpfs mounted for one test and unmounted by {@link #close()}. Mounting needs root; where
 * it is not possible the test is skipped with one line saying why.
 */
final class Tmpfs implements AutoCloseable {
    private final Path mountPoint;

    private Tmpfs(Path mountPoint) {
        this.mountPoint = mountPoint;
    }

    /**
     * Mounts a tmpfs of {@code size} (as {@code mount -o size=} takes it) on an empty directory, or
     * skips the calling test.
     */
    static Tmpfs mountOrSkip(Path mountPoint, String size)
            throws IOException, InterruptedException {
        String why =
                run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", mountPoint.toString());
        if (why != null) {
            String line = "skipped: cannot mount a " + size + " tmpfs (needs root): " + why;
            System.err.println(line);
            assumeTrue(false, line);
        }
        return new Tmpfs(mountPoint);
    }

    Path path() {
        return mountPoint;
    }

    @Override
    public void close() throws IOException {
        String why;
        try {
            why = run("umount", mountPoint.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            why = "interrupted";
        }
        if (why != null) {
            throw new IOException("umount " + mountPoint + " failed: " + why);
        }
    }

    /** Runs a command; returns null on success, else its exit status and output in one line. */
    private static String run(String... command) throws IOException, InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        } catch (IOException e) {
            return e.getMessage();
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int status = process.waitFor();
        return status == 0
                ? null
                : "exit status " + status + ": " + output.strip().replace('\n', ' ');
    }

    @Override
    public String toString() {
        return "tmpfs on " + mountPoint + (Files.isDirectory(mountPoint) ? "" : " (gone)");
    }
}
