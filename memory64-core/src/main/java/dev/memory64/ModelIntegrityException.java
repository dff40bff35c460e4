package dev.memory64;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A model file's SHA-256 digest is not the one expected: the file is corrupted (a truncated or
 * damaged download) or is not the file that was published. {@link
 * dev.memory64.safetensors.SafetensorsModel} throws it; {@link dev.memory64.gguf.GgufModel} throws
 * its subclass {@link dev.memory64.gguf.GgufIntegrityException}, so catching this one handles both.
 *
 * <p>The message names the file and both digests: {@code sha256 of /models/m-00002-of-00003.gguf is
 * 5e1f…, expected 9a0c…: the file is corrupted or not the one published}. When several files
 * mismatch, the first is thrown and the others are {@linkplain #getSuppressed() suppressed} in it.
 */
public class ModelIntegrityException extends IOException {

    private static final long serialVersionUID = 1L;

    /** The file; not serialized ({@link Path} is not serializable), its name is in the message. */
    private final transient Path path;

    /** The digest the caller expected, lowercase hex. */
    private final String expected;

    /** The digest the file has, lowercase hex. */
    private final String actual;

    /**
     * Creates an exception for one file whose digest does not match.
     *
     * @param path the file
     * @param expected the digest the caller expected, lowercase hex
     * @param actual the digest of the file's bytes, lowercase hex
     * @throws NullPointerException if an argument is null
     */
    public ModelIntegrityException(Path path, String expected, String actual) {
        super(
                "sha256 of "
                        + Objects.requireNonNull(path, "path")
                        + " is "
                        + Objects.requireNonNull(actual, "actual")
                        + ", expected "
                        + Objects.requireNonNull(expected, "expected")
                        + ": the file is corrupted or not the one published");
        this.path = path;
        this.expected = expected;
        this.actual = actual;
    }

    /**
     * Returns the file whose digest does not match.
     *
     * @return the path, as the model or the caller named it (null only in a deserialized copy)
     */
    public Path path() {
        return path;
    }

    /**
     * Returns the digest the caller expected.
     *
     * @return 64 lowercase hex digits
     */
    public String expected() {
        return expected;
    }

    /**
     * Returns the digest of the file's bytes as read.
     *
     * @return 64 lowercase hex digits
     */
    public String actual() {
        return actual;
    }
}
