package dev.memory64.s3;

import dev.memory64.RemoteOptions;
import dev.memory64.RemoteTransport;
import dev.memory64.RemoteTransportProvider;
import java.io.IOException;
import java.net.URI;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code s3} scheme's transport provider. The service loader makes it with {@link
 * #S3TransportProvider()} ({@link S3Options#defaults()}); {@link S3Options#transport()} makes it
 * with other options. Each object opened gets its own S3 client, closed with it.
 */
public final class S3TransportProvider implements RemoteTransportProvider {

    private final S3Options options;

    /** The provider with {@link S3Options#defaults()}, as the service loader makes it. */
    public S3TransportProvider() {
        this(S3Options.defaults());
    }

    S3TransportProvider(S3Options options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    @Override
    public Set<String> schemes() {
        return Set.of("s3");
    }

    /**
     * Opens {@code s3://bucket/key} for signed range reads; sends no request.
     *
     * @throws IllegalArgumentException if the URI names no bucket or no key
     * @throws IOException if no region is found (and no endpoint is set)
     */
    @Override
    public RemoteTransport open(URI uri, RemoteOptions remote) throws IOException {
        return S3Transport.open(uri, options, remote);
    }

    @Override
    public String toString() {
        return "s3 transport " + options;
    }
}
