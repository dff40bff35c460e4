package dev.memory64.gguf;

import dev.memory64.ModelIntegrityException;
import java.nio.file.Path;

/**
 * A GGUF model file's SHA-256 digest is not the one expected: the file is corrupted (a truncated or
 * damaged download) or is not the file that was published.
 *
 * <p>The message names the file and both digests: {@code sha256 of /models/m-00002-of-00003.gguf is
 * 5e1f…, expected 9a0c…: the file is corrupted or not the one published}. When several files
 * mismatch, the first is thrown and the others are {@linkplain #getSuppressed() suppressed} in it.
 * {@link #path()}, {@link #expected()} and {@link #actual()} give the parts.
 */
public final class GgufIntegrityException extends ModelIntegrityException {

    private static final long serialVersionUID = 1L;

    GgufIntegrityException(Path path, String expected, String actual) {
        super(path, expected, actual);
    }
}
