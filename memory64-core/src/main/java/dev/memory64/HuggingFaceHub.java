package dev.memory64;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Objects;
import java.util.Set;

/**
 * The Hugging Face Hub as a remote source: {@code hf://owner/repo[@revision]/path} is read from
 * {@code {endpoint}/owner/repo/resolve/{revision, default main}/path} (a dataset's or a space's
 * file, {@code hf://datasets/owner/repo/path}, from {@code
 * {endpoint}/datasets/owner/repo/resolve/…}, as {@code huggingface_hub} names them) with the same
 * chunks, attempts, pinning, cache and residency as any HTTP object ({@link RegionBacking#remote}).
 *
 * <p>Opening an {@code hf://} URI with {@link RemoteOptions} that name no transport uses {@link
 * #fromEnvironment()}. To give a token or a mirror explicitly, name the provider: {@code
 * RemoteOptions.defaults().withTransport(HuggingFaceHub.fromEnvironment().withToken(token))}.
 *
 * <p><b>Where the token goes.</b> The token is sent as {@code Authorization: Bearer …} only to the
 * endpoint's origin (its scheme, host and port): the {@code resolve} request and any redirect that
 * stays on that origin. The Hub answers {@code resolve} for a large file with a redirect to its
 * CDN, another host: that request, and every range request after it, carries no token (the
 * redirect's URL is signed). The request decorator ({@link RemoteOptions#decorator()}) is likewise
 * applied only to requests for the endpoint's origin. A redirect from {@code https} to plain {@code
 * http} is refused.
 *
 * <p><b>Identity.</b> The version pinned is the Hub's {@code X-Linked-Etag} (the file's content
 * hash, sent with the redirect) or, where there is none, the served {@code ETag}; range requests to
 * the CDN carry {@code If-Range} on the CDN's own validator, so a CDN object that changes after
 * open is refused as a changed object, as for any HTTP object.
 *
 * @param endpoint the Hub's base URI ({@code https://huggingface.co}, or a mirror's)
 * @param token the bearer token, or null to send none
 */
public record HuggingFaceHub(URI endpoint, String token) implements RemoteTransportProvider {

    /** The Hub's own endpoint, used when {@code HF_ENDPOINT} is not set. */
    public static final URI DEFAULT_ENDPOINT = URI.create("https://huggingface.co");

    /** The URI scheme served: {@code hf}. */
    public static final String SCHEME = "hf";

    /**
     * Validates the endpoint.
     *
     * @throws IllegalArgumentException if the endpoint is not an absolute http(s) URI with a host,
     *     or the token is blank or holds a line break
     * @throws NullPointerException if {@code endpoint} is null
     */
    public HuggingFaceHub {
        Objects.requireNonNull(endpoint, "endpoint");
        String scheme = endpoint.getScheme();
        if (scheme == null
                || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                || endpoint.getHost() == null) {
            throw new IllegalArgumentException(
                    "hugging face hub: endpoint "
                            + endpoint
                            + " is not an http(s) URI with a host");
        }
        if (token != null
                && (token.isBlank() || token.indexOf('\r') >= 0 || token.indexOf('\n') >= 0)) {
            throw new IllegalArgumentException(
                    "hugging face hub: the token is blank or holds a line break");
        }
    }

    /**
     * The Hub as {@code huggingface_hub} configures it from the environment: the endpoint from
     * {@code HF_ENDPOINT} (a mirror), else {@link #DEFAULT_ENDPOINT}; the token from {@code
     * HF_TOKEN}, else none. The token file {@code huggingface-cli login} writes is not read.
     *
     * @return the provider
     * @throws IllegalArgumentException if {@code HF_ENDPOINT} is not an http(s) URI
     */
    public static HuggingFaceHub fromEnvironment() {
        String endpoint = System.getenv("HF_ENDPOINT");
        String token = System.getenv("HF_TOKEN");
        return new HuggingFaceHub(
                endpoint == null || endpoint.isBlank()
                        ? DEFAULT_ENDPOINT
                        : URI.create(endpoint.trim()),
                token == null || token.isBlank() ? null : token.trim());
    }

