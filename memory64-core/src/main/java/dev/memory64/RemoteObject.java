package dev.memory64;

import dev.memory64.internal.Logging;
import dev.memory64.internal.RemoteAccess;
import dev.memory64.internal.RemoteUris;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;

/**
 * One remote object, pinned at open (its size and validators, as its {@link RemoteTransport} probes
 * them; {@link RemoteOptions#expected()} may demand a version), then read by range through the
 * transport. What every transport shares is here, once: transient failures ({@link
 * RemoteTransport.TransientFailure}) are tried again after a backoff that doubles, a bounded number
 * of times, anything else fails at once with a {@link RemoteFetchException}; an answer must fill
 * exactly the range asked for.
 */
final class RemoteObject implements RemoteAccess.Source {

    private static final Logger LOG = Logging.logger(Logging.REMOTE);

    static {
        RemoteAccess.install((uri, options) -> open(uri, (RemoteOptions) options));
    }

    private final URI uri;
    private final RemoteOptions options;
    private final RemoteTransport transport;
    private final RemoteIdentity identity;

    private RemoteObject(
            URI uri, RemoteOptions options, RemoteTransport transport, RemoteIdentity identity) {
        this.uri = uri;
        this.options = options;
        this.transport = transport;
        this.identity = identity;
    }

    /**
     * Opens an object through the transport its scheme (or its options) names: one probe, tried
     * again like any fetch, pins its size and validators.
     *
     * @throws RemoteFetchException if it cannot be read by range, or is not the expected version
     * @throws IllegalArgumentException if no transport serves the URI's scheme (the message names
     *     the module that would)
     * @throws IOException if the transport cannot be set up
     */
    static RemoteObject open(URI uri, RemoteOptions options) throws IOException {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(options, "options");
        RemoteTransport transport = RemoteTransports.open("open remote", uri, options);
        boolean success = false;
        try {
            RemoteObject probe = new RemoteObject(uri, options, transport, null);
            RemoteIdentity found = probe.retrying(0, 1, transport::probe);
            RemoteIdentity expected = options.expected();
            if (expected != null && !expected.matches(found)) {
                throw new RemoteFetchException(
                        uri,
                        0,
                        1,
                        206,
                        "the object is " + found + ", not the expected " + expected,
                        null);
            }
            RemoteObject object =
                    new RemoteObject(uri, options, transport, expected != null ? expected : found);
            if (LOG.isDebugEnabled()) {
                LOG.debug("opened remote {}: {}", RemoteUris.shown(uri), object.identity);
            }
            success = true;
            return object;
        } finally {
            if (!success) {
                transport.close();
            }
        }
    }

    URI uri() {
        return uri;
    }

    RemoteOptions options() {
        return options;
    }

    @Override
    public RemoteIdentity identity() {
        return identity;
    }

    @Override
    public long size() {
        return identity.size();
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        if (position >= identity.size()) {
            return -1;
        }
        int n = (int) Math.min(dst.remaining(), identity.size() - position);
        if (n == 0) {
            return 0;
        }
        read(position, into(MemorySegment.ofBuffer(dst).asSlice(0, n)));
        dst.position(dst.position() + n);
        return n;
    }

    /** A segment as a destination. */
    static RemoteTransport.Destination into(MemorySegment dst) {
        return new RemoteTransport.Destination() {
            @Override
            public long size() {
                return dst.byteSize();
            }

            @Override
            public void write(long at, ByteBuffer bytes) {
                int n = bytes.remaining();
                MemorySegment.copy(MemorySegment.ofBuffer(bytes), 0, dst, at, n);
                bytes.position(bytes.position() + n);
            }
        };
    }

    /**
     * A destination that refuses bytes past its range (an {@link IOException}, which ends the
     * attempt) and counts those it took.
     */
    static Bounded bounded(RemoteTransport.Destination dst) {
        return new Bounded(dst);
    }

    /** See {@link #bounded}. */
    static final class Bounded implements RemoteTransport.Destination {
        private final RemoteTransport.Destination dst;
        private long taken;

        private Bounded(RemoteTransport.Destination dst) {
            this.dst = dst;
        }

        @Override
        public long size() {
            return dst.size();
        }

        @Override
        public void write(long at, ByteBuffer bytes) throws IOException {
            int n = bytes.remaining();
            if ((at | n) < 0 || n > dst.size() - at) {
                throw new IOException(
                        "the answer is longer than the " + dst.size() + " bytes asked");
            }
            dst.write(at, bytes);
            taken = Math.max(taken, at + n);
        }
    }

    /**
     * Fills {@code dst} with the object's bytes from {@code offset}, trying transient failures
     * again; an attempt that hands over fewer bytes than asked is one of them.
     *
     * @throws RemoteFetchException if the range cannot be fetched
     */
    void read(long offset, RemoteTransport.Destination dst) throws RemoteFetchException {
        long len = dst.size();
        retrying(
                offset,
                len,
                () -> {
                    Bounded bounded = new Bounded(dst);
                    transport.fetch(offset, identity, bounded);
                    if (bounded.taken != len) {
                        throw new RemoteTransport.TransientFailure(
                                RemoteFetchException.NO_STATUS,
                                "the answer ended after " + bounded.taken + " of " + len + " bytes",
                                null);
                    }
                    return null;
                });
    }

    /** One attempt of {@link #retrying}. */
    private interface Attempt<T> {
        T run() throws RemoteFetchException, RemoteTransport.TransientFailure;
    }

    /**
     * Runs {@code attempt} until it succeeds, fails for good, or has failed transiently {@link
     * RemoteOptions#attempts()} times, backing off between tries (doubling from {@link
     * RemoteOptions#backoff()}); {@code offset} and {@code len} name the range in messages.
     */
    private <T> T retrying(long offset, long len, Attempt<T> attempt) throws RemoteFetchException {
        Duration wait = options.backoff();
        for (int tried = 1; ; tried++) {
            RemoteTransport.TransientFailure failure;
            try {
                return attempt.run();
            } catch (RemoteTransport.TransientFailure t) {
                failure = t;
            }
            if (tried >= options.attempts()) {
                throw new RemoteFetchException(
                        uri,
                        offset,
                        len,
                        failure.status(),
                        failure.getMessage() + " (tried " + tried + " times)",
                        failure.getCause());
            }
            if (LOG.isDebugEnabled()) {
                LOG.debug(
                        "fetch {} bytes={}-{}: {}; attempt {} of {} in {}",
                        RemoteUris.shown(uri),
                        offset,
                        offset + len - 1,
                        failure.getMessage(),
                        tried + 1,
                        options.attempts(),
                        wait);
            }
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RemoteFetchException(
                        uri, offset, len, failure.status(), "interrupted while backing off", e);
            }
            wait = wait.multipliedBy(2);
        }
    }

    @Override
    public void close() {
        transport.close();
    }

    @Override
    public String toString() {
        return uri.toString();
    }
}
