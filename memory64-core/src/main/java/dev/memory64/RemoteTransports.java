package dev.memory64;

import java.io.IOException;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;

/**
 * The one place a URI's scheme picks its {@link RemoteTransportProvider}: the one in the options,
 * else the core's HTTP for {@code http} and {@code https}, the core's {@link HuggingFaceHub} (from
 * the environment) for {@code hf}, else the first that {@link ServiceLoader} finds serving the
 * scheme. A scheme nothing serves is refused naming the module that would serve it, where the
 * project has one.
 */
final class RemoteTransports {

    /** The project's modules that serve a scheme, for the refusal when one is absent. */
    private static final Map<String, String> MODULES =
            Map.of("s3", "memory64-s3 (module dev.memory64.s3)");

    private RemoteTransports() {}

    /**
     * Returns the provider that serves {@code uri}.
     *
     * @throws IllegalArgumentException naming the operation, the URI and the missing module, if no
     *     provider serves its scheme
     */
    static RemoteTransportProvider provider(String operation, URI uri, RemoteOptions options) {
        Objects.requireNonNull(uri, "uri");
        RemoteTransportProvider given = options.transport();
        if (given != null) {
            return given;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (HttpTransport.PROVIDER.schemes().contains(scheme)) {
            return HttpTransport.PROVIDER;
        }
        if (scheme.equals(HuggingFaceHub.SCHEME)) {
            return HuggingFaceHub.fromEnvironment();
        }
        for (RemoteTransportProvider found : ServiceLoader.load(RemoteTransportProvider.class)) {
            if (found.schemes().contains(scheme)) {
                return found;
            }
        }
        String module = MODULES.get(scheme);
        throw new IllegalArgumentException(
                operation
                        + " "
                        + uri
                        + ": "
                        + (scheme.isEmpty() ? "no scheme" : "scheme \"" + scheme + "\"")
                        + " is not http or https, and "
                        + (module == null
                                ? "no RemoteTransportProvider on the class or module path serves it"
                                : "its transport is not on the class or module path: add "
                                        + module));
    }

    /**
     * Opens the transport for {@code uri}.
     *
     * @throws IllegalArgumentException if no provider serves its scheme
     * @throws IOException if the transport cannot be set up
     */
    static RemoteTransport open(String operation, URI uri, RemoteOptions options)
            throws IOException {
        return provider(operation, uri, options).open(uri, options);
    }
}
