package dev.memory64;

import java.util.Objects;

/**
 * One version of a remote object, as pinned when it is opened: its size and its validators. Every
 * later range request carries the validator ({@code If-Range}), and every answer is checked against
 * the size and the {@code ETag}, so bytes of two versions never mix.
 *
 * @param size the object's size in bytes
 * @param etag the {@code ETag} the server sent, or null if none
 * @param lastModified the {@code Last-Modified} the server sent, or null if none
 */
public record RemoteIdentity(long size, String etag, String lastModified) {

    /**
     * Validates the size.
     *
     * @throws IllegalArgumentException if {@code size} is negative
     */
    public RemoteIdentity {
        if (size < 0) {
            throw new IllegalArgumentException("remote identity: size=" + size + " is negative");
        }
    }

    /**
     * The validator sent in {@code If-Range}: a strong {@code ETag} if there is one, else {@code
     * Last-Modified}, else null (nothing to pin but the size).
     *
     * @return the validator, or null
     */
    public String validator() {
        if (etag != null && !etag.startsWith("W/")) {
            return etag;
        }
        return lastModified;
    }

    /**
     * Whether an answer's size and validators are those of this version: the sizes are equal, and
     * each validator both sides have is equal.
     *
     * @param other the identity an answer carried
     * @return true if it is the same version
     */
    public boolean matches(RemoteIdentity other) {
        return size == other.size
                && (etag == null || other.etag == null || Objects.equals(etag, other.etag))
                && (lastModified == null
                        || other.lastModified == null
                        || Objects.equals(lastModified, other.lastModified));
    }
}