    /**
     * Returns this provider with another token.
     *
     * @param bearer the token, sent only to the endpoint's origin; null to send none
     * @return the new provider
     * @throws IllegalArgumentException if the token is blank or holds a line break
     */
    public HuggingFaceHub withToken(String bearer) {
        return new HuggingFaceHub(endpoint, bearer);
    }

    /**
     * Returns this provider with another endpoint (a mirror).
     *
     * @param base the mirror's base URI, e.g. {@code https://hf-mirror.example}
     * @return the new provider
     * @throws IllegalArgumentException if it is not an http(s) URI with a host
     * @throws NullPointerException if {@code base} is null
     */
    public HuggingFaceHub withEndpoint(URI base) {
        return new HuggingFaceHub(base, token);
    }

    /**
     * The {@code resolve} URL an {@code hf://} URI names on this endpoint: {@code
     * hf://owner/repo@rev/dir/file} → {@code {endpoint}/owner/repo/resolve/rev/dir/file}. A
     * revision with a slash ({@code refs/pr/1}) is written percent-encoded ({@code refs%2Fpr%2F1}),
     * as {@code huggingface_hub}'s file system writes it.
     *
     * @param uri an {@code hf://owner/repo[@revision]/path} URI
     * @return the resolve URL
     * @throws IllegalArgumentException naming the URI if it is not of that form
     */
    public URI resolve(URI uri) {
        Objects.requireNonNull(uri, "uri");
        String scheme = uri.getScheme();
        String owner = uri.getRawAuthority();
        String path = uri.getRawPath();
        if (scheme == null
                || !scheme.equalsIgnoreCase(SCHEME)
                || owner == null
                || owner.isEmpty()
                || owner.contains("@")
                || owner.contains(":")
                || path == null
                || uri.getRawQuery() != null
                || uri.getRawFragment() != null) {
            throw notHub(uri);
        }
        String kind = "";
        if (owner.equals("datasets") || owner.equals("spaces")) {
            // hf://datasets/owner/repo/path: the repository type, then the owner
            int slash = path.indexOf('/', 1);
            if (slash < 0) {
                throw notHub(uri);
            }
            kind = owner + "/";
            owner = path.substring(1, slash);
            path = path.substring(slash);
        }
        // path: /repo[@revision]/file...
        int slash = path.indexOf('/', 1);
        if (!path.startsWith("/") || slash < 0 || slash == path.length() - 1 || owner.isEmpty()) {
            throw notHub(uri);
        }
        String repo = path.substring(1, slash);
        String file = path.substring(slash + 1);
        String revision = "main";
        int at = repo.indexOf('@');
        if (at >= 0) {
            revision = repo.substring(at + 1);
            repo = repo.substring(0, at);
        }
        if (repo.isEmpty() || revision.isEmpty() || file.endsWith("/") || file.contains("//")) {
            throw notHub(uri);
        }
        for (String segment : file.split("/")) {
            if (segment.equals(".") || segment.equals("..")) {
                throw notHub(uri);
            }
        }
        String base = endpoint.toString();
        if (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        try {
            return new URI(
                    base + "/" + kind + owner + "/" + repo + "/resolve/" + revision + "/" + file);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(
                    "hugging face hub: " + uri + " gives no valid resolve URL: " + e.getMessage(),
                    e);
        }
    }

    private static IllegalArgumentException notHub(URI uri) {
        return new IllegalArgumentException(
                "hugging face hub: " + uri + " is not hf://owner/repo[@revision]/path");
    }

    /** Shown instead of the token. */
    @Override
    public String toString() {
        return "HuggingFaceHub[endpoint="
                + endpoint
                + ", token="
                + (token == null ? "none" : "set")
                + "]";
    }

    /**
     * Returns {@code {"hf"}}.
     *
     * @return the schemes served
     */
    @Override
    public Set<String> schemes() {
        return Set.of(SCHEME);
    }

    /**
     * Opens a transport for one {@code hf://} URI; sends nothing until it is probed.
     *
     * @throws IllegalArgumentException if the URI is not {@code hf://owner/repo[@revision]/path}
     */
    @Override
    public RemoteTransport open(URI uri, RemoteOptions options) {
        return new HubTransport(uri, resolve(uri), this, options);
    }

    /** The endpoint's origin, to which alone the token and the decorator go. */
    String origin() {
        return HttpConnections.origin(endpoint);
    }
}
