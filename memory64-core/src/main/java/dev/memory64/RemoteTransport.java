package dev.memory64;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * How one remote object's bytes are fetched: one attempt at a time. A transport is what differs
 * between HTTP (built in), a signed object store ({@code s3://}, module {@code dev.memory64.s3}) or
 * another source; everything else a remote region does is the core's and the same for all of them:
 * the attempts and their doubling backoff ({@link RemoteOptions#attempts()}), the identity pinned
 * at open and the check of {@link RemoteOptions#expected()}, the check that an answer filled
 * exactly the range asked for, the chunk cache, pinning, read-ahead and residency.
 *
 * <p>A transport is opened for one object by its {@link RemoteTransportProvider}, used by several
 * threads at once (at most {@link RemoteOptions#parallelFetches()} fetches in flight per cache),
 * and closed once. Each method makes one attempt and classifies its failure: a {@link
 * TransientFailure} (connection refused or reset, a timeout, a 5xx, throttling) is tried again by
 * the core; a {@link RemoteFetchException} (the object is missing, access is denied, the object
 * changed since it was pinned) fails at once.
 */
public interface RemoteTransport extends AutoCloseable {

    /**
     * One attempt to learn the object's current version: its size and validators.
     *
     * @return the identity the object has now
     * @throws TransientFailure if the attempt failed in a way another attempt may not
     * @throws RemoteFetchException if the object cannot be read, whatever the attempt (the message
     *     says why)
     */
    RemoteIdentity probe() throws TransientFailure, RemoteFetchException;

    /**
     * One attempt to fetch {@code [offset, offset + dst.size())} of the pinned version into {@code
     * dst}, in order from its first byte. Bytes of any other version must never reach {@code dst}:
     * the transport makes the request conditional on {@code pinned} ({@code If-Range}, {@code
     * If-Match}) or checks the answer before it hands over a byte. Handing over fewer bytes than
     * asked is seen by the core as an answer that ended early (tried again); more is refused.
     *
     * @param offset the object offset of the range's first byte
     * @param pinned the version pinned at open
     * @param dst where the bytes go
     * @throws TransientFailure if the attempt failed in a way another attempt may not
     * @throws RemoteFetchException if the range cannot be fetched, whatever the attempt (the object
     *     changed, is missing, access is denied)
     */
    void fetch(long offset, RemoteIdentity pinned, Destination dst)
            throws TransientFailure, RemoteFetchException;

    /** Releases the transport's connections; fetches in flight fail. */
    @Override
    void close();

    /** Where a fetched range's bytes go, in order. */
    interface Destination {
        /**
         * Returns the length of the range.
         *
         * @return the bytes asked for
         */
        long size();

        /**
         * Takes {@code bytes}, all of them (its position moves to its limit), at offset {@code at}
         * of the range.
         *
         * @param at the range offset of the first byte
         * @param bytes the bytes, from their position
         * @throws IOException if they cannot be stored, or run past the range
         */
        void write(long at, ByteBuffer bytes) throws IOException;
    }

    /**
     * An attempt failed in a way that another attempt may not: the core backs off and tries again,
     * up to {@link RemoteOptions#attempts()}, then fails with a {@link RemoteFetchException} that
     * carries this message and status.
     */
    final class TransientFailure extends Exception {
        private static final long serialVersionUID = 1L;

        /** The status of the answer, or {@link RemoteFetchException#NO_STATUS}. */
        private final int status;

        /**
         * Creates a transient failure.
         *
         * @param status the HTTP status of the answer, or {@link RemoteFetchException#NO_STATUS} if
         *     there was none
         * @param message what failed, in words
         * @param cause the underlying failure, or null
         */
        public TransientFailure(int status, String message, Throwable cause) {
            super(message, cause, false, false);
            this.status = status;
        }

        /**
         * Returns the HTTP status of the answer.
         *
         * @return the status, or {@link RemoteFetchException#NO_STATUS}
         */
        public int status() {
            return status;
        }
    }
}
