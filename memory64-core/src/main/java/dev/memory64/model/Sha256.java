package dev.memory64.model;

import dev.memory64.ProgressListener;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The SHA-256 digest of a file, streamed through one off-heap buffer of {@value #CHUNK} bytes: the
 * heap it takes does not grow with the file, so a 100 GB part costs what a small one does.
 */
public final class Sha256 {

    /** The read size: 4 MiB, large enough that a read costs little next to hashing it. */
    public static final int CHUNK = 4 << 20;

    private static final HexFormat HEX = HexFormat.of();

    private Sha256() {}

    /**
     * Digests a file, telling the listener {@code ("sha256 NAME", bytes done, file size)} before
     * the first read and after each.
     *
     * @param file the file
     * @param listener the listener
     * @return the digest, 64 lowercase hex digits
     * @throws IOException if the file is a directory, or cannot be opened or read
     */
    public static String of(Path file, ProgressListener listener) throws IOException {
        try (FileChannel channel = open("sha256", file)) {
            return of(file, channel, listener);
        }
    }

    /** Opens a file to digest it; a directory is an error naming it and the operation. */
    static FileChannel open(String operation, Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new FileSystemException(
                    file.toString(), null, operation + ": is a directory, not a model file");
        }
        return FileChannel.open(file, StandardOpenOption.READ);
    }

    /** Digests a channel from its current position to its end; {@code file} names it. */
    static String of(Path file, FileChannel channel, ProgressListener listener) throws IOException {
        MessageDigest digest = newDigest();
        String task = "sha256 " + (file.getFileName() == null ? file : file.getFileName());
        long total = channel.size();
        long done = 0;
        listener.progress(task, done, total);
        try (Arena arena = Arena.ofConfined()) {
            ByteBuffer buffer = arena.allocate(CHUNK).asByteBuffer();
            int n;
            while ((n = channel.read(buffer.clear())) >= 0) {
                digest.update(buffer.flip());
                done += n;
                // A file growing while it is read: report what was read as the total.
                listener.progress(task, done, Math.max(total, done));
            }
        }
        return HEX.formatHex(digest.digest());
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide SHA-256 (MessageDigest's Javadoc).
            throw new IllegalStateException("sha256: the JDK has no SHA-256", e);
        }
    }
}
