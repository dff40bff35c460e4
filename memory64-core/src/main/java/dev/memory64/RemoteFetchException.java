package dev.memory64;

import dev.memory64.internal.RemoteUris;
import java.net.URI;

/**
 * A byte range of a remote object (a {@link RegionBacking#remote remote} region, or a GGUF model
 * opened from a URI) could not be fetched, and retrying will not help or has not helped: the object
 * changed since it was opened (a different {@code ETag}, {@code Last-Modified} or size, or a 412),
 * the server ignores range requests (a 200 to a ranged GET), it answers 404, 403, 416 or another
 * client error, or the transient failures (connection refused or reset, a 5xx, a timeout) lasted
 * through every attempt. The message names the URI (a query's values, such as a presigned URL's
 * signature, left out), the byte range and the HTTP status.
 *
 * <p>A guest whose load hits this gets {@code HOST_RANGE} (-4) with nothing written into its
 * memory; the chunk stays absent from the cache, so a later access fetches it again.
 */
public final class RemoteFetchException extends Memory64Exception {
    private static final long serialVersionUID = 1L;

    /** The status when there was no HTTP response (connection failed, timed out). */
    public static final int NO_STATUS = -1;

    /** The object's URI. */
    private final URI uri;

    /** The first byte of the range that could not be fetched. */
    private final long offset;

    /** The range's length in bytes. */
    private final long length;

    /** The HTTP status of the last answer, or {@link #NO_STATUS}. */
    private final int status;

    /**
     * Creates an exception.
     *
     * @param uri the object's URI
     * @param offset the first byte of the range asked for
     * @param length the number of bytes asked for
     * @param status the HTTP status of the last answer, or {@link #NO_STATUS}
     * @param why what went wrong, in words
     * @param cause the underlying failure, or null
     */
    public RemoteFetchException(
            URI uri, long offset, long length, int status, String why, Throwable cause) {
        super(
                "fetch "
                        + RemoteUris.shown(uri)
                        + " bytes="
                        + offset
                        + "-"
                        + (offset + length - 1)
                        + " (len="
                        + length
                        + ")"
                        + (status == NO_STATUS ? " (no response)" : " status=" + status)
                        + ": "
                        + why,
                cause);
        this.uri = uri;
        this.offset = offset;
        this.length = length;
        this.status = status;
    }

    /**
     * Returns the object's URI.
     *
     * @return the URI
     */
    public URI uri() {
        return uri;
    }

    /**
     * Returns the first byte of the range that failed.
     *
     * @return the offset in the object
     */
    public long offset() {
        return offset;
    }

    /**
     * Returns the length of the range that failed.
     *
     * @return the length in bytes
     */
    public long length() {
        return length;
    }

    /**
     * Returns the HTTP status of the last answer, or {@link #NO_STATUS} if there was none.
     *
     * @return the status
     */
    public int status() {
        return status;
    }
}
