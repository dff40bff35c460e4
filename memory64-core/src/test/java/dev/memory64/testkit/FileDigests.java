package dev.memory64.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.memory64.ModelIntegrityException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The reference for integrity tests: the JDK's SHA-256 of bytes in one call, digests by file name
 * as a hub lists them, and a byte flipped in place to damage a file.
 */
public final class FileDigests {

    private FileDigests() {}

    /**
     * The JDK's digest of the bytes, in one call, as lowercase hex.
     *
     * @param bytes the bytes
     * @return 64 hex digits
     */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The JDK's digest of a file's bytes, read whole.
     *
     * @param file the file
     * @return 64 hex digits
     * @throws IOException if it cannot be read
     */
    public static String sha256(Path file) throws IOException {
        return sha256(Files.readAllBytes(file));
    }

    /**
     * Each file's digest by its name, in order.
     *
     * @param files the files
     * @return the digests, as {@code withExpectedSha256} takes them
     * @throws IOException if one cannot be read
     */
    public static Map<String, String> of(List<Path> files) throws IOException {
        Map<String, String> expected = new LinkedHashMap<>();
        for (Path file : files) {
            expected.put(file.getFileName().toString(), sha256(file));
        }
        return expected;
    }

    /**
     * Each file's digest as a hub lists it: keyed by its repository path in {@code folder},
     * upper-case hex, with an entry for a README that is no part of any model.
     *
     * @param files the files
     * @param folder the repository folder they are listed under
     * @return the digests, in the files' order, the README's last
     * @throws IOException if one cannot be read
     */
    public static Map<String, String> asAHubLists(List<Path> files, String folder)
            throws IOException {
        Map<String, String> expected = new LinkedHashMap<>();
        for (Path file : files) {
            expected.put(folder + "/" + file.getFileName(), sha256(file).toUpperCase(Locale.ROOT));
        }
        expected.put("README.md", "00".repeat(32));
        return expected;
    }

    /**
     * Flips one byte in place (same file, same inode).
     *
     * @param file the file
     * @param offset the byte's offset
     * @return the offset
     * @throws IOException if the file cannot be read or written
     */
    public static long corrupt(Path file, long offset) throws IOException {
        try (FileChannel channel =
                FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, offset);
            one.put(0, (byte) ~one.get(0)).clear();
            channel.write(one, offset);
        }
        return offset;
    }

    /**
     * Asserts that a mismatch names the file and both digests, in its accessors and its message,
     * and carries no later mismatch.
     *
     * @param e the exception
     * @param file the damaged file
     * @param expected the digests given, by file name
     * @throws IOException if the file cannot be read to digest it
     */
    public static void assertMismatch(
            ModelIntegrityException e, Path file, Map<String, String> expected) throws IOException {
        String actual = sha256(file);
        assertEquals(file, e.path());
        assertEquals(expected.get(file.getFileName().toString()), e.expected());
        assertEquals(actual, e.actual());
        assertEquals(
                "sha256 of "
                        + file
                        + " is "
                        + actual
                        + ", expected "
                        + e.expected()
                        + ": the file is corrupted or not the one published",
                e.getMessage());
        assertEquals(0, e.getSuppressed().length);
    }
}
