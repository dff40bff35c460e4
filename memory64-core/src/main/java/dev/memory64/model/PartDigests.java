package dev.memory64.model;

import dev.memory64.ModelIntegrityException;
import dev.memory64.ProgressListener;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The SHA-256 digests a caller expects of a model's files, as model hubs publish them: keyed by
 * file name, anything up to a key's last {@code '/'} ignored (so a hub's repository paths such as
 * {@code Q4_K_M/m-00001-of-00002.gguf} work as they are), the hex in either case. Checking is
 * strict: every part must have a digest. Every format checks its parts through it, each throwing
 * its own {@link ModelIntegrityException}.
 */
public final class PartDigests {

    /** Makes a format's exception for a file whose digest does not match. */
    @FunctionalInterface
    public interface Mismatch {
        /**
         * Makes a {@link ModelIntegrityException} itself, for a format without a type of its own
         * (an anonymous class, not a lambda: a builder takes it, and an open bootstraps no lambda).
         */
        Mismatch PLAIN =
                new Mismatch() {
                    @Override
                    public ModelIntegrityException of(Path path, String expected, String actual) {
                        return new ModelIntegrityException(path, expected, actual);
                    }
                };

        /**
         * Makes the exception.
         *
         * @param path the file
         * @param expected the digest expected, lowercase hex
         * @param actual the file's digest, lowercase hex
         * @return the exception to throw
         */
        ModelIntegrityException of(Path path, String expected, String actual);
    }

    /** Lowercase hex by file name. */
    private final Map<String, String> byName;

    private PartDigests(Map<String, String> byName) {
        this.byName = byName;
    }

    /**
     * Validates expected digests.
     *
     * @param operation the caller's operation, for messages
     * @param expectedSha256 hex digest by file name
     * @return the digests
     * @throws NullPointerException if the map, a key or a digest is null
     * @throws IllegalArgumentException naming the key and value of a digest that is not 64 hex
     *     digits, of a key that names no file, or of two keys naming one file with two digests
     */
    public static PartDigests of(String operation, Map<String, String> expectedSha256) {
        Objects.requireNonNull(expectedSha256, "expectedSha256");
        Map<String, String> byName = new HashMap<>();
        Map<String, String> keyOf = new HashMap<>();
        for (Map.Entry<String, String> entry : expectedSha256.entrySet()) {
            String key = Objects.requireNonNull(entry.getKey(), "expectedSha256 key");
            String value = entry.getValue();
            if (value == null) {
                throw new NullPointerException(
                        operation + ": expected SHA-256 of \"" + key + "\" is null");
            }
            String name = key.substring(key.lastIndexOf('/') + 1);
            if (name.isEmpty()) {
                throw new IllegalArgumentException(
                        operation + ": expected SHA-256 key \"" + key + "\" names no file");
            }
            String hex = parse(operation, key, value);
            String previous = byName.putIfAbsent(name, hex);
            if (previous == null) {
                keyOf.put(name, key);
            } else if (!previous.equals(hex)) {
                throw new IllegalArgumentException(
                        operation
                                + ": keys \""
                                + keyOf.get(name)
                                + "\" and \""
                                + key
                                + "\" both name the file "
                                + name
                                + " with different SHA-256 digests "
                                + previous
                                + " and "
                                + hex);
            }
        }
        return new PartDigests(Map.copyOf(byName));
    }

    private static String parse(String operation, String key, String value) {
        boolean hex = value.length() == 64;
        for (int i = 0; hex && i < value.length(); i++) {
            hex = Character.digit(value.charAt(i), 16) >= 0 && value.charAt(i) < 0x80;
        }
        if (!hex) {
            throw new IllegalArgumentException(
                    operation
                            + ": expected SHA-256 of \""
                            + key
                            + "\" is \""
                            + value
                            + "\", not 64 hex digits");
        }
        return value.toLowerCase(Locale.ROOT);
    }

    /**
     * Checks that every part has a digest, then digests each part and compares.
     *
     * @param operation the caller's operation, for messages
     * @param parts the files to check, in order
     * @param set the whole set they belong to, to number a part in messages
     * @param openedKeys each part's file key when the model mapped it, or null before opening: a
     *     part whose path now names another file is then an error, as the store maps the old one
     * @param listener told {@code ("sha256 NAME", bytes done, part size)} for each part
     * @param mismatch makes the format's exception for a part that mismatches
     * @throws IllegalArgumentException naming the first part without a digest, before reading any
     * @throws ModelIntegrityException for the first part that mismatches, with the later ones
     *     suppressed in it; every part is read
     * @throws IOException if a part cannot be read, or was replaced since it was opened
     */
    public void verify(
            String operation,
            List<Path> parts,
            List<Path> set,
            List<Object> openedKeys,
            ProgressListener listener,
            Mismatch mismatch)
            throws IOException {
        List<String> expected = new ArrayList<>(parts.size());
        for (Path part : parts) {
            expected.add(expected(operation, part, set.indexOf(part), set.size()));
        }
        ModelIntegrityException first = null;
        for (int i = 0; i < parts.size(); i++) {
            Path part = parts.get(i);
            String actual;
            try (FileChannel channel = Sha256.open(operation, part)) {
                if (openedKeys != null) {
                    checkSameFile(operation, part, openedKeys.get(i));
                }
                actual = Sha256.of(part, channel, listener);
            }
            if (!actual.equals(expected.get(i))) {
                ModelIntegrityException failure = mismatch.of(part, expected.get(i), actual);
                if (first == null) {
                    first = failure;
                } else {
                    first.addSuppressed(failure);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private String expected(String operation, Path part, int index, int count) {
        Path fileName = part.getFileName();
        String digest = fileName == null ? null : byName.get(fileName.toString());
        if (digest != null) {
            return digest;
        }
        List<String> names = new ArrayList<>(byName.keySet());
        Collections.sort(names);
        String given =
                String.join(", ", names.subList(0, Math.min(names.size(), 8)))
                        + (names.size() > 8 ? ", ..." : "");
        throw new IllegalArgumentException(
                operation
                        + ": no expected SHA-256 for part "
                        + (index + 1)
                        + " of "
                        + count
                        + ", "
                        + part
                        + "; digests are given for "
                        + names.size()
                        + " file(s): ["
                        + given
                        + "]");
    }

    private static void checkSameFile(String operation, Path part, Object openedKey)
            throws IOException {
        if (openedKey == null) {
            return;
        }
        Object now = Files.readAttributes(part, BasicFileAttributes.class).fileKey();
        if (!openedKey.equals(now)) {
            throw new FileSystemException(
                    part.toString(),
                    null,
                    operation
                            + ": the file was replaced after the model opened it (file key "
                            + openedKey
                            + ", now "
                            + now
                            + "); the store still maps the file it opened, so reopen the model"
                            + " to check the new one");
        }
    }
}
