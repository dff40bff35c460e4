package dev.memory64;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * How a remote object is fetched: chunk size, parallel fetches, attempts and backoff, request
 * timeout, a request decorator for credentials, and the transport. Nothing here is specific to one
 * cloud: an object store is any HTTP server that answers byte-range requests, and a store that
 * needs its own protocol (a signed {@code s3://} bucket) is reached through a {@link
 * RemoteTransport} with the same chunks, attempts, pinning and cache.
 *
 * <p>The decorator is given every request's builder (URI, {@code Range} and {@code If-Range} set)
 * and returns the builder to send: it may add headers ({@code Authorization}) or replace the URI (a
 * presigned URL, {@code builder.uri(...)}). It is called once per attempt, so it may refresh a
 * token. It applies to the built-in HTTP transport only.
 *
 * @param chunkSize the bytes fetched and cached as one piece; a multiple of 64 KiB in {@code [64
 *     KiB, 1 GiB]}
 * @param parallelFetches the most ranged GETs in flight at once per object, at least 1
 * @param attempts how many times a transiently failing request is tried, at least 1
 * @param backoff the wait before the second attempt, doubled before each later one; not negative
 * @param requestTimeout the longest a request (connect and whole response) may take; positive
 * @param decorator applied to every request before it is sent
 * @param expected the object version that must be served, or null to pin whatever is served at open
 * @param transport the transport's provider, or null to pick it by the URI's scheme (http and https
 *     built in, others through {@link java.util.ServiceLoader})
 */
public record RemoteOptions(
        long chunkSize,
        int parallelFetches,
        int attempts,
        Duration backoff,
        Duration requestTimeout,
        UnaryOperator<HttpRequest.Builder> decorator,
        RemoteIdentity expected,
        RemoteTransportProvider transport) {

    /** The default chunk size: 4 MiB. */
    public static final long DEFAULT_CHUNK_SIZE = 4L << 20;

    private static final long GRANULE = 64L << 10;

    /**
     * Validates the options.
     *
     * @throws IllegalArgumentException if a value is out of its range (the message names it)
     * @throws NullPointerException if a duration or the decorator is null
     */
    public RemoteOptions {
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(decorator, "decorator");
        if (chunkSize < GRANULE || chunkSize > (1L << 30) || chunkSize % GRANULE != 0) {
            throw new IllegalArgumentException(
                    "remote options: chunkSize="
                            + chunkSize
                            + " is not a multiple of 65536 in [65536, 1073741824]");
        }
        if (parallelFetches < 1) {
            throw new IllegalArgumentException(
                    "remote options: parallelFetches=" + parallelFetches + " is below 1");
        }
        if (attempts < 1) {
            throw new IllegalArgumentException(
                    "remote options: attempts=" + attempts + " is below 1");
        }
        if (backoff.isNegative()) {
            throw new IllegalArgumentException(
                    "remote options: backoff=" + backoff + " is negative");
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException(
                    "remote options: requestTimeout=" + requestTimeout + " is not positive");
        }
    }

    /**
     * Options that pick the transport by the URI's scheme: the constructor before transports could
     * be named, kept for its callers.
     *
     * @param chunkSize the bytes fetched and cached as one piece
     * @param parallelFetches the most ranged GETs in flight at once per object
     * @param attempts how many times a transiently failing request is tried
     * @param backoff the wait before the second attempt
     * @param requestTimeout the longest a request may take
     * @param decorator applied to every HTTP request before it is sent
     * @param expected the object version that must be served, or null
     * @throws IllegalArgumentException if a value is out of its range (the message names it)
     * @throws NullPointerException if a duration or the decorator is null
     */
    public RemoteOptions(
            long chunkSize,
            int parallelFetches,
            int attempts,
            Duration backoff,
            Duration requestTimeout,
            UnaryOperator<HttpRequest.Builder> decorator,
            RemoteIdentity expected) {
        this(
                chunkSize,
                parallelFetches,
                attempts,
                backoff,
                requestTimeout,
                decorator,
                expected,
                null);
    }

    /**
     * The defaults: 4 MiB chunks, 4 parallel fetches, 3 attempts, 100 ms first backoff, 30 s
     * request timeout, no decorator, no expected version.
     *
     * @return the defaults
     */
    public static RemoteOptions defaults() {
        return new RemoteOptions(
                DEFAULT_CHUNK_SIZE,
                4,
                3,
                Duration.ofMillis(100),
                Duration.ofSeconds(30),
                UnaryOperator.identity(),
                null,
                null);
    }

    /** The components, mutable: what a wither changes in a copy. */
    private static final class Components {
        long chunkSize;
        int parallelFetches;
        int attempts;
        Duration backoff;
        Duration requestTimeout;
        UnaryOperator<HttpRequest.Builder> decorator;
        RemoteIdentity expected;
        RemoteTransportProvider transport;
    }

    /** A copy with what {@code change} sets, checked by the canonical constructor. */
    private RemoteOptions copy(Consumer<Components> change) {
        Components c = new Components();
        c.chunkSize = chunkSize;
        c.parallelFetches = parallelFetches;
        c.attempts = attempts;
        c.backoff = backoff;
        c.requestTimeout = requestTimeout;
        c.decorator = decorator;
        c.expected = expected;
        c.transport = transport;
        change.accept(c);
        return new RemoteOptions(
                c.chunkSize,
                c.parallelFetches,
                c.attempts,
                c.backoff,
                c.requestTimeout,
                c.decorator,
                c.expected,
                c.transport);
    }

    /**
     * Returns these options with another chunk size.
     *
     * @param bytes the chunk size
     * @return the new options
     * @throws IllegalArgumentException if {@code bytes} is not a multiple of 64 KiB in [64 KiB, 1
     *     GiB]
     */
    public RemoteOptions withChunkSize(long bytes) {
        return copy(c -> c.chunkSize = bytes);
    }

    /**
     * Returns these options with another bound on parallel fetches.
     *
     * @param n the most ranged GETs in flight per object
     * @return the new options
     * @throws IllegalArgumentException if {@code n} is below 1
     */
    public RemoteOptions withParallelFetches(int n) {
        return copy(c -> c.parallelFetches = n);
    }

    /**
     * Returns these options with another retry policy.
     *
     * @param tries how many times a transiently failing request is tried
     * @param firstBackoff the wait before the second try, doubled before each later one
     * @return the new options
     * @throws IllegalArgumentException if {@code tries} is below 1 or the backoff is negative
     * @throws NullPointerException if {@code firstBackoff} is null
     */
    public RemoteOptions withRetries(int tries, Duration firstBackoff) {
        return copy(
                c -> {
                    c.attempts = tries;
                    c.backoff = firstBackoff;
                });
    }

    /**
     * Returns these options with another request timeout.
     *
     * @param timeout the longest one request may take
     * @return the new options
     * @throws IllegalArgumentException if {@code timeout} is not positive
     * @throws NullPointerException if {@code timeout} is null
     */
    public RemoteOptions withRequestTimeout(Duration timeout) {
        return copy(c -> c.requestTimeout = timeout);
    }

    /**
     * Returns these options with a request decorator (credentials, presigned URLs).
     *
     * @param requestDecorator applied to every request's builder before it is sent
     * @return the new options
     * @throws NullPointerException if {@code requestDecorator} is null
     */
    public RemoteOptions withDecorator(UnaryOperator<HttpRequest.Builder> requestDecorator) {
        return copy(c -> c.decorator = requestDecorator);
    }

    /**
     * Returns these options pinned to one version of the object: opening fails with a {@link
     * RemoteFetchException} if the server serves another. Several hosts given the same identity
     * serve the same bytes.
     *
     * @param identity the version, or null to pin whatever is served at open
     * @return the new options
     */
    public RemoteOptions withExpected(RemoteIdentity identity) {
        return copy(c -> c.expected = identity);
    }

    /**
     * Returns these options with a transport named explicitly, with its own settings (an {@code
     * s3://} provider with its credentials, region and endpoint), instead of the one the URI's
     * scheme picks.
     *
     * @param provider the transport's provider, or null to pick it by the URI's scheme
     * @return the new options
     */
    public RemoteOptions withTransport(RemoteTransportProvider provider) {
        return copy(c -> c.transport = provider);
    }
}
