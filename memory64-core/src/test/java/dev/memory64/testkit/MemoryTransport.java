package dev.memory64.testkit;

import dev.memory64.RemoteFetchException;
import dev.memory64.RemoteIdentity;
import dev.memory64.RemoteOptions;
import dev.memory64.RemoteTransport;
import dev.memory64.RemoteTransportProvider;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A transport of scheme {@code mem} over objects held in a map, given to a store through {@link
 * RemoteOptions#withTransport}: what the core does around any transport (attempts, pinning, the
 * check of an answer's length, the cache) is tested through it without a server. Faults are
 * scripted one per attempt, probes and fetches alike.
 */
public final class MemoryTransport implements RemoteTransportProvider {

    /** What the next attempt does instead of answering. */
    public enum Fault {
        /** Fails transiently, as a 503. */
        TRANSIENT,
        /** Fails for good, as a 403. */
        FATAL,
        /** Hands over one byte fewer than asked. */
        SHORT,
        /** Hands over one byte more than asked. */
        LONG
    }

    private final Map<URI, byte[]> objects = new ConcurrentHashMap<>();
    private final Map<URI, String> etags = new ConcurrentHashMap<>();
    private final AtomicInteger versions = new AtomicInteger();

    /** One per attempt, taken before it answers. */
    public final Queue<Fault> faults = new ConcurrentLinkedQueue<>();

    /** The attempts made: probes and fetches. */
    public final AtomicInteger attempts = new AtomicInteger();

    /**
     * Stores an object (a new version, with a new ETag, if it was there).
     *
     * @param uri its URI, scheme {@code mem}
     * @param bytes its bytes
     */
    public void put(URI uri, byte[] bytes) {
        objects.put(uri, bytes.clone());
        etags.put(uri, "\"v" + versions.incrementAndGet() + "\"");
    }

    @Override
    public Set<String> schemes() {
        return Set.of("mem");
    }

    @Override
    public RemoteTransport open(URI uri, RemoteOptions options) {
        return new RemoteTransport() {
            @Override
            public RemoteIdentity probe() throws TransientFailure, RemoteFetchException {
                fault(uri, 0, 1);
                return new RemoteIdentity(object(uri, 0, 1).length, etags.get(uri), null);
            }

            @Override
            public void fetch(long offset, RemoteIdentity pinned, Destination dst)
                    throws TransientFailure, RemoteFetchException {
                long len = dst.size();
                Fault fault = fault(uri, offset, len);
                byte[] bytes = object(uri, offset, len);
                if (!pinned.etag().equals(etags.get(uri))) {
                    throw new RemoteFetchException(
                            uri, offset, len, 412, "the object changed since it was opened", null);
                }
                int n = (int) len + (fault == Fault.SHORT ? -1 : fault == Fault.LONG ? 1 : 0);
                try {
                    dst.write(0, ByteBuffer.wrap(bytes, (int) offset, n));
                } catch (IOException | IndexOutOfBoundsException e) {
                    throw new TransientFailure(RemoteFetchException.NO_STATUS, e.toString(), e);
                }
            }

            @Override
            public void close() {}
        };
    }

    private Fault fault(URI uri, long offset, long len)
            throws RemoteTransport.TransientFailure, RemoteFetchException {
        attempts.incrementAndGet();
        Fault fault = faults.poll();
        if (fault == Fault.TRANSIENT) {
            throw new RemoteTransport.TransientFailure(503, "the store answered 503", null);
        }
        if (fault == Fault.FATAL) {
            throw new RemoteFetchException(uri, offset, len, 403, "access is denied", null);
        }
        return fault;
    }

    private byte[] object(URI uri, long offset, long len) throws RemoteFetchException {
        byte[] bytes = objects.get(uri);
        if (bytes == null) {
            throw new RemoteFetchException(uri, offset, len, 404, "no such object", null);
        }
        return bytes;
    }
}
