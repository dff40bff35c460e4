package dev.memory64;

import java.io.IOException;
import java.net.URI;
import java.util.Set;

/**
 * Opens {@link RemoteTransport}s for the URI schemes it serves. The core serves {@code http} and
 * {@code https} itself; other schemes are found through {@link java.util.ServiceLoader} (a module
 * {@code provides dev.memory64.RemoteTransportProvider}, or a {@code
 * META-INF/services/dev.memory64.RemoteTransportProvider} entry on the class path), or given
 * explicitly, with their own settings, by {@link RemoteOptions#withTransport}. A provider found by
 * the service loader needs a public no-argument constructor and uses its defaults.
 */
public interface RemoteTransportProvider {

    /**
     * Returns the URI schemes this provider serves, in lower case ({@code "s3"}).
     *
     * @return the schemes
     */
    Set<String> schemes();

    /**
     * Opens a transport for one object. Sends no request: the core probes the object through {@link
     * RemoteTransport#probe()} next.
     *
     * @param uri the object, of one of {@link #schemes()}
     * @param options how it is fetched (a transport takes its request timeout from them)
     * @return the transport, which the caller closes
     * @throws IllegalArgumentException if the URI does not name an object this provider can reach
     *     (the message names it)
     * @throws IOException if the transport cannot be set up (its credentials, its client)
     */
    RemoteTransport open(URI uri, RemoteOptions options) throws IOException;
}
